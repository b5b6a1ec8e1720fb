"""The query builder refuses, before any call, what Intercom would refuse (INTERCOM.md §2.2)."""

from __future__ import annotations

from typing import Any

import pytest

from app.intercom.query import Filter, Group, QueryBuilder, SearchQueryError, and_with, depth

builder = QueryBuilder(
    {
        "plan": "string",
        "seats": "integer",
        "renewal": "date",
        "vip": "boolean",
        "mrr": "float",
        "odd": "datetime",
    }
)


@pytest.mark.parametrize(
    ("field", "operator", "value", "message"),
    [
        ("created_at", "!=", 1, "not allowed on created_at"),
        ("created_at", ">=", 1, "not allowed"),
        ("updated_at", "IN", [1], "not allowed"),
        ("custom_attributes.renewal", "<=", 1, "not allowed"),
        ("tag_id", "IN", ["1"], "not allowed on tag_id"),
        ("tag_id", "~", "1", "not allowed"),
        ("name", ">", "a", "not allowed"),
        ("custom_attributes.mrr", ">=", 1.5, "not allowed"),
        ("created_at", "=", "2024-01-01", "takes a date value"),
        ("custom_attributes.seats", "=", "ten", "takes a integer value"),
        ("custom_attributes.seats", "=", True, "takes a integer value"),
        ("unsubscribed_from_emails", "=", "true", "takes a boolean value"),
        ("email", "IN", "a@b.c", "non-empty list"),
        ("email", "IN", [], "non-empty list"),
        ("email", "IN", ["a", 1], "takes a string value"),
        ("role", "=", "visitor", "user or lead"),
        ("nope", "=", "x", "not a searchable"),
        ("custom_attributes.", "=", "x", "not a searchable"),
    ],
)
def test_filters_intercom_would_refuse_are_refused_with_a_clear_message(
    field: str, operator: str, value: Any, message: str
) -> None:
    with pytest.raises(SearchQueryError, match=message):
        builder.filter(field, operator, value)


def test_valid_filters_of_every_type_build_intercom_json() -> None:
    query = builder.all_of(
        builder.filter("role", "=", "user"),
        builder.filter("created_at", ">", 1_700_000_000),
        builder.filter("custom_attributes.seats", ">=", 10),
        builder.filter("custom_attributes.vip", "=", True),
        builder.filter("custom_attributes.mrr", "<", 99.5),
        builder.filter("tag_id", "!=", "123"),
        builder.any_of(
            builder.filter("location.country", "IN", ["France", "Ireland"]),
            builder.filter("custom_attributes.odd", "~", "x"),  # unknown type: a string
        ),
    )
    assert query.to_json()["value"][6] == {
        "operator": "OR",
        "value": [
            {"field": "location.country", "operator": "IN", "value": ["France", "Ireland"]},
            {"field": "custom_attributes.odd", "operator": "~", "value": "x"},
        ],
    }
    assert builder.parse(query.to_json()) == query


def test_more_than_two_levels_or_fifteen_filters_are_refused() -> None:
    leaf = builder.filter("role", "=", "user")
    two_levels = builder.all_of(builder.any_of(leaf))
    assert depth(two_levels) == 2
    with pytest.raises(SearchQueryError, match="nest at most 2"):
        builder.all_of(two_levels)
    assert len(builder.any_of(*[leaf] * 15).to_json()["value"]) == 15
    with pytest.raises(SearchQueryError, match="16 filters"):
        builder.any_of(*[leaf] * 16)
    with pytest.raises(SearchQueryError, match="at least one"):
        builder.all_of()


def test_and_with_merges_into_an_and_and_gives_up_beyond_the_limits() -> None:
    leaf = Filter("role", "=", "user")
    extra = [Filter("created_at", ">", 1), Filter("created_at", "<", 2)]
    merged = and_with(Group("AND", (leaf,)), extra)
    assert isinstance(merged, Group)
    assert merged.children == (leaf, *extra)
    deep = Group("OR", (Group("AND", (leaf,)),))
    assert and_with(deep, extra) is None
    assert and_with(Group("AND", (leaf,) * 15), extra) is None
    assert and_with(leaf, []) is leaf


def test_and_with_nests_the_extra_filters_when_the_top_group_is_full() -> None:
    leaf = Filter("role", "=", "user")
    extra = [Filter("created_at", ">", 1), Filter("created_at", "<", 2)]
    full = Group("AND", (leaf,) * 14)
    merged = and_with(full, extra)
    assert merged == Group("AND", (*full.children, Group("AND", tuple(extra))))
    assert merged is not None
    assert builder.parse(merged.to_json()) == merged  # within Intercom's limits
    two_levels = Group("AND", (Group("OR", (leaf, leaf)),) * 14)
    assert and_with(two_levels, extra) == Group(
        "AND", (*two_levels.children, Group("AND", tuple(extra)))
    )
