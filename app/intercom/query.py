"""A small typed form of Intercom's contact search language (INTERCOM.md §2.2).

Building a query checks, before any call, what Intercom would refuse: nesting deeper than two
levels, more than 15 filters in a group, operators a field's type does not take (dates take only
`=`, `>` and `<`; `tag_id` only `=` and `!=`; `>=`/`<=` integers only), and values of the wrong
type. `to_json()` gives the body's `query`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TypeAlias

MAX_NESTING = 2
MAX_FILTERS_PER_GROUP = 15


class FieldType(StrEnum):
    STRING = "string"
    INTEGER = "integer"
    FLOAT = "float"
    DATE = "date"
    BOOLEAN = "boolean"


class SearchQueryError(ValueError):
    """A query Intercom would refuse; raised before it is sent."""


_STRINGS = (
    "id role name avatar email email_domain phone external_id language_override browser "
    "browser_language os location.country location.region location.city ios_app_version "
    "ios_device ios_app_device ios_os_version ios_app_name ios_sdk_version android_app_version "
    "android_device android_app_name android_sdk_version segment_id tag_id"
).split()
_DATES = (
    "created_at signed_up_at updated_at last_seen_at last_contacted_at last_replied_at "
    "last_email_opened_at last_email_clicked_at ios_last_seen_at android_last_seen_at"
).split()
_BOOLEANS = "unsubscribed_from_emails marked_email_as_spam has_hard_bounced".split()

STANDARD_FIELDS: dict[str, FieldType] = {
    **dict.fromkeys(_STRINGS, FieldType.STRING),
    **dict.fromkeys(_DATES, FieldType.DATE),
    **dict.fromkeys(_BOOLEANS, FieldType.BOOLEAN),
    "owner_id": FieldType.INTEGER,
}

OPERATORS: dict[FieldType, frozenset[str]] = {
    FieldType.STRING: frozenset({"=", "!=", "IN", "NIN", "~", "!~", "^", "$"}),
    FieldType.INTEGER: frozenset({"=", "!=", "IN", "NIN", ">", "<", ">=", "<="}),
    FieldType.FLOAT: frozenset({"=", "!=", "IN", "NIN", ">", "<"}),
    FieldType.DATE: frozenset({"=", ">", "<"}),
    FieldType.BOOLEAN: frozenset({"=", "!=", "IN", "NIN"}),
}
TAG_OPERATORS = frozenset({"=", "!="})

Scalar: TypeAlias = str | int | float | bool


@dataclass(frozen=True)
class Filter:
    field: str
    operator: str
    value: Scalar | tuple[Scalar, ...]

    def to_json(self) -> dict[str, Any]:
        value = list(self.value) if isinstance(self.value, tuple) else self.value
        return {"field": self.field, "operator": self.operator, "value": value}


@dataclass(frozen=True)
class Group:
    operator: str  # "AND" | "OR"
    children: tuple[Query, ...] = field(default_factory=tuple)

    def to_json(self) -> dict[str, Any]:
        return {"operator": self.operator, "value": [child.to_json() for child in self.children]}


Query: TypeAlias = Filter | Group


def depth(query: Query) -> int:
    """Levels of groups: a lone filter is 0, an AND of filters is 1."""
    if isinstance(query, Filter):
        return 0
    return 1 + max((depth(child) for child in query.children), default=0)


class QueryBuilder:
    """Builds validated queries; knows the types of custom attributes it is given (from
    `GET /data_attributes`), and treats unknown ones as strings."""

    def __init__(self, custom_attribute_types: Mapping[str, FieldType | str] | None = None) -> None:
        self._custom = {
            name: FieldType(kind) if kind in FieldType.__members__.values() else FieldType.STRING
            for name, kind in (custom_attribute_types or {}).items()
        }

    def field_type(self, name: str) -> FieldType:
        if name in STANDARD_FIELDS:
            return STANDARD_FIELDS[name]
        if name.startswith("custom_attributes.") and len(name) > len("custom_attributes."):
            return self._custom.get(name.split(".", 1)[1], FieldType.STRING)
        raise SearchQueryError(f"{name} is not a searchable contact field")

    def filter(self, name: str, operator: str, value: Any) -> Filter:
        kind = self.field_type(name)
        allowed = TAG_OPERATORS if name == "tag_id" else OPERATORS[kind]
        if operator not in allowed:
            raise SearchQueryError(
                f"operator {operator} is not allowed on {name} ({kind}); use one of "
                f"{', '.join(sorted(allowed))}"
            )
        if operator in ("IN", "NIN"):
            if isinstance(value, str) or not isinstance(value, Sequence) or not value:
                raise SearchQueryError(f"{operator} on {name} needs a non-empty list of values")
            for item in value:
                _check_type(name, kind, item)
            return Filter(name, operator, tuple(value))
        _check_type(name, kind, value)
        if name == "role" and value not in ("user", "lead"):
            raise SearchQueryError("role is user or lead")
        return Filter(name, operator, value)

    def all_of(self, *children: Query) -> Query:
        return _group("AND", children)

    def any_of(self, *children: Query) -> Query:
        return _group("OR", children)

    def parse(self, raw: Mapping[str, Any]) -> Query:
        """Validates a query given as Intercom's JSON."""
        operator = raw.get("operator")
        if operator in ("AND", "OR"):
            children = raw.get("value")
            if not isinstance(children, list):
                raise SearchQueryError(f"{operator} needs a list of filters")
            return _group(str(operator), tuple(self.parse(child) for child in children))
        return self.filter(str(raw.get("field")), str(operator), raw.get("value"))


def _group(operator: str, children: Sequence[Query]) -> Query:
    if not children:
        raise SearchQueryError(f"{operator} needs at least one filter")
    if len(children) > MAX_FILTERS_PER_GROUP:
        raise SearchQueryError(
            f"{operator} holds {len(children)} filters; Intercom allows {MAX_FILTERS_PER_GROUP}"
        )
    group = Group(operator, tuple(children))
    if depth(group) > MAX_NESTING:
        raise SearchQueryError(f"queries nest at most {MAX_NESTING} levels deep")
    return group


def _check_type(name: str, kind: FieldType, value: Any) -> None:
    if kind == FieldType.STRING:
        ok = isinstance(value, str)
    elif kind == FieldType.BOOLEAN:
        ok = isinstance(value, bool)
    elif kind == FieldType.FLOAT:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
    else:  # integers, and dates as Unix seconds
        ok = isinstance(value, int) and not isinstance(value, bool)
    if not ok:
        raise SearchQueryError(f"{name} takes a {kind} value, not {value!r}")


def and_with(base: Query, extra: Sequence[Filter]) -> Query | None:
    """`base AND extra...` within Intercom's limits, or None when it cannot be expressed
    (the caller then reads `base` without the extra filters).

    The extra filters join an AND at the top when there is room (15 a group), else they ride
    in an AND of their own one level down, which two levels of nesting still allow unless
    `base` already uses both."""
    if not extra:
        return base
    own = base.children if isinstance(base, Group) and base.operator == "AND" else (base,)
    for children in ((*own, *extra), (*own, Group("AND", tuple(extra)))):
        if len(children) <= MAX_FILTERS_PER_GROUP:
            group = Group("AND", children)
            if depth(group) <= MAX_NESTING:
                return group
    return None
