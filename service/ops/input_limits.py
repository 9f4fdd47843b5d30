"""Size limits on what users send: one frozen set of numbers, built from `Config`, held by `OpsContext`.

Each limit names its setting in the refusal, so an operator knows what to raise. The request body limit
is Flask's `MAX_CONTENT_LENGTH` (set by `create_app` from `max_request_bytes`); the others are checked here.
"""
from __future__ import annotations

from dataclasses import dataclass

from .errors import BadRequest, TooLarge


@dataclass(frozen=True)
class InputLimits:
    request_bytes: int = 64 * 1024 * 1024           # ALUR_MAX_REQUEST_BYTES: one HTTP request body
    model_bytes: int = 5 * 1024 * 1024              # ALUR_MAX_MODEL_BYTES: one deployed resource
    form_bytes: int = 1024 * 1024                   # ALUR_MAX_FORM_BYTES: one form's JSON
    form_depth: int = 32                            # ALUR_MAX_FORM_DEPTH: nesting of a form's JSON
    instance_bytes: int = 16 * 1024 * 1024          # ALUR_MAX_INSTANCE_BYTES: one instance's saved state


DEFAULT_LIMITS = InputLimits()


def check_model_size(limits: InputLimits, name: str, size: int) -> None:
    if size > limits.model_bytes:
        raise TooLarge(f"{name}: {size} bytes, more than the limit of {limits.model_bytes} bytes for one "
                       f"resource (ALUR_MAX_MODEL_BYTES)",
                       pesan=f"{name}: {size} byte, melebihi batas {limits.model_bytes} byte per berkas "
                             f"(ALUR_MAX_MODEL_BYTES)")


def check_instance_size(limits: InputLimits, instance_id: str, size: int) -> None:
    if size > limits.instance_bytes:
        raise TooLarge(f"process instance {instance_id} would hold {size} bytes of state, more than the limit of "
                       f"{limits.instance_bytes} bytes (ALUR_MAX_INSTANCE_BYTES)",
                       pesan=f"instans proses {instance_id} akan menyimpan {size} byte, melebihi batas "
                             f"{limits.instance_bytes} byte (ALUR_MAX_INSTANCE_BYTES)")


# The column's width on every database (Camunda's too).
BUSINESS_KEY_CHARS = 255


def check_business_key(key: str | None) -> None:
    if key is not None and len(key) > BUSINESS_KEY_CHARS:
        raise BadRequest(f"businessKey is {len(key)} characters long, more than {BUSINESS_KEY_CHARS}",
                         pesan=f"businessKey {len(key)} karakter, melebihi {BUSINESS_KEY_CHARS}")
    try:
        if key is not None:
            key.encode("utf-8")        # the web pages and the CLI reach here without the REST JSON guard
    except UnicodeEncodeError:
        raise BadRequest("businessKey contains a lone UTF-16 surrogate",
                         pesan="businessKey memuat surrogate UTF-16 tunggal") from None


__all__ = ["InputLimits", "DEFAULT_LIMITS", "TooLarge", "check_model_size", "check_instance_size",
           "check_business_key", "BUSINESS_KEY_CHARS"]
