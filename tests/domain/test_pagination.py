from __future__ import annotations

import base64

import pytest

from app.domain.pagination import MAX_CURSOR_LENGTH, decode_cursor, encode_cursor
from app.errors import InvalidInput


def test_a_cursor_decodes_to_what_was_encoded() -> None:
    cursor = encode_cursor(["2024-01-01T00:00:00+00:00", "b5c1a3c4-0000-4000-8000-000000000000"])
    assert len(cursor) < MAX_CURSOR_LENGTH
    assert decode_cursor(cursor, arity=2)[0] == "2024-01-01T00:00:00+00:00"


def test_a_cursor_longer_than_the_cap_is_refused_before_decoding() -> None:
    with pytest.raises(InvalidInput) as raised:
        decode_cursor("A" * (MAX_CURSOR_LENGTH + 1), arity=2)
    assert raised.value.extensions["errors"][0]["field"] == "query.cursor"


def test_deeply_nested_json_is_an_invalid_cursor_not_a_recursion_error() -> None:
    nested = base64.urlsafe_b64encode(b"[" * 100_000).decode()
    with pytest.raises(InvalidInput):
        decode_cursor(nested, arity=2, max_length=len(nested))
