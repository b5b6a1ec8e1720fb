"""Annotated types for text and credentials that clients send and we store, show or forward.

PostgreSQL refuses NUL in text (asyncpg raised it as a 500), a lone surrogate cannot be encoded
as UTF-8, other control characters corrupt logs, exports and headers, and a token that is not
printable ASCII cannot go into an HTTP header at all. Such input is refused at the schema, as a
422 naming the field, before any of that can happen.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import (
    BeforeValidator,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    SecretStr,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError, core_schema

_LINE_BREAKS = "\t\n\r"


def has_control_characters(value: str) -> bool:
    """For text that cannot go through SafeText (a query parameter): NUL, lone surrogates and
    other controls would fail in PostgreSQL, or match nothing anyway."""
    return any(_is_control(char) for char in value)


def _is_control(char: str) -> bool:
    # Cc: the C0 and C1 controls, NUL included; Cs: a lone surrogate (JSON "\ud800").
    return unicodedata.category(char) in ("Cc", "Cs")


@dataclass(frozen=True)
class SafeText:
    """`Annotated[str, SafeText(max_length=100)]`: surrounding whitespace is stripped, empty text
    is refused, and so is any control character (`multiline` lets tabs and line breaks in).

    A marker rather than a ready-made type so that the column's length stays a plain string
    constraint: its error reads "at most 100 characters", which a wrapped validator cannot say.
    """

    max_length: int | None = None
    multiline: bool = False

    def __get_pydantic_core_schema__(
        self, source: type[Any], handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        # The length as sent, as the schema documents it (maxLength), then the text stripped.
        text = core_schema.chain_schema(
            [
                core_schema.str_schema(min_length=1, max_length=self.max_length),
                core_schema.str_schema(strip_whitespace=True, min_length=1),
            ]
        )
        return core_schema.no_info_after_validator_function(self._refuse_controls, text)

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        # Written out rather than derived from the chain, whose steps differ (validation would
        # document the first, serialization the last, and split every model in two); the rules
        # as a pattern, so that the schema refuses what the validator refuses.
        json_schema: JsonSchemaValue = {"type": "string"}
        if self.max_length is not None:
            json_schema["maxLength"] = self.max_length
        json_schema["minLength"] = 1
        json_schema["pattern"] = safe_text_pattern(multiline=self.multiline)
        return json_schema

    def _refuse_controls(self, value: str) -> str:
        # Composed form: "Café" typed on two systems is one name, not two that look alike.
        value = unicodedata.normalize("NFC", value)
        allowed = _LINE_BREAKS if self.multiline else ""
        if any(_is_control(char) and char not in allowed for char in value):
            raise PydanticCustomError(
                "control_character",
                "must not contain control characters other than line breaks"
                if self.multiline
                else "must not contain control characters",
            )
        if not self.multiline and any(unicodedata.category(c) in ("Zl", "Zp") for c in value):
            raise PydanticCustomError("line_break", "must be one line")
        if all(_is_invisible(char) for char in value):
            raise PydanticCustomError("invisible", "must contain a visible character")
        # Composing can lengthen a text (U+0958 becomes two code points): the column holds what
        # is stored, not what was sent.
        if self.max_length is not None and len(value) > self.max_length:
            raise PydanticCustomError(
                "string_too_long",
                "must be at most {max_length} characters once composed (NFC)",
                {"max_length": self.max_length},
            )
        return value


def _is_invisible(char: str) -> bool:
    # Format characters (zero-width space, joiners, direction marks) and any kind of space.
    return char.isspace() or unicodedata.category(char) in ("Cf", "Zs", "Zl", "Zp")


def _refused_anywhere(char: str, *, multiline: bool) -> bool:
    if multiline:
        return _is_control(char) and char not in _LINE_BREAKS
    return _is_control(char) or unicodedata.category(char) in ("Zl", "Zp")


def _is_stripped(char: str) -> bool:
    # pydantic strips Unicode White_Space (Rust's trim): str.isspace() without \x1c-\x1f.
    return char.isspace() and not "\x1c" <= char <= "\x1f"


@functools.cache
def safe_text_pattern(*, multiline: bool) -> str:
    """SafeText's rules as a JSON Schema pattern: between the whitespace it strips, no character
    it refuses, and one visible.
    Over the Basic Multilingual Plane only: a pattern without ECMA's `u` flag cannot name a
    character beyond it (the few invisible ones there, such as tag characters, pass the
    pattern and are refused by the validator)."""
    refused = _character_class(lambda c: _refused_anywhere(c, multiline=multiline))
    invisible = _character_class(
        lambda c: _refused_anywhere(c, multiline=multiline) or _is_invisible(c)
    )
    stripped = _character_class(_is_stripped)
    return f"^[{stripped}]*[^{refused}]*[^{invisible}][^{refused}]*[{stripped}]*$"


def _character_class(belongs: Callable[[str], bool]) -> str:
    """The inside of a regex character class matching the BMP characters that `belongs`,
    surrogates left out: no UTF-8 text holds one, and a regex engine over Unicode scalar values
    (Rust's, in JSON Schema validators) refuses a pattern that names one."""
    ranges: list[tuple[int, int]] = []
    for code in range(0x10000):
        if 0xD800 <= code <= 0xDFFF or not belongs(chr(code)):
            continue
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1] = (ranges[-1][0], code)
        else:
            ranges.append((code, code))
    return "".join(
        f"\\u{first:04x}" if first == last else f"\\u{first:04x}-\\u{last:04x}"
        for first, last in ranges
    )


# One line of text of any length: a display name, a label.
Name = Annotated[str, SafeText()]

_TOKEN = re.compile(r"[!-~]+")


def _token_format(value: object) -> object:
    if not isinstance(value, str):
        return value  # SecretStr reports the wrong type
    # A pasted token often carries a space at either end; inside, anything but printable ASCII
    # is not a token, and would fail in the Authorization header (a 500) or at Intercom (a 502).
    value = value.strip(" ")
    if value and not _TOKEN.fullmatch(value):
        raise PydanticCustomError(
            "token_format", "must be printable ASCII, without spaces or control characters"
        )
    return value


# A bearer credential for another service; secret in reprs and logs. The pattern is
# `_token_format` for the schema (its spaces at either end are the pasted ones it strips).
Token = Annotated[
    SecretStr,
    BeforeValidator(_token_format),
    Field(json_schema_extra={"pattern": f"^ *{_TOKEN.pattern} *$"}),
]


def clean_name(value: str, *, max_length: int | None) -> str | None:
    """Fits text we cannot refuse (a claim of a signed token) to a name column: control
    characters become spaces and the rest is cut to `max_length`. None when nothing is left."""
    cleaned = "".join(" " if _is_control(char) else char for char in value)
    return cleaned.strip()[:max_length].rstrip() or None
