"""The part of a run's filters that Intercom's search can evaluate with the same meaning, as
filters ANDed to the list's own query, so that a sync fetches fewer contacts.

The pushed part only ever selects a superset of what the filters select: the run still
evaluates the whole filter set on every contact it fetches (evaluate.py), which makes it exact.
Pushed, a condition must mean the same in the search (INTERCOM.md §2.2; the sandbox's
search.py): text compared without case, stored values trimmed, a missing value matching only
the negations; dates by day in the workspace's timezone; integers and booleans as they are.

What is pushed is ANDed with the list's query at the top: single conditions, and ORs of
conditions one level down (placements()), which is as deep as Intercom's two levels go and still
leaves the reader room for its own `created_at` ranges in the top AND (paging.py), so a large
list is still read in concurrent partitions. A condition with no equivalent (is set, is not set,
floats, text converted from other types) runs locally only, and so does an OR with such a
branch: pushed without it, the OR would select fewer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

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
    # Pushed as a branch of this OR (its index among the pushed ORs); None: ANDed at the top.
    or_term: int | None = None
    # False when only part of it is pushed (a date range in an OR gives its lower bound).
    complete: bool = True


# Why a condition runs where it runs.
PUSHED = "intercom_search"
# A date range as a branch of an OR: its lower bound is pushed, the rest runs here.
PARTLY_PUSHED = "intercom_search_partly"
NOT_SEARCHABLE = "attribute_not_searchable"
NO_SEARCH_EQUIVALENT = "no_search_equivalent"  # operator, type or conversion Intercom differs on
# A branch of an OR whose other branches Intercom cannot all evaluate: pushed alone, it would
# select fewer contacts than the OR.
OR_NOT_SEARCHABLE = "or_with_unsearchable_branch"
# In an OR of groups, Intercom's two levels hold one condition of each group (the list's query
# and the reader's ranges take the top AND): the group's others run here.
ONE_PER_GROUP = "one_condition_per_group"
TOO_MANY = "too_many_filters"

# The condition of a group that goes into an OR of groups: the likeliest to select few.
_SELECTIVITY = {"=": 0, "IN": 0, "^": 1, "$": 1, "~": 2, "<": 3, ">": 3, "<=": 3, ">=": 3}


def placements(config: RunConfig) -> list[Placement]:
    """Each condition's place. The pushed part is an AND, at the top of the list's query, of
    conditions (an `any` set of one group; the one-condition groups of an `all` set) and of
    ORs (the several-condition groups of an `all` set; an `any` set of several groups, one
    condition of each): two levels, the most Intercom allows, with the reader's `created_at`
    ranges still fitting in the top AND."""
    filters = config.filters
    if filters is None or not filters.groups:
        return []
    by_property = {entry.property: entry for entry in config.mapping}
    clock = Clock.at(config.started_at or datetime.now(UTC), config.timezone)
    found: dict[tuple[int, int], list[dict[str, Any]] | str] = {}
    for g, group in enumerate(filters.groups):
        for c, condition in enumerate(group):
            mapped = by_property.get(condition.property)
            if mapped is None or mapped.archived or not _searchable(mapped.attribute):
                found[g, c] = NOT_SEARCHABLE
            else:
                found[g, c] = (
                    _search_filters(condition, mapped, clock, _zone_known(config.timezone))
                    or NO_SEARCH_EQUIVALENT
                )
    if filters.combine == Combination.ANY and len(filters.groups) > 1:
        return _or_of_groups(filters.groups, found)
    if filters.combine == Combination.ANY:
        terms = [[(0, c)] for c in range(len(filters.groups[0]))]
    else:
        terms = [[(g, c) for c in range(len(group))] for g, group in enumerate(filters.groups)]
    return _and_of_terms(terms, found)


def _and_of_terms(
    terms: list[list[tuple[int, int]]], found: Mapping[tuple[int, int], list[dict[str, Any]] | str]
) -> list[Placement]:
    """An AND of terms, each an OR of conditions; a term pushed whole or not at all (dropping
    a term of an AND only widens it)."""
    result: list[Placement] = []
    room = MAX_PUSHED
    or_terms = 0
    for term in terms:
        searchable = [key for key in term if not isinstance(found[key], str)]
        if len(term) == 1 and searchable:
            pushed = found[term[0]]
            assert not isinstance(pushed, str)
            if len(pushed) <= room:
                room -= len(pushed)
                result.append(Placement(*term[0], "intercom", PUSHED, tuple(pushed)))
            else:
                result.append(Placement(*term[0], "local", TOO_MANY))
            continue
        whole = len(searchable) == len(term)
        fits = whole and room >= 1 and len(term) <= MAX_FILTERS_PER_GROUP
        if fits:
            room -= 1
        for key in term:
            pushed = found[key]
            if isinstance(pushed, str):
                result.append(Placement(*key, "local", pushed))
            elif fits:
                # One filter a branch (a date range gives its lower bound: wider, still two
                # levels).
                result.append(
                    Placement(
                        *key, "intercom", _pushed(pushed), (pushed[0],), or_terms, len(pushed) == 1
                    )
                )
            else:
                result.append(Placement(*key, "local", TOO_MANY if whole else OR_NOT_SEARCHABLE))
        or_terms += fits
    return result


def _or_of_groups(
    groups: Sequence[Sequence[Condition]],
    found: Mapping[tuple[int, int], list[dict[str, Any]] | str],
) -> list[Placement]:
    """Any of several groups: an OR of one condition of each group, which selects a superset
    of each group. A group with no condition Intercom can evaluate leaves the OR unbounded:
    nothing is pushed."""
    chosen: dict[int, int] = {}
    for g, group in enumerate(groups):
        ranked = sorted(
            (_SELECTIVITY.get(pushed[0]["operator"], 9), c)
            for c in range(len(group))
            if not isinstance(pushed := found[g, c], str)
        )
        if ranked:
            chosen[g] = ranked[0][1]
    whole = len(chosen) == len(groups)
    fits = whole and len(groups) <= MAX_FILTERS_PER_GROUP
    result: list[Placement] = []
    for g, group in enumerate(groups):
        for c in range(len(group)):
            pushed = found[g, c]
            if isinstance(pushed, str):
                result.append(Placement(g, c, "local", pushed))
            elif not fits:
                result.append(Placement(g, c, "local", TOO_MANY if whole else OR_NOT_SEARCHABLE))
            elif chosen[g] == c:
                result.append(
                    Placement(g, c, "intercom", _pushed(pushed), (pushed[0],), 0, len(pushed) == 1)
                )
            else:
                result.append(Placement(g, c, "local", ONE_PER_GROUP))
    return result


def _pushed(filters: list[dict[str, Any]]) -> str:
    return PUSHED if len(filters) == 1 else PARTLY_PUSHED


def fully_pushed(base: Mapping[str, Any], config: RunConfig) -> bool:
    """Whether Intercom's search selects exactly what the filters select (nothing local)."""
    found = placements(config)
    if not found:
        return True
    if not all(item.runs_in == "intercom" and item.complete for item in found):
        return False
    return search_query(base, config)[0] != dict(base)


