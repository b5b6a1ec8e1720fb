"""Which conditions go into Intercom's search, and how, so that it selects a superset."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from app.domain.filters.language import FilterSet
from app.domain.filters.pushdown import placements, pushed_filters, search_query
from app.domain.mapping.config import MappedAttribute, RunConfig
from app.domain.mapping.conversions import Conversion
from app.domain.properties.catalog import Target

MAPPING = (
    MappedAttribute(
        attribute="email",
        property="email",
        conversion=Conversion.TEXT,
        target=Target.EMAIL,
        attribute_type="string",
    ),
    *(
        MappedAttribute(
            attribute=attribute,
            property=key,
            conversion=conversion,
            target=Target.PROPERTIES,
            attribute_type=kind,
        )
        for attribute, key, conversion, kind in (
            ("custom_attributes.plan", "plan", Conversion.TEXT, "string"),
            ("custom_attributes.seats", "seats", Conversion.NUMBER, "integer"),
            ("custom_attributes.mrr", "mrr", Conversion.NUMBER, "float"),
            ("custom_attributes.beta", "beta", Conversion.BOOLEAN, "boolean"),
            ("custom_attributes.renewal", "renewal", Conversion.DATE_FROM_UNIX, "date"),
            ("custom_attributes.score", "score", Conversion.NUMBER_FROM_TEXT, "string"),
            ("location.country", "country", Conversion.TEXT, "string"),
        )
    ),
)
STARTED = datetime(2026, 3, 10, 20, 0, tzinfo=UTC)  # noon in Los Angeles
ZONE = ZoneInfo("America/Los_Angeles")


def config(filters: dict[str, Any]) -> RunConfig:
    return RunConfig(
        mapping=MAPPING,
        filters=FilterSet.model_validate(filters),
        timezone="America/Los_Angeles",
        started_at=STARTED,
    )


def noon(day: str) -> int:
    return int(datetime.fromisoformat(f"{day}T12:00:00").replace(tzinfo=ZONE).timestamp())


def test_a_single_group_pushes_what_means_the_same_and_keeps_the_rest_local() -> None:
    group = [
        {"property": "plan", "operator": "is", "value": " Free Trial "},
        {"property": "seats", "operator": ">=", "value": 3},
        {"property": "mrr", "operator": ">", "value": 2},  # a float attribute: local
        {"property": "beta", "operator": "is_false"},
        {"property": "renewal", "operator": "between", "value": ["2026-03-01", "2026-03-05"]},
        {"property": "score", "operator": ">", "value": 1},  # converted from text: local
        {"property": "country", "operator": "is_set"},  # no such search operator: local
        {"property": "country", "operator": "is_none_of", "value": [" USA ", "France"]},
        {"property": "email", "operator": "ends_with", "value": "@x.io"},
    ]

    pushed = pushed_filters(config({"combine": "any", "groups": [group]}))

    assert pushed == [
        {"field": "custom_attributes.plan", "operator": "=", "value": "Free Trial"},
        {"field": "custom_attributes.seats", "operator": ">=", "value": 3},
        {"field": "custom_attributes.beta", "operator": "=", "value": False},
        {"field": "custom_attributes.renewal", "operator": ">", "value": noon("2026-02-28")},
        {"field": "custom_attributes.renewal", "operator": "<", "value": noon("2026-03-06")},
        {"field": "location.country", "operator": "NIN", "value": ["USA", "France"]},
        {"field": "email", "operator": "$", "value": "@x.io"},
    ]


def test_or_ed_groups_push_nothing_and_all_of_pushes_its_one_condition_groups() -> None:
    plan = {"property": "plan", "operator": "is", "value": "Pro"}
    seats = {"property": "seats", "operator": "<", "value": 10}
    assert pushed_filters(config({"combine": "any", "groups": [[plan], [seats]]})) == []

    pushed = pushed_filters(config({"combine": "all", "groups": [[plan], [seats, plan]]}))

    assert pushed == [{"field": "custom_attributes.plan", "operator": "=", "value": "Pro"}]


def test_relative_days_count_from_the_day_the_run_started_in_the_workspace() -> None:
    group = [{"property": "renewal", "operator": "more_than_days_ago", "value": 9}]

    pushed = pushed_filters(config({"groups": [group]}))

    assert pushed == [
        {"field": "custom_attributes.renewal", "operator": "<", "value": noon("2026-03-01")}
    ]


def test_the_query_ands_the_pushed_part_with_the_list_and_types_custom_attributes() -> None:
    base = {"field": "role", "operator": "=", "value": "user"}
    group = [{"property": "seats", "operator": "=", "value": 4}]

    query, types = search_query(base, config({"groups": [group]}))

    assert query == {
        "operator": "AND",
        "value": [base, {"field": "custom_attributes.seats", "operator": "=", "value": 4}],
    }
    assert types["seats"] == "integer"
    assert search_query(base, config({"groups": []}))[0] == base


def test_each_condition_says_where_it_runs_and_why() -> None:
    plan = {"property": "plan", "operator": "is", "value": "Pro"}
    mrr = {"property": "mrr", "operator": ">", "value": 2}
    country = {"property": "country", "operator": "is_set"}

    found = placements(
        config({"combine": "all", "groups": [[plan], [mrr], [country], [plan, mrr]]})
    )

    assert [(p.group, p.condition, p.runs_in, p.reason) for p in found] == [
        (0, 0, "intercom", "intercom_search"),
        (1, 0, "local", "no_search_equivalent"),
        (2, 0, "local", "no_search_equivalent"),
        (3, 0, "local", "any_of_several"),
        (3, 1, "local", "any_of_several"),
    ]
