"""Which conditions go into Intercom's search, and how, so that it selects a superset."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from app.domain.filters.language import FilterSet
from app.domain.filters.pushdown import fully_pushed, placements, pushed_filters, search_query
from app.domain.mapping.config import MappedAttribute, RunConfig
from app.domain.mapping.conversions import Conversion
from app.domain.properties.catalog import Target
from app.intercom.query import Filter, QueryBuilder, and_with

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


def test_or_ed_groups_push_one_condition_of_each_group_as_an_or() -> None:
    plan = {"property": "plan", "operator": "is", "value": "Pro"}
    seats = {"property": "seats", "operator": "<", "value": 10}
    not_beta = {"property": "beta", "operator": "is_false"}
    plan_filter = {"field": "custom_attributes.plan", "operator": "=", "value": "Pro"}
    seats_filter = {"field": "custom_attributes.seats", "operator": "<", "value": 10}

    pushed = pushed_filters(config({"combine": "any", "groups": [[seats, plan], [seats]]}))

    # The equality is likelier to select few than the range: it stands for its group.
    assert pushed == [{"operator": "OR", "value": [plan_filter, seats_filter]}]
    pushed = pushed_filters(config({"combine": "all", "groups": [[plan], [seats, not_beta]]}))
    assert pushed == [
        plan_filter,
        {
            "operator": "OR",
            "value": [
                seats_filter,
                {"field": "custom_attributes.beta", "operator": "=", "value": False},
            ],
        },
    ]


def test_an_or_with_a_branch_intercom_cannot_evaluate_is_not_pushed() -> None:
    plan = {"property": "plan", "operator": "is", "value": "Pro"}
    mrr = {"property": "mrr", "operator": ">", "value": 2}  # a float attribute: local

    assert pushed_filters(config({"combine": "any", "groups": [[plan], [mrr]]})) == []
    assert pushed_filters(config({"combine": "all", "groups": [[plan, mrr]]})) == []
    # A group with one searchable condition is enough for the group's branch.
    assert pushed_filters(config({"combine": "any", "groups": [[plan], [mrr, plan]]})) == [
        {
            "operator": "OR",
            "value": [
                {"field": "custom_attributes.plan", "operator": "=", "value": "Pro"},
                {"field": "custom_attributes.plan", "operator": "=", "value": "Pro"},
            ],
        }
    ]


def test_more_or_ed_groups_than_intercom_allows_in_a_group_stay_local() -> None:
    plan = {"property": "plan", "operator": "is", "value": "Pro"}

    found = placements(config({"combine": "any", "groups": [[plan]] * 16}))

    assert {(p.runs_in, p.reason) for p in found} == {("local", "too_many_filters")}
    assert (
        len(pushed_filters(config({"combine": "any", "groups": [[plan]] * 15}))[0]["value"]) == 15
    )


def test_the_most_that_is_pushed_leaves_room_for_the_readers_own_filters() -> None:
    base = {"field": "role", "operator": "=", "value": "user"}
    plan = {"property": "plan", "operator": "is", "value": "Pro"}
    seats = {"property": "seats", "operator": "<", "value": 10}
    either = {"combine": "all", "groups": [[plan]] * 11 + [[plan, seats]] * 3}
    # The reader's own: a created_at range, and contacts already delivered left out.
    reader = [
        Filter("created_at", ">", 1),
        Filter("created_at", "<", 2),
        Filter("id", "NIN", ("a", "b")),
    ]

    query, types = search_query(base, config(either))

    assert len(pushed_filters(config(either))) == 12  # 11 conditions and an OR; 3 left local
    combined = and_with(QueryBuilder(types).parse(query), reader)
    assert combined is not None
    QueryBuilder(types).parse(combined.to_json())


def test_archived_attributes_huge_integers_and_dates_of_an_unknown_zone_stay_local() -> None:
    archived = tuple(
        entry.model_copy(update={"archived": entry.property == "plan"}) for entry in MAPPING
    )
    plan = {"property": "plan", "operator": "is", "value": "Pro"}
    huge = {"property": "seats", "operator": ">", "value": 2**63}
    renewal = {"property": "renewal", "operator": "on", "value": "2026-03-01"}
    with_archived = RunConfig(
        mapping=archived, filters=FilterSet.model_validate({"groups": [[plan]]})
    )
    no_zone = RunConfig(mapping=MAPPING, filters=FilterSet.model_validate({"groups": [[renewal]]}))

    assert [p.reason for p in placements(with_archived)] == ["attribute_not_searchable"]
    assert [p.reason for p in placements(config({"groups": [[huge]]}))] == ["no_search_equivalent"]
    assert [p.reason for p in placements(no_zone)] == ["no_search_equivalent"]
    assert pushed_filters(config({"groups": [[renewal]]}))  # with the workspace's zone


def test_a_date_range_in_an_or_pushes_its_lower_bound_and_is_not_exact_in_intercom() -> None:
    base = {"field": "role", "operator": "=", "value": "user"}
    plan = {"property": "plan", "operator": "is", "value": "Pro"}
    renewal = {"property": "renewal", "operator": "between", "value": ["2026-03-01", "2026-03-05"]}
    either = config({"combine": "any", "groups": [[plan], [renewal]]})

    found = placements(either)

    assert [(p.runs_in, p.reason) for p in found] == [
        ("intercom", "intercom_search"),
        ("intercom", "intercom_search_partly"),
    ]
    assert pushed_filters(either)[0]["value"][1] == {
        "field": "custom_attributes.renewal",
        "operator": ">",
        "value": noon("2026-02-28"),
    }
    assert not fully_pushed(base, either)
    assert fully_pushed(base, config({"combine": "any", "groups": [[plan], [plan]]}))
    assert fully_pushed(base, config({"groups": []}))
    assert not fully_pushed(base, config({"groups": [[{"property": "mrr", "operator": "is_set"}]]}))