def pushed_filters(config: RunConfig) -> list[dict[str, Any]]:
    """The filters to AND with the list's query: conditions, and ORs of conditions."""
    result: list[dict[str, Any]] = []
    branches: dict[int, list[dict[str, Any]]] = {}
    for placement in placements(config):
        if placement.or_term is None:
            result.extend(placement.filters)
        elif placement.filters:
            if placement.or_term not in branches:
                branches[placement.or_term] = []
                result.append({"operator": "OR", "value": branches[placement.or_term]})
            branches[placement.or_term].extend(placement.filters)
    return result


def _searchable(attribute: str) -> bool:
    return attribute in STANDARD_FIELDS or (
        attribute.startswith("custom_attributes.") and len(attribute) > len("custom_attributes.")
    )


def _zone_known(name: str | None) -> bool:
    """Whether the workspace's timezone is known (and known here): Intercom takes a date's day
    in it, and the local evaluation falls back to UTC when it is not."""
    if name is None:
        return False
    try:
        ZoneInfo(name)
    except (ValueError, KeyError):
        return False
    return True


def _search_filters(
    condition: Condition, mapped: MappedAttribute, clock: Clock, zone_known: bool
) -> list[dict[str, Any]]:
    field, operator, value = mapped.attribute, condition.operator, condition.value
    kind = mapped.attribute_type
    if mapped.conversion == Conversion.TEXT and kind == "string" and operator in _TEXT:
        if isinstance(value, list):
            return [_filter(field, _TEXT[operator], [str(item).strip() for item in value])]
        return [_filter(field, _TEXT[operator], str(value).strip())]
    if mapped.conversion == Conversion.NUMBER and kind == "integer" and operator in _NUMBER:
        # An integer as Intercom stores them (64 bits): a larger one may be refused.
        if isinstance(value, int | float) and float(value).is_integer() and abs(value) < 2**63:
            return [_filter(field, _NUMBER[operator], int(value))]
        return []
    if mapped.conversion == Conversion.BOOLEAN and kind == "boolean":
        if operator in (Operator.IS_TRUE, Operator.IS_FALSE):
            return [_filter(field, "=", operator == Operator.IS_TRUE)]
        return []
    if mapped.conversion == Conversion.DATE_FROM_UNIX and kind == "date" and zone_known:
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
