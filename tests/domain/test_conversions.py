"""Every pair of the conversion table, what it accepts and what fails the contact."""

from __future__ import annotations

from typing import Any

import pytest

from app.domain.mapping.conversions import (
    CONVERSIONS,
    Conversion,
    ConversionFailed,
    conversion_for,
    convert,
    converter,
)
from app.domain.properties.catalog import PropertyType

CASES: dict[Conversion, tuple[list[tuple[Any, Any]], list[Any]]] = {
    # conversion: ([(value, converted)], [values that fail])
    Conversion.TEXT: ([("Pro", "Pro"), ("", ""), (42, "42"), (1.5, "1.5")], [True, [], {}]),
    Conversion.NUMBER: ([(3, 3), (2.5, 2.5), (-1, -1)], [True, "3", float("nan"), 2**64]),
    Conversion.BOOLEAN: ([(True, True), (False, False)], [1, "true", "yes"]),
    Conversion.DATE_FROM_UNIX: (
        [(0, "1970-01-01T00:00:00Z"), (1764493200, "2025-11-30T09:00:00Z")],
        ["1764493200", True, 10**20],
    ),
    Conversion.NUMBER_FROM_TEXT: (
        [("42", 42), (" -3 ", -3), ("2.50", 2.5), ("1e3", 1000.0), (".5", 0.5)],
        ["", "abc", "1,5", "NaN", "inf", "0x10", 7, "1" * 5000],
    ),
    Conversion.BOOLEAN_FROM_TEXT: (
        [
            ("true", True),
            ("Yes", True),
            (" 1 ", True),
            ("off", False),
            ("N", False),
            (False, False),
        ],
        ["", "maybe", "2", 1],
    ),
    Conversion.DATE_FROM_TEXT: (
        [
            ("2026-03-01", "2026-03-01"),
            ("2026-03-01T10:00:00+02:00", "2026-03-01T08:00:00Z"),
            ("2026-03-01T10:00:00", "2026-03-01T10:00:00Z"),
            ("2026-03-01 10:00:00Z", "2026-03-01T10:00:00Z"),
            ("0099-03-01T10:00:00", "0099-03-01T10:00:00Z"),
        ],
        ["", "01/03/2026", "2026-13-01", "yesterday", 1764493200],
    ),
}


def test_every_conversion_is_covered_here() -> None:
    assert set(CASES) == set(Conversion)


@pytest.mark.parametrize("conversion", list(Conversion))
def test_a_conversion_converts_what_fits_and_fails_the_rest(conversion: Conversion) -> None:
    converted, failing = CASES[conversion]
    for value, expected in converted:
        assert convert(conversion, value) == expected, value
    for value in failing:
        with pytest.raises(ConversionFailed):
            convert(conversion, value)


@pytest.mark.parametrize("conversion", list(Conversion))
def test_no_value_is_no_value(conversion: Conversion) -> None:
    assert convert(conversion, None) is None


def test_the_table_has_exactly_the_documented_pairs() -> None:
    assert set(CONVERSIONS) == {
        ("string", PropertyType.TEXT),
        ("string", PropertyType.NUMBER),
        ("string", PropertyType.BOOLEAN),
        ("string", PropertyType.DATE),
        ("integer", PropertyType.NUMBER),
        ("float", PropertyType.NUMBER),
        ("boolean", PropertyType.BOOLEAN),
        ("date", PropertyType.DATE),
    }


@pytest.mark.parametrize(
    ("intercom_type", "property_type"),
    [
        ("integer", PropertyType.TEXT),
        ("float", PropertyType.DATE),
        ("boolean", PropertyType.TEXT),
        ("date", PropertyType.NUMBER),
        ("datetime", PropertyType.DATE),
        ("options", PropertyType.TEXT),
    ],
)
def test_other_pairs_have_no_conversion(intercom_type: str, property_type: PropertyType) -> None:
    assert conversion_for(intercom_type, property_type) is None


EDGE_VALUES: list[Any] = [
    0,
    1,
    -1,
    1_700_000_000,
    1_700_000_000.75,
    -62135596800,
    -62135596801,
    253402300799,
    253402300800,
    2**63,
    float("nan"),
    float("inf"),
    True,
    False,
    "",
    " 42 ",
    "2026-11-30",
    "é",
    [],
    {},
]


@pytest.mark.parametrize("conversion", list(Conversion))
def test_a_resolved_converter_answers_exactly_what_convert_does(conversion: Conversion) -> None:
    fast = converter(conversion)
    for value in EDGE_VALUES:
        try:
            expected: Any = ("value", convert(conversion, value))
        except ConversionFailed:
            expected = ("failed",)
        try:
            got: Any = ("value", fast(value))
        except ConversionFailed:
            got = ("failed",)
        assert got == expected, (conversion, value)
