"""Intercom's contact search language (INTERCOM.md §2.2, spec 2.14 "Search contacts").

`compile_query` validates a query the way Intercom does and returns a predicate over the
sandbox's stored contacts. Assumptions where the sources are silent: string comparisons are
case-insensitive, and a missing value matches only the negative operators (`!=`, `NIN`, `!~`).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from intercom_sandbox.data import CUSTOM_ATTRIBUTES

MAX_NESTING = 2
MAX_FILTERS_PER_GROUP = 15

STRING, INTEGER, FLOAT, DATE, BOOLEAN = "string", "integer", "float", "date", "boolean"

STANDARD_FIELDS: dict[str, str] = {
    **dict.fromkeys(
        [
            "id",
            "role",
            "name",
            "avatar",
            "email",
            "email_domain",
            "phone",
            "external_id",
            "language_override",
            "browser",
            "browser_language",
            "os",
            "location.country",
            "location.region",
            "location.city",
            "ios_app_version",
            "ios_device",
            "ios_app_device",
            "ios_os_version",
            "ios_app_name",
            "ios_sdk_version",
            "android_app_version",
            "android_device",
            "android_app_name",
            "android_sdk_version",
            # The 2.14 table spells it "andoid_sdk_version"; accept the typo too.
            "andoid_sdk_version",
            "segment_id",
            "tag_id",
        ],
        STRING,
    ),
    "owner_id": INTEGER,
    **dict.fromkeys(
        [
            "created_at",
            "signed_up_at",
            "updated_at",
            "last_seen_at",
            "last_contacted_at",
            "last_replied_at",
            "last_email_opened_at",
            "last_email_clicked_at",
            "ios_last_seen_at",
            "android_last_seen_at",
        ],
        DATE,
    ),
    **dict.fromkeys(
        ["unsubscribed_from_emails", "marked_email_as_spam", "has_hard_bounced"], BOOLEAN
    ),
}
CUSTOM_TYPES: dict[str, str] = {
    f"custom_attributes.{a['name']}": str(a["data_type"]) for a in CUSTOM_ATTRIBUTES
}

OPERATORS_BY_TYPE: dict[str, set[str]] = {
    STRING: {"=", "!=", "IN", "NIN", "~", "!~", "^", "$"},
    INTEGER: {"=", "!=", "IN", "NIN", ">", "<", ">=", "<="},
    FLOAT: {"=", "!=", "IN", "NIN", ">", "<"},
    # INTERCOM.md §2.2: dates are matched by calendar day; only =, > and < are allowed.
    DATE: {"=", ">", "<"},
    BOOLEAN: {"=", "!=", "IN", "NIN"},
}
TAG_OPERATORS = {"=", "!="}

Predicate = Callable[[dict[str, Any]], bool]


class InvalidQuery(ValueError):
    pass


@dataclass(frozen=True)
class SearchContext:
    """What a predicate needs besides the contact: the workspace's day and memberships."""

    zone: ZoneInfo
    segment_members: Callable[[str], Collection[str]]  # segment id -> contact ids


def field_type(field: str) -> str:
    if field in STANDARD_FIELDS:
        return STANDARD_FIELDS[field]
    if field in CUSTOM_TYPES:
        return CUSTOM_TYPES[field]
    raise InvalidQuery(f"{field} is not a searchable field")


def compile_query(query: Any, context: SearchContext) -> Predicate:
    return _compile(query, context, depth=0)


def _compile(node: Any, context: SearchContext, depth: int) -> Predicate:
    if not isinstance(node, dict):
        raise InvalidQuery("each filter must be an object")
    operator = node.get("operator")
    if operator in ("AND", "OR"):
        if depth >= MAX_NESTING:
            raise InvalidQuery(f"queries can be nested at most {MAX_NESTING} levels deep")
        children = node.get("value")
        if not isinstance(children, list) or not children:
            raise InvalidQuery(f"{operator} needs a non-empty array of filters")
        if len(children) > MAX_FILTERS_PER_GROUP:
            raise InvalidQuery(f"a group holds at most {MAX_FILTERS_PER_GROUP} filters")
        predicates = [_compile(child, context, depth + 1) for child in children]
        if operator == "AND":
            return lambda contact: all(p(contact) for p in predicates)
        return lambda contact: any(p(contact) for p in predicates)
    return _single(node, context)


def _has_type(kind: str, value: Any) -> bool:
    if kind == STRING:
        return isinstance(value, str)
    if kind == BOOLEAN:
        return isinstance(value, bool)
    if isinstance(value, bool):
        return False
    if kind == FLOAT:
        return isinstance(value, int | float)
    return isinstance(value, int)  # INTEGER and DATE (Unix seconds)


def _check_value_type(field: str, kind: str, value: Any) -> None:
    if not _has_type(kind, value):
        raise InvalidQuery(f"{field} expects a {kind} value, got {type(value).__name__}")


