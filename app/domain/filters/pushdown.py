"""The part of a run's filters that Intercom's search can evaluate with the same meaning, as
filters ANDed to the list's own query, so that a sync fetches fewer contacts.

The pushed part only ever selects a superset of what the filters select: the run still
evaluates the whole filter set on every contact it fetches (evaluate.py), which makes it exact.
Pushed, a condition must mean the same in the search (INTERCOM.md §2.2; the sandbox's
search.py): text compared without case, stored values trimmed, a missing value matching only
the negations; dates by day in the workspace's timezone; integers and booleans as they are.

Only conditions that AND with the list's query are pushed (the only group of an `any` set, or the
one-condition groups of an `all` set): one level of AND, which leaves the reader room for its own
`created_at` ranges (paging.py), so a large list is still read in concurrent partitions.
Everything else (is set, is not set, floats, text converted from other types, several groups
OR-ed) runs locally only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import structlog

from app.domain.filters.evaluate import Clock
from app.domain.filters.language import Combination, Condition, Operator
from app.domain.mapping.config import MappedAttribute, RunConfig
from app.domain.mapping.conversions import Conversion
from app.intercom.query import (
    MAX_FILTERS_PER_GROUP,
    STANDARD_FIELDS,
    QueryBuilder,
    SearchQueryError,
)

log = structlog.get_logger(__name__)
_CUSTOM = "custom_attributes."

_TEXT = {
    Operator.IS: "=",
    Operator.IS_NOT: "!=",
    Operator.CONTAINS: "~",
    Operator.NOT_CONTAINS: "!~",
    Operator.STARTS_WITH: "^",
    Operator.ENDS_WITH: "$",
    Operator.ANY_OF: "IN",
    Operator.NONE_OF: "NIN",
}
_NUMBER = {
    Operator.EQ: "=",
    Operator.NE: "!=",
    Operator.LT: "<",
    Operator.LE: "<=",
    Operator.GT: ">",
    Operator.GE: ">=",
}
# Room left in the top AND: the list's own query, and the reader's range filters (two).
MAX_PUSHED = MAX_FILTERS_PER_GROUP - 3


def search_query(
    base: Mapping[str, Any], config: RunConfig
) -> tuple[dict[str, Any], dict[str, str]]:
    """The list's query, narrowed by what of its filters Intercom can evaluate; and the types
    of the custom attributes it names (the reader checks values against them)."""
    custom_types = {
        entry.attribute.removeprefix(_CUSTOM): entry.attribute_type
        for entry in config.mapping
        if entry.attribute.startswith(_CUSTOM) and entry.attribute_type
    }
    pushed = pushed_filters(config)
    if not pushed:
        return dict(base), custom_types
    narrowed = {"operator": "AND", "value": [dict(base), *pushed]}
    try:
        QueryBuilder(custom_types).parse(narrowed)
    except SearchQueryError as exc:  # not expected: every pushed filter is typed above
        log.warning("filters.not_pushed", error=str(exc))
        return dict(base), custom_types
    return narrowed, custom_types


@dataclass(frozen=True)
class Placement:
    """Where one condition runs, and why."""

    group: int
    condition: int
    runs_in: str  # "intercom" (and locally) | "local"
    reason: str
    filters: tuple[dict[str, Any], ...] = ()


# Why a condition runs locally only.
OR_OF_GROUPS = "or_of_groups"  # any of several groups: two levels, no room for partitions
GROUP_OF_SEVERAL = "any_of_several"  # a group of an `all` set with several conditions
NOT_SEARCHABLE = "attribute_not_searchable"
NO_SEARCH_EQUIVALENT = "no_search_equivalent"  # operator, type or conversion Intercom differs on
TOO_MANY = "too_many_filters"
PUSHED = "intercom_search"


def placements(config: RunConfig) -> list[Placement]:
    filters = config.filters
    if filters is None:
        return []
    by_property = {entry.property: entry for entry in config.mapping}
    clock = Clock.at(config.started_at or datetime.now(UTC), config.timezone)
    result: list[Placement] = []
    pushed_count = 0
    for g, group in enumerate(filters.groups):
        for c, condition in enumerate(group):
            if filters.combine == Combination.ANY and len(filters.groups) > 1:
                reason = OR_OF_GROUPS
            elif filters.combine == Combination.ALL and len(group) > 1:
                reason = GROUP_OF_SEVERAL
            else:
                mapped = by_property.get(condition.property)
                if mapped is None or not _searchable(mapped.attribute):
                    reason = NOT_SEARCHABLE
                else:
                    found = _search_filters(condition, mapped, clock)
                    if not found:
                        reason = NO_SEARCH_EQUIVALENT
                    elif pushed_count + len(found) > MAX_PUSHED:
                        reason = TOO_MANY
                    else:
                        pushed_count += len(found)
                        result.append(Placement(g, c, "intercom", PUSHED, tuple(found)))
                        continue
            result.append(Placement(g, c, "local", reason))
    return result


def pushed_filters(config: RunConfig) -> list[dict[str, Any]]:
    return [item for placement in placements(config) for item in placement.filters]


def _searchable(attribute: str) -> bool:
    return attribute in STANDARD_FIELDS or (
        attribute.startswith("custom_attributes.") and len(attribute) > len("custom_attributes.")
    )


def _search_filters(
    condition: Condition, mapped: MappedAttribute, clock: Clock
) -> list[dict[str, Any]]:
    field, operator, value = mapped.attribute, condition.operator, condition.value
    kind = mapped.attribute_type
    if mapped.conversion == Conversion.TEXT and kind == "string" and operator in _TEXT:
        if isinstance(value, list):
            return [_filter(field, _TEXT[operator], [str(item).strip() for item in value])]
        return [_filter(field, _TEXT[operator], str(value).strip())]
    if mapped.conversion == Conversion.NUMBER and kind == "integer" and operator in _NUMBER:
        if isinstance(value, int | float) and float(value).is_integer():
            return [_filter(field, _NUMBER[operator], int(value))]
        return []
    if mapped.conversion == Conversion.BOOLEAN and kind == "boolean":
        if operator in (Operator.IS_TRUE, Operator.IS_FALSE):
            return [_filter(field, "=", operator == Operator.IS_TRUE)]
        return []
    if mapped.conversion == Conversion.DATE_FROM_UNIX and kind == "date":
        return _date_filters(field, operator, value, clock)
    return []


def _date_filters(field: str, operator: Operator, value: Any, clock: Clock) -> list[dict[str, Any]]:
    """Intercom truncates dates to the workspace's day: `=` is the day, `>` from the next day,
    `<` before the day. A timestamp at noon names its day unambiguously."""

    def noon(day: date) -> int:
        return int(datetime.combine(day, time(12), tzinfo=clock.timezone).timestamp())

    try:
        match operator:
            case Operator.ON:
                return [_filter(field, "=", noon(date.fromisoformat(value)))]
            case Operator.BEFORE:
                return [_filter(field, "<", noon(date.fromisoformat(value)))]
            case Operator.AFTER:
                return [_filter(field, ">", noon(date.fromisoformat(value)))]
            case Operator.BETWEEN:
                start, end = (date.fromisoformat(item) for item in value)
                return [
                    _filter(field, ">", noon(start - timedelta(days=1))),
                    _filter(field, "<", noon(end + timedelta(days=1))),
                ]
            case Operator.MORE_THAN_DAYS_AGO:
                return [_filter(field, "<", noon(clock.today - timedelta(days=value)))]
            case Operator.LESS_THAN_DAYS_AGO:
                return [_filter(field, ">", noon(clock.today - timedelta(days=value)))]
    except (TypeError, ValueError, OverflowError):
        return []  # validated on save; an odd value simply stays local
    return []


def _filter(field: str, operator: str, value: Any) -> dict[str, Any]:
    return {"field": field, "operator": operator, "value": value}
