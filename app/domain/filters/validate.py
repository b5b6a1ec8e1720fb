"""A filter set checked against the list's mapped properties, and compiled for the evaluator:
every condition at fault is named (`body.groups.0.1.value`), and nothing is saved on any."""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date
from typing import Any

from app.domain.filters.evaluate import CompiledCondition, CompiledFilterSet, normalise_text
from app.domain.filters.language import (
    DATE_RANGE_VALUE,
    DATE_VALUE,
    DAYS_VALUE,
    MAX_VALUES,
    NO_VALUE,
    NUMBER_VALUE,
    OPERATORS_BY_TYPE,
    TEXT_LIST_VALUE,
    TEXT_VALUE,
    Condition,
    FilterSet,
    Operator,
)
from app.domain.properties.catalog import PropertyType
from app.domain.types import has_control_characters
from app.errors import InvalidFields

MAX_TEXT = 500
MAX_DAYS = 36_500


class FiltersInvalid(InvalidFields):
    title = "Invalid filters"


class _Refused(ValueError):
    pass


def compile_filters(
    filters: FilterSet, property_types: Mapping[str, PropertyType], *, field: str = "body"
) -> CompiledFilterSet:
    """`property_types`: the properties the list maps, by key. Raises FiltersInvalid."""
    errors: list[dict[str, str]] = []
    groups = []
    for g, group in enumerate(filters.groups):
        compiled = []
        for c, condition in enumerate(group):
            where = f"{field}.groups.{g}.{c}"
            try:
                compiled.append(_compile(condition, property_types, where))
            except _Refused as refused:
                where_part, message = refused.args
                errors.append({"field": where_part, "message": message})
        groups.append(tuple(compiled))
    if errors:
        raise FiltersInvalid(errors)
    return CompiledFilterSet(filters.combine, tuple(groups))


def _compile(
    condition: Condition, property_types: Mapping[str, PropertyType], where: str
) -> CompiledCondition:
    kind = property_types.get(condition.property)
    if kind is None:
        raise _Refused(
            f"{where}.property",
            f"{condition.property!r} is not a property this list maps (filters apply to "
            "mapped properties)",
        )
    if condition.operator not in OPERATORS_BY_TYPE[kind]:
        allowed = ", ".join(sorted(OPERATORS_BY_TYPE[kind]))
        raise _Refused(
            f"{where}.operator",
            f"{condition.operator!r} does not apply to {kind} property "
            f"{condition.property!r}; use one of: {allowed}",
        )
    value = _value(condition.operator, condition.value, f"{where}.value")
    return CompiledCondition(condition.property, condition.operator, value)


def _value(operator: Operator, value: Any, where: str) -> Any:
    if operator in NO_VALUE:
        if value is not None:
            raise _Refused(where, f"{operator} takes no value")
        return None
    if operator in TEXT_VALUE:
        return normalise_text(_text(value, where))
    if operator in TEXT_LIST_VALUE:
        if not isinstance(value, list) or not 1 <= len(value) <= MAX_VALUES:
            raise _Refused(where, f"must be a list of 1 to {MAX_VALUES} texts")
        return frozenset(normalise_text(_text(item, where)) for item in value)
    if operator in NUMBER_VALUE:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _Refused(where, "must be a number")
        if not math.isfinite(value) or abs(value) > 1e300:
            raise _Refused(where, "must be a finite number")
        # Kept as given: Python compares an int with an int or a float exactly, as Intercom's
        # search compares integers (a float would round integers beyond 2**53).
        return value
    if operator in DATE_VALUE:
        return _date(value, where)
    if operator in DATE_RANGE_VALUE:
        if not isinstance(value, list) or len(value) != 2:
            raise _Refused(where, 'must be two dates, ["2026-01-01", "2026-01-31"]')
        start, end = _date(value[0], where), _date(value[1], where)
        if start > end:
            raise _Refused(where, "must start on or before its end")
        return (start, end)
    if operator in DAYS_VALUE:
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_DAYS:
            raise _Refused(where, f"must be a whole number of days, 0 to {MAX_DAYS}")
        return value
    raise AssertionError(f"no value rule for {operator}")


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _Refused(where, "must be a non-empty text")
    if len(value) > MAX_TEXT or has_control_characters(value):
        raise _Refused(where, f"must be at most {MAX_TEXT} characters, without control characters")
    return value


def _date(value: Any, where: str) -> date:
    try:
        if isinstance(value, str) and len(value) == 10:
            return date.fromisoformat(value)
    except ValueError:
        pass
    raise _Refused(where, 'must be a date, "2026-03-01"')
