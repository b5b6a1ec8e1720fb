"""The filter language's meaning, operator by operator, and its validation."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from app.domain.filters.evaluate import Clock, matches
from app.domain.filters.language import FilterSet
from app.domain.filters.validate import FiltersInvalid, compile_filters
from app.domain.properties.catalog import PropertyType

TYPES = {
    "plan": PropertyType.TEXT,
    "country": PropertyType.TEXT,
    "seats": PropertyType.NUMBER,
    "beta": PropertyType.BOOLEAN,
    "renewal": PropertyType.DATE,
}
# Noon on 2026-03-10 in Los Angeles.
CLOCK = Clock.at(datetime(2026, 3, 10, 20, 0, tzinfo=UTC), "America/Los_Angeles")


def holds(condition: dict[str, Any], values: dict[str, Any], clock: Clock = CLOCK) -> bool:
    filters = compile_filters(FilterSet.model_validate({"groups": [[condition]]}), TYPES)
    return matches(filters, values, clock)


@pytest.mark.parametrize(
    ("operator", "value", "stored", "expected"),
    [
        ("is", "free trial", "  Free Trial ", True),
        ("is", "Free", "Free Trial", False),
        ("is_not", "USA", None, True),
        ("is_not", "USA", "usa", False),
        ("contains", "TRIAL", "Free Trial", True),
        ("does_not_contain", "trial", None, True),
        ("does_not_contain", "trial", "Pro", True),
        ("starts_with", "free", "Free Trial", True),
        ("ends_with", "TRIAL ", "Free Trial", True),
        ("is_any_of", ["pro", " Enterprise"], "enterprise", True),
        ("is_any_of", ["pro"], None, False),
        ("is_none_of", ["pro"], None, True),
        ("is_none_of", ["pro"], "PRO", False),
        ("is_set", None, "   ", False),
        ("is_not_set", None, "   ", True),
        ("is_set", None, "x", True),
    ],
)
def test_text_ignores_case_and_surrounding_spaces_and_negations_match_no_value(
    operator: str, value: Any, stored: Any, expected: bool
) -> None:
    condition = {"property": "plan", "operator": operator, "value": value}
    assert holds(condition, {"plan": stored} if stored is not None else {}) is expected


@pytest.mark.parametrize(
    ("operator", "value", "stored", "expected"),
    [
        ("=", 2, 2.0, True),
        ("!=", 2, None, True),
        ("!=", 2, 3, True),
        ("<", 10, 9.5, True),
        ("<=", 10, 10, True),
        (">", 10, 10, False),
        (">=", 10, 10, True),
        (">", 0, None, False),
        ("is_not_set", None, None, True),
    ],
)
def test_numbers_compare_as_numbers(operator: str, value: Any, stored: Any, expected: bool) -> None:
    condition = {"property": "seats", "operator": operator, "value": value}
    assert holds(condition, {"seats": stored}) is expected


@pytest.mark.parametrize(
    ("operator", "stored", "expected"),
    [
        ("is_true", True, True),
        ("is_true", False, False),
        ("is_false", False, True),
        ("is_false", None, False),
        ("is_set", False, True),
    ],
)
def test_booleans(operator: str, stored: Any, expected: bool) -> None:
    assert holds({"property": "beta", "operator": operator}, {"beta": stored}) is expected


@pytest.mark.parametrize(
    ("operator", "value", "stored", "expected"),
    [
        # 2026-03-10T02:00Z is still the 9th in Los Angeles.
        ("on", "2026-03-09", "2026-03-10T02:00:00Z", True),
        ("on", "2026-03-10", "2026-03-10T02:00:00Z", False),
        ("on", "2026-03-10", "2026-03-10", True),
        ("before", "2026-03-10", "2026-03-10T02:00:00Z", True),
        ("after", "2026-03-09", "2026-03-10T09:00:00Z", True),
        ("between", ["2026-03-01", "2026-03-09"], "2026-03-09", True),
        ("between", ["2026-03-01", "2026-03-09"], "2026-03-10T08:00:00Z", False),
        ("more_than_days_ago", 5, "2026-03-04", True),
        ("more_than_days_ago", 5, "2026-03-05", False),
        ("less_than_days_ago", 5, "2026-03-06", True),
        ("less_than_days_ago", 5, "2026-03-05", False),
        ("before", "2026-03-10", None, False),
        ("before", "2026-03-10", "not a date", False),
    ],
)
def test_dates_compare_by_day_in_the_workspace_timezone(
    operator: str, value: Any, stored: Any, expected: bool
) -> None:
    condition = {"property": "renewal", "operator": operator, "value": value}
    assert holds(condition, {"renewal": stored}) is expected


def test_any_of_groups_each_all_and_all_of_groups_each_any() -> None:
    groups = [
        [
            {"property": "plan", "operator": "is", "value": "Free Trial"},
            {"property": "beta", "operator": "is_true"},
        ],
        [{"property": "country", "operator": "is", "value": "USA"}],
    ]
    trial_only = {"plan": "Free Trial", "beta": False, "country": "France"}
    american = {"plan": "Pro", "country": "USA"}
    any_of = compile_filters(FilterSet(combine="any", groups=groups), TYPES)
    all_of = compile_filters(FilterSet(combine="all", groups=groups), TYPES)

    assert (matches(any_of, trial_only, CLOCK), matches(any_of, american, CLOCK)) == (False, True)
    assert matches(all_of, {"plan": "Free Trial", "country": "usa"}, CLOCK) is True
    assert matches(all_of, american, CLOCK) is False


def test_no_group_matches_every_contact() -> None:
    assert matches(compile_filters(FilterSet(), TYPES), {}, CLOCK) is True


@pytest.mark.parametrize(
    ("condition", "field"),
    [
        ({"property": "colour", "operator": "is", "value": "red"}, "property"),
        ({"property": "seats", "operator": "contains", "value": "1"}, "operator"),
        ({"property": "plan", "operator": "is", "value": 3}, "value"),
        ({"property": "plan", "operator": "is", "value": "  "}, "value"),
        ({"property": "plan", "operator": "is", "value": "a\x00b"}, "value"),
        ({"property": "plan", "operator": "is_any_of", "value": []}, "value"),
        ({"property": "plan", "operator": "is_set", "value": "x"}, "value"),
        ({"property": "seats", "operator": ">", "value": "3"}, "value"),
        ({"property": "seats", "operator": ">", "value": True}, "value"),
        ({"property": "renewal", "operator": "on", "value": "03/01/2026"}, "value"),
        (
            {"property": "renewal", "operator": "between", "value": ["2026-03-02", "2026-03-01"]},
            "value",
        ),
        ({"property": "renewal", "operator": "more_than_days_ago", "value": -1}, "value"),
        ({"property": "beta", "operator": "=", "value": 1}, "operator"),
    ],
)
def test_a_bad_condition_is_refused_naming_its_part(condition: dict[str, Any], field: str) -> None:
    filters = FilterSet.model_validate(
        {"groups": [[{"property": "plan", "operator": "is_set"}, condition]]}
    )
    with pytest.raises(FiltersInvalid) as refused:
        compile_filters(filters, TYPES)
    assert [error["field"] for error in refused.value.extensions["errors"]] == [
        f"body.groups.0.1.{field}"
    ]


def test_the_clock_takes_today_in_the_workspace_timezone() -> None:
    late_evening_utc = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)
    assert Clock.at(late_evening_utc, "America/Los_Angeles").today == date(2026, 3, 9)
    assert Clock.at(late_evening_utc, "Not/A_Zone").today == date(2026, 3, 10)
