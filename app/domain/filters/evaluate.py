"""The meaning of a filter set, defined once: a pure function of a contact's mapped values.

- **Text** compares without regard to case or surrounding spaces, on both sides ("  USA " is
  "usa"). An empty or blank text counts as not set.
- **Not set** (no value, null, or blank text) matches `is_not_set` and the negations (`is_not`,
  `does_not_contain`, `is_none_of`, `!=`): a customer with no country "is not USA". Every other
  operator needs a value.
- **Numbers** compare as numbers (2 = 2.0).
- **Dates** compare by day, in the workspace's timezone: a timestamp stored in UTC falls on the
  day it is in that timezone; a plain date is that day. `between` includes both ends. `more
  than N days ago` is a day before today minus N; `less than N days ago` a day after it (today
  is the workspace's today).
- **Booleans**: `is_true` and `is_false` need the value; not set is neither.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from app.domain.filters.language import Combination, Operator

NEGATIONS = frozenset({Operator.IS_NOT, Operator.NOT_CONTAINS, Operator.NONE_OF, Operator.NE})


@dataclass(frozen=True)
class CompiledCondition:
    """A condition whose value is checked and normalised (validate.py)."""

    property: str
    operator: Operator
    # text: casefolded and stripped; list of those; int or float; date; (date, date); int days;
    # None.
    value: Any = None


@dataclass(frozen=True)
class CompiledFilterSet:
    combine: Combination
    groups: tuple[tuple[CompiledCondition, ...], ...]


@dataclass(frozen=True)
class Clock:
    """Where dates fall: the workspace's timezone, and its today."""

    timezone: ZoneInfo
    today: date

    @classmethod
    def at(cls, moment: datetime, timezone: str | None) -> Clock:
        zone = _zone(timezone)
        return cls(zone, moment.astimezone(zone).date())


def matches(filters: CompiledFilterSet, values: Mapping[str, Any], clock: Clock) -> bool:
    if not filters.groups:
        return True
    if filters.combine == Combination.ANY:
        return any(
            all(_holds(condition, values, clock) for condition in group) for group in filters.groups
        )
    return all(
        any(_holds(condition, values, clock) for condition in group) for group in filters.groups
    )


def normalise_text(value: str) -> str:
    return value.strip().casefold()


def _holds(condition: CompiledCondition, values: Mapping[str, Any], clock: Clock) -> bool:
    raw = values.get(condition.property)
    if isinstance(raw, str) and not raw.strip():
        raw = None
    operator = condition.operator
    if operator == Operator.IS_SET:
        return raw is not None
    if operator == Operator.IS_NOT_SET:
        return raw is None
    if raw is None:
        return operator in NEGATIONS
    wanted = condition.value
    match operator:
        case Operator.IS_TRUE:
            return raw is True
        case Operator.IS_FALSE:
            return raw is False
        case Operator.IS | Operator.IS_NOT:
            same = _text(raw) == wanted
            return same if operator == Operator.IS else not same
        case Operator.CONTAINS | Operator.NOT_CONTAINS:
            found = wanted in _text(raw)
            return found if operator == Operator.CONTAINS else not found
        case Operator.STARTS_WITH:
            return _text(raw).startswith(wanted)
        case Operator.ENDS_WITH:
            return _text(raw).endswith(wanted)
        case Operator.ANY_OF | Operator.NONE_OF:
            found = _text(raw) in wanted
            return found if operator == Operator.ANY_OF else not found
    number = _number(raw)
    if operator in (Operator.EQ, Operator.NE, Operator.LT, Operator.LE, Operator.GT, Operator.GE):
        if number is None:
            return operator == Operator.NE
        return _compare(operator, number, wanted)
    day = _day(raw, clock.timezone)
    if day is None:
        return False
    match operator:
        case Operator.BEFORE:
            return day < _as_date(wanted)
        case Operator.AFTER:
            return day > _as_date(wanted)
        case Operator.ON:
            return day == _as_date(wanted)
        case Operator.BETWEEN:
            start, end = wanted
            return _as_date(start) <= day <= _as_date(end)
        case Operator.MORE_THAN_DAYS_AGO:
            return day < clock.today - timedelta(days=wanted)
        case Operator.LESS_THAN_DAYS_AGO:
            return day > clock.today - timedelta(days=wanted)
    raise AssertionError(f"unhandled operator {operator}")


def _as_date(value: Any) -> date:
    assert isinstance(value, date)
    return value


def _text(value: Any) -> str:
    # A property's value has the property's type; text from another type compares as written.
    return normalise_text(value if isinstance(value, str) else str(value))


def _number(value: Any) -> int | float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return value


def _compare(operator: Operator, left: float, right: float) -> bool:
    match operator:
        case Operator.EQ:
            return left == right
        case Operator.NE:
            return left != right
        case Operator.LT:
            return left < right
        case Operator.LE:
            return left <= right
        case Operator.GT:
            return left > right
        case _:
            return left >= right


def _day(value: Any, zone: ZoneInfo) -> date | None:
    """The day a stored date falls on in the workspace's timezone (conversions.py's forms: a
    plain ISO date, or an ISO timestamp in UTC)."""
    if not isinstance(value, str):
        return None
    try:
        if len(value) == 10:
            return date.fromisoformat(value)
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(zone).date()
    except OverflowError:
        return None


def _zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ValueError, KeyError):  # an unknown zone name from Intercom: UTC, not a crash
        return ZoneInfo("UTC")
