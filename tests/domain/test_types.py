"""The annotated text types refuse what PostgreSQL, logs or headers cannot take."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Annotated

import pytest
from pydantic import BaseModel, Field, ValidationError

from app.domain.types import Name, SafeText, Token, clean_name


class Form(BaseModel):
    name: Name | None = None
    label: Annotated[str, SafeText(max_length=10)] | None = None
    note: Annotated[str, SafeText(multiline=True)] | None = None
    token: Token | None = None


def error_of(**fields: object) -> tuple[str, str]:
    with pytest.raises(ValidationError) as raised:
        Form.model_validate(fields)
    (error,) = raised.value.errors()
    return str(error["loc"][0]), error["type"]


@pytest.mark.parametrize("value", ["Acme", "Équipe 東京 🚀", "فريق الدعم", "a\u200db"])
def test_a_name_keeps_any_printable_text(value: str) -> None:
    assert Form(name=value).name == value


def test_a_name_is_stripped_of_surrounding_whitespace() -> None:
    assert Form(name="  Acme NPS \n").name == "Acme NPS"


@pytest.mark.parametrize("value", ["a\x00b", "a\tb", "a\nb", "a\x1bb", "a\x7fb", "a\x85b"])
def test_a_name_refuses_control_characters(value: str) -> None:
    assert error_of(name=value) == ("name", "control_character")


@pytest.mark.parametrize("value", ["", "   ", "\n"])
def test_a_name_refuses_blank_text(value: str) -> None:
    assert error_of(name=value) == ("name", "string_too_short")


def test_a_length_is_a_plain_string_constraint_on_the_text_as_sent() -> None:
    assert error_of(label="x" * 11) == ("label", "string_too_long")
    # As openapi.yaml's maxLength says: surrounding whitespace counts, then is stripped.
    assert error_of(label=" " + "x" * 10 + " ") == ("label", "string_too_long")
    assert Form(label=" " + "x" * 8 + " ").label == "x" * 8


def test_multiline_text_keeps_line_breaks_but_not_nul() -> None:
    assert Form(note="one\n\ttwo\r\n").note == "one\n\ttwo"
    assert error_of(note="one\x00two") == ("note", "control_character")


def test_a_token_is_printable_ascii_and_loses_surrounding_spaces() -> None:
    form = Form(token=" tok_abc-123.XYZ= ")
    assert form.token is not None
    assert form.token.get_secret_value() == "tok_abc-123.XYZ="


@pytest.mark.parametrize("value", ["tök", "a b", "a\r\nb", "a\x00", "\tabc"])
def test_a_token_refuses_anything_else(value: str) -> None:
    assert error_of(token=value) == ("token", "token_format")


@pytest.mark.parametrize(
    ("value", "cleaned"),
    [
        ("Acme", "Acme"),
        ("  Acme\x00NPS\n", "Acme NPS"),
        ("x" * 300, "x" * 200),
        ("x" * 199 + " y", "x" * 199),
        ("\x00\x01 ", None),
        ("\ud800", None),
    ],
)
def test_clean_name_fits_any_text_to_a_column(value: str, cleaned: str | None) -> None:
    assert clean_name(value, max_length=200) == cleaned


@pytest.mark.parametrize("value", ["\u200b", "\u200b\u200b", "\u00a0\u200d", "\u2060\ufeff"])
def test_a_name_of_invisible_characters_only_is_refused(value: str) -> None:
    assert error_of(name=value) == ("name", "invisible")


@pytest.mark.parametrize("value", ["a\u2028b", "a\u2029b"])
def test_a_one_line_name_refuses_unicode_line_separators(value: str) -> None:
    assert error_of(name=value) == ("name", "line_break")
    assert Form(note=value).note == value


def test_a_name_is_stored_composed_so_look_alikes_are_one_name() -> None:
    assert Form(name="Cafe\u0301").name == "Caf\u00e9"


def disagreements(model: type[BaseModel], field: str, values: Iterable[str]) -> list[str]:
    """The values that the field's documented pattern and its validator judge differently.
    Matched to the end of the text, as ECMA's `$` means (Python's also allows a final "\n")."""
    schema = model.model_json_schema()["properties"][field]
    pattern = re.compile(schema.get("pattern") or schema["anyOf"][0]["pattern"])
    found = []
    for value in values:
        try:
            model.model_validate({field: value})
            accepted = True
        except ValidationError:
            accepted = False
        if accepted != bool(pattern.fullmatch(value)):
            found.append(value)
    return found


@pytest.mark.parametrize("multiline", [False, True])
def test_the_documented_pattern_accepts_exactly_what_safe_text_accepts(multiline: bool) -> None:
    """Every BMP character alone and after a letter: the schema and the validator agree, so a
    client (or a fuzzer) that follows the schema is not refused. Surrogates aside: the pattern
    cannot name them, and no UTF-8 body holds one (the validator refuses a JSON escape of one)."""
    codes = (*range(0xD800), *range(0xE000, 0x10000))
    values = [value for code in codes for value in (chr(code), "a" + chr(code))]
    assert disagreements(Form, "note" if multiline else "name", values) == []


class Credential(BaseModel):
    token: Token = Field(min_length=1)  # as every Token field of the API


def test_the_documented_token_pattern_accepts_exactly_what_a_token_accepts() -> None:
    values = [v for c in map(chr, range(0x180)) for v in (c, f"ab{c}cd", f" ab{c}")]
    assert disagreements(Credential, "token", values) == []


def test_a_text_that_composing_lengthens_past_its_limit_is_refused() -> None:
    """U+0958 composes (NFC) into two code points: ten of them would be twenty stored."""
    assert error_of(label="\u0958" * 10) == ("label", "string_too_long")
    assert Form(label="\u0958" * 5).label == "\u0915\u093c" * 5  # ten: at the limit
