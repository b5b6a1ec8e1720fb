"""Opaque keyset cursors: base64url of a small JSON list, so clients never depend on their form."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, Field

from app.errors import InvalidInput

ItemT = TypeVar("ItemT")

# Our cursors are well under 200 characters; anything much longer was not made here, and is
# refused before decoding costs memory or time.
MAX_CURSOR_LENGTH = 512


def encode_cursor(values: list[Any]) -> str:
    # UTF-8 rather than \u escapes: a name in a cursor costs its bytes, not six per character.
    raw = json.dumps(values, separators=(",", ":"), ensure_ascii=False, default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(
    cursor: str,
    *,
    arity: int,
    field: str = "query.cursor",
    max_length: int = MAX_CURSOR_LENGTH,
) -> list[Any]:
    if len(cursor) > max_length:
        raise InvalidInput(field, f"is longer than {max_length} characters")
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    # RecursionError: deeply nested JSON ("[[[[…"), which the length cap alone does not rule
    # out for every cap a caller may choose.
    except (binascii.Error, ValueError, UnicodeDecodeError, RecursionError):
        raise InvalidInput(field, "is not a cursor returned by this API") from None
    if not isinstance(values, list) or len(values) != arity:
        raise InvalidInput(field, "is not a cursor returned by this API")
    return values


class Page(BaseModel, Generic[ItemT]):
    """The one envelope of every list the API answers."""

    data: list[ItemT]
    next_cursor: str | None = Field(
        description="Pass as `cursor` to read the next page; null on the last page."
    )