def _single(node: dict[str, Any], context: SearchContext) -> Predicate:
    field, operator, value = node.get("field"), node.get("operator"), node.get("value")
    if not isinstance(field, str) or not isinstance(operator, str):
        raise InvalidQuery("a filter needs a field and an operator")
    kind = field_type(field)
    allowed = TAG_OPERATORS if field == "tag_id" else OPERATORS_BY_TYPE[kind]
    if operator not in allowed:
        raise InvalidQuery(f"operator {operator} is not supported on {field}")
    if operator in ("IN", "NIN"):
        if not isinstance(value, list) or not value:
            raise InvalidQuery(f"{operator} needs a non-empty array value")
        for item in value:
            _check_value_type(field, kind, item)
    else:
        _check_value_type(field, kind, value)
    if field == "role" and operator in ("=", "!=") and value not in ("user", "lead"):
        raise InvalidQuery("role accepts user or lead")

    if field == "segment_id":
        members = context.segment_members(str(value))
        return _membership(operator, lambda c: c["id"] in members)
    if field == "tag_id":
        return _membership(operator, lambda c: value in c["tag_ids"])
    getter = _getter(field)
    if kind == DATE:
        assert isinstance(value, int)
        return _date_predicate(getter, operator, value, context.zone)
    if kind == STRING:
        return _string_predicate(getter, operator, value)
    return _value_predicate(getter, operator, value)


def _membership(operator: str, member: Predicate) -> Predicate:
    if operator == "=":
        return member
    return lambda contact: not member(contact)


def _getter(field: str) -> Callable[[dict[str, Any]], Any]:
    if field.startswith("custom_attributes."):
        name = field.split(".", 1)[1]
        return lambda contact: contact["custom_attributes"].get(name)
    if field.startswith("location."):
        name = field.split(".", 1)[1]
        return lambda contact: (contact.get("location") or {}).get(name)
    if field == "email_domain":
        return lambda contact: _domain(contact.get("email"))
    return lambda contact: contact.get(field)


def _domain(email: str | None) -> str | None:
    if not email or "@" not in email:
        return None
    return email.strip().rsplit("@", 1)[1].lower()


Test = Callable[[Any, Any], bool]
VALUE_TESTS: dict[str, Test] = {
    "=": lambda actual, target: bool(actual == target),
    "!=": lambda actual, target: bool(actual != target),
    "IN": lambda actual, target: actual in target,
    "NIN": lambda actual, target: actual not in target,
    ">": lambda actual, target: bool(actual > target),
    "<": lambda actual, target: bool(actual < target),
    ">=": lambda actual, target: bool(actual >= target),
    "<=": lambda actual, target: bool(actual <= target),
}
STRING_TESTS: dict[str, Test] = {
    **VALUE_TESTS,
    "~": lambda actual, target: target in actual,
    "!~": lambda actual, target: target not in actual,
    "^": lambda actual, target: bool(actual.startswith(target)),
    "$": lambda actual, target: bool(actual.endswith(target)),
}


def _fold(value: Any) -> str | None:
    """A string field's value as the index holds it: text, trimmed and without case. A number
    stored in a string attribute (set through the API before the attribute existed) is indexed
    as its text; any other non-text value is not searchable as text."""
    if isinstance(value, str):
        return value.strip().casefold()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value).casefold()
    return None


def _string_predicate(
    getter: Callable[[dict[str, Any]], Any], operator: str, value: Any
) -> Predicate:
    # The stored value is compared trimmed (emails are stored with stray spaces); the searched
    # value exactly as sent, but for case. IN/NIN lists become sets: a client may exclude a few
    # hundred ids (`id NIN [...]`) and each contact of the range is tested against them.
    target: Any = (
        frozenset(v.casefold() for v in value) if isinstance(value, list) else value.casefold()
    )

    test = STRING_TESTS[operator]

    def matches(contact: dict[str, Any]) -> bool:
        actual = _fold(getter(contact))
        if actual is None or actual == "":
            return operator in ("!=", "NIN", "!~")
        return test(actual, target)

    return matches


def _value_predicate(
    getter: Callable[[dict[str, Any]], Any], operator: str, value: Any
) -> Predicate:
    test = VALUE_TESTS[operator]

    def matches(contact: dict[str, Any]) -> bool:
        actual = getter(contact)
        if actual is None:
            return operator in ("!=", "NIN")
        return test(actual, value)

    return matches


def day_of(timestamp: int, zone: ZoneInfo) -> int:
    """The calendar day of a timestamp in the workspace's timezone, as an ordinal."""
    return datetime.fromtimestamp(timestamp, zone).date().toordinal()


def _date_predicate(
    getter: Callable[[dict[str, Any]], Any], operator: str, value: int, zone: ZoneInfo
) -> Predicate:
    target = day_of(value, zone)

    def matches(contact: dict[str, Any]) -> bool:
        actual = getter(contact)
        if actual is None:
            return False
        day = day_of(actual, zone)
        if operator == "=":
            return day == target
        if operator == ">":
            return day > target
        return day < target

    return matches
