"""Web settings: Flask config keys, each with an environment variable and a default."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Mapping

from service.ops.documents import DEFAULT_MAX_BYTES, DEFAULT_TYPES, DocumentPolicy

# Flask config key -> environment variable
DOCUMENTS_PATH = "ALUR_DOCUMENTS_PATH"          # default: <instance path>/documents
DOCUMENT_MAX_BYTES = "ALUR_DOCUMENT_MAX_BYTES"  # default 20 MiB per file
DOCUMENT_TYPES = "ALUR_DOCUMENT_TYPES"          # comma-separated extensions


def web_defaults(config: Mapping[str, Any], instance_path: str, environ: Mapping[str, str] | None = None
                 ) -> dict[str, Any]:
    """Values for the keys not already set in the Flask config (tests set them directly)."""
    env = os.environ if environ is None else environ
    out: dict[str, Any] = {}
    if DOCUMENTS_PATH not in config:
        out[DOCUMENTS_PATH] = env.get(DOCUMENTS_PATH) or str(Path(instance_path) / "documents")
    if DOCUMENT_MAX_BYTES not in config:
        raw = env.get(DOCUMENT_MAX_BYTES)
        try:
            out[DOCUMENT_MAX_BYTES] = int(raw) if raw else DEFAULT_MAX_BYTES
        except ValueError:
            raise ValueError(f"{DOCUMENT_MAX_BYTES}: expected a number of bytes, got {raw!r}") from None
    if DOCUMENT_TYPES not in config:
        raw = env.get(DOCUMENT_TYPES)
        out[DOCUMENT_TYPES] = (tuple(t.strip().lower().lstrip(".") for t in raw.split(",") if t.strip())
                               if raw else DEFAULT_TYPES)
    return out


INSECURE_COOKIES = "ALUR_INSECURE_COOKIES"      # "1": never mark the session cookie Secure
PUBLIC_URL = "ALUR_PUBLIC_URL"                  # the address users open; https:// makes cookies Secure


def session_cookie_secure(*, debug: bool, testing: bool, environ: Mapping[str, str] | None = None) -> bool:
    """Whether the session cookie carries the Secure flag.

    Secure when the service is published over https (ALUR_PUBLIC_URL starts with https://), unless
    ALUR_INSECURE_COOKIES=1; never in debug or testing. `make run` serves http://127.0.0.1 without
    ALUR_PUBLIC_URL, where a Secure cookie would never come back and nobody could log in.
    """
    env = os.environ if environ is None else environ
    if debug or testing or env.get(INSECURE_COOKIES, "").strip() == "1":
        return False
    return env.get(PUBLIC_URL, "").strip().lower().startswith("https://")


def document_policy(config: Mapping[str, Any]) -> DocumentPolicy:
    types = config[DOCUMENT_TYPES]
    if isinstance(types, str):
        types = tuple(t.strip().lower() for t in types.split(",") if t.strip())
    return DocumentPolicy(root=Path(config[DOCUMENTS_PATH]), max_bytes=int(config[DOCUMENT_MAX_BYTES]),
                          allowed=tuple(types))


__all__ = ["web_defaults", "document_policy", "session_cookie_secure", "INSECURE_COOKIES", "PUBLIC_URL", "DOCUMENTS_PATH", "DOCUMENT_MAX_BYTES", "DOCUMENT_TYPES"]
