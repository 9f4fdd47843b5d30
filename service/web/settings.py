"""Web settings in the Flask config: defaults for the document keys, the session cookie's Secure flag.

The values come from `service.config.Config` (create_app copies them into `app.config` under their
environment variable names); tests may also set the keys directly.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

from service.ops.documents import DEFAULT_MAX_BYTES, DEFAULT_TYPES, DocumentPolicy

DOCUMENTS_PATH = "ALUR_DOCUMENTS_PATH"          # default: <instance path>/documents
DOCUMENT_MAX_BYTES = "ALUR_DOCUMENT_MAX_BYTES"  # default 20 MiB per file
DOCUMENT_TYPES = "ALUR_DOCUMENT_TYPES"          # extensions


def web_defaults(config: Mapping[str, Any], instance_path: str) -> dict[str, Any]:
    """Values for the document keys not already set in the Flask config."""
    out: dict[str, Any] = {}
    if DOCUMENTS_PATH not in config:
        out[DOCUMENTS_PATH] = str(Path(instance_path) / "documents")
    if DOCUMENT_MAX_BYTES not in config:
        out[DOCUMENT_MAX_BYTES] = DEFAULT_MAX_BYTES
    if DOCUMENT_TYPES not in config:
        out[DOCUMENT_TYPES] = DEFAULT_TYPES
    return out


def session_cookie_secure(*, debug: bool, testing: bool, public_url: str | None, insecure_cookies: bool) -> bool:
    """Whether the session cookie carries the Secure flag.

    Secure when the service is published over https (ALUR_PUBLIC_URL starts with https://), unless
    ALUR_INSECURE_COOKIES is on; never in debug or testing. `make run` serves http://127.0.0.1 without
    ALUR_PUBLIC_URL, where a Secure cookie would never come back and nobody could log in.
    """
    if debug or testing or insecure_cookies:
        return False
    return (public_url or "").strip().lower().startswith("https://")


def document_policy(config: Mapping[str, Any]) -> DocumentPolicy:
    types = config[DOCUMENT_TYPES]
    if isinstance(types, str):
        types = tuple(t.strip().lower() for t in types.split(",") if t.strip())
    return DocumentPolicy(root=Path(config[DOCUMENTS_PATH]), max_bytes=int(config[DOCUMENT_MAX_BYTES]),
                          allowed=tuple(types))


__all__ = ["web_defaults", "document_policy", "session_cookie_secure", "DOCUMENTS_PATH", "DOCUMENT_MAX_BYTES",
           "DOCUMENT_TYPES"]
