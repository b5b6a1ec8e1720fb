"""How an Intercom attribute's value becomes a customer property's value: one table, each pair
tested (tests/domain/test_conversions.py) and documented (README, "Mapping").

Intercom's types (`data_type` of `/data_attributes`) are string, integer, float, boolean and
date (Unix seconds). A pair that is not in the table is refused when the mapping is saved. A
conversion from a string may fail on one contact's value: that contact fails with
`conversion_failed:<property>`, the run goes on.

Values are stored as JSON: text as a string, numbers as numbers, booleans as booleans, and dates
as ISO 8601 strings, UTC with a `Z` ("2026-11-30T09:00:00Z"), or a plain date ("2026-11-30")
when the source had no time of day.
"""

from __future__ import annotations

import enum
import math
import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

from app.domain.properties.catalog import PropertyType


class Conversion(enum.StrEnum):
    TEXT = "text"
    NUMBER = "number"
    BOOLEAN = "boolean"
    DATE_FROM_UNIX = "date_from_unix"
    NUMBER_FROM_TEXT = "number_from_text"
    BOOLEAN_FROM_TEXT = "boolean_from_text"
    DATE_FROM_TEXT = "date_from_text"


CONVERSIONS: dict[tuple[str, PropertyType], Conversion] = {
    ("string", PropertyType.TEXT): Conversion.TEXT,
    ("string", PropertyType.NUMBER): Conversion.NUMBER_FROM_TEXT,
    ("string", PropertyType.BOOLEAN): Conversion.BOOLEAN_FROM_TEXT,
    ("string", PropertyType.DATE): Conversion.DATE_FROM_TEXT,
    ("integer", PropertyType.NUMBER): Conversion.NUMBER,
    ("float", PropertyType.NUMBER): Conversion.NUMBER,
    ("boolean", PropertyType.BOOLEAN): Conversion.BOOLEAN,
    ("date", PropertyType.DATE): Conversion.DATE_FROM_UNIX,
}

TRUE_WORDS = frozenset({"true", "yes", "y", "1", "on"})
FALSE_WORDS = frozenset({"false", "no", "n", "0", "off"})
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_INTEGER = re.compile(r"[+-]?\d+")


class ConversionFailed(ValueError):
    pass


def conversion_for(intercom_type: str, property_type: PropertyType) -> Conversion | None:
    return CONVERSIONS.get((intercom_type, property_type))


def convert(conversion: Conversion, value: Any) -> Any:
    """The property's value, None for no value; ConversionFailed when the value does not fit."""
    if value is None:
        return None
    match conversion:
        case Conversion.TEXT:
            if isinstance(value, str):
                return value
            # A string attribute that Intercom returned as a number (a value set through the
            # API before the attribute existed keeps its JSON type).
            if isinstance(value, int | float) and not isinstance(value, bool):
                return str(value)
        case Conversion.NUMBER:
            if isinstance(value, int | float) and not isinstance(value, bool):
                return _finite(value)
        case Conversion.BOOLEAN:
            if isinstance(value, bool):
                return value
        case Conversion.DATE_FROM_UNIX:
            if isinstance(value, int | float) and not isinstance(value, bool):
                return _from_unix(value)
        case Conversion.NUMBER_FROM_TEXT:
            if isinstance(value, str):
                return _parse_number(value)
        case Conversion.BOOLEAN_FROM_TEXT:
            if isinstance(value, bool):
                return value
            if isinstance(value, str):
                return _parse_boolean(value)
        case Conversion.DATE_FROM_TEXT:
            if isinstance(value, str):
                return _parse_date(value)
    raise ConversionFailed(f"a {type(value).__name__} cannot be converted by {conversion}")


def _text(value: Any) -> Any:
    return value if type(value) is str else convert(Conversion.TEXT, value)


_EPOCH = datetime(1970, 1, 1)


def _date_from_unix(value: Any) -> Any:
    # Integer seconds of years 1..9999: the common case, without an aware datetime.
    if type(value) is int and -62135596800 <= value < 253402300800:
        return (_EPOCH + timedelta(seconds=value)).isoformat() + "Z"
    return convert(Conversion.DATE_FROM_UNIX, value)


_FAST: dict[Conversion, Any] = {Conversion.TEXT: _text, Conversion.DATE_FROM_UNIX: _date_from_unix}


def converter(conversion: Conversion) -> Any:
    """`convert` for one conversion, resolved once (a batch's mapper calls it per value)."""
    return _FAST.get(conversion) or (lambda value: convert(conversion, value))


def _finite(number: float) -> float:
    if isinstance(number, float) and not math.isfinite(number):
        raise ConversionFailed("not a finite number")
    if isinstance(number, int) and abs(number) >= 2**63:
        raise ConversionFailed("a number beyond 64 bits")
    return number


# Longer is not a number anyone typed (and int() refuses beyond 4,300 digits).
_MAX_NUMBER_TEXT = 100


def _parse_number(text: str) -> int | float:
    text = text.strip()
    if len(text) <= _MAX_NUMBER_TEXT:
        if _INTEGER.fullmatch(text):
            return _finite(int(text))
        if _NUMBER.fullmatch(text):
            return _finite(float(text))
    raise ConversionFailed("not a number")


def _parse_boolean(text: str) -> bool:
    word = text.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ConversionFailed("not a yes or no")


def _from_unix(seconds: float) -> str:
    try:
        moment = datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        raise ConversionFailed("not a time") from None
    return _utc_text(moment)


def _parse_date(text: str) -> str:
    text = text.strip()
    try:
        if len(text) == 10:
            return date.fromisoformat(text).isoformat()
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ConversionFailed("not an ISO 8601 date") from None
    # A time without an offset is taken as UTC.
    try:
        moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    except OverflowError:
        raise ConversionFailed("not a time") from None
    return _utc_text(moment)


def _utc_text(moment: datetime) -> str:
    # Not strftime: its %Y drops the leading zeros of years before 1000.
    return (
        f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}"
        f"T{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}Z"
    )
