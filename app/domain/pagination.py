"""Opaque keyset cursors: base64url of a small JSON list, so clients never depend on their form."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from app.errors import InvalidInput


def encode_cursor(values: list[Any]) -> str:
    raw = json.dumps(values, separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, *, arity: int, field: str = "cursor") -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise InvalidInput(field, "is not a cursor returned by this API") from None
    if not isinstance(values, list) or len(values) != arity:
        raise InvalidInput(field, "is not a cursor returned by this API")
    return values
