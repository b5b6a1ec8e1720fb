"""Property-based: the sandbox's search returns exactly what a plain evaluation of the same query
over the seeded contacts returns, day rules and timezones included (INTERCOM.md §2.2).

The reference evaluation here is written from the documented rules, independently of
intercom_sandbox/search.py: strings compare case-insensitively; a missing value matches only the
negative operators; dates compare by calendar day in the workspace's timezone.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

STRING_FIELDS = [
    "id",  # the reader excludes contacts it already has with `id NIN [...]`
    "name",
    "email",
    "email_domain",
    "location.country",
    "location.city",
    "custom_attributes.plan",
    "browser",
    "role",
]
DATE_FIELDS = [
    "created_at",
    "updated_at",
    "signed_up_at",
    "last_seen_at",
    "custom_attributes.renewal_date",
]
INTEGER_FIELDS = ["custom_attributes.seats", "owner_id"]
BOOLEAN_FIELDS = ["unsubscribed_from_emails", "custom_attributes.beta_tester", "has_hard_bounced"]


class Dataset:
    def __init__(self, sandbox_url: str, workspace: dict[str, Any]) -> None:
        self.url = sandbox_url
        self.headers = {"Authorization": f"Bearer {workspace['access_token']}"}
        self.zone = ZoneInfo(workspace["timezone"])
        self.contacts: list[dict[str, Any]] = httpx.get(
            f"{sandbox_url}/_sandbox/workspaces/{workspace['app_id']}/contacts"
        ).json()
        self.tags: dict[str, set[str]] = {}
        for contact in self.contacts:
            tags = contact["tags"]
            if tags["has_more"]:  # only 10 inline (INTERCOM.md §2.3): fetch them all
                tags = httpx.get(f"{sandbox_url}{tags['url']}", headers=self.headers).json()
            self.tags[contact["id"]] = {tag["id"] for tag in tags["data"]}

    def values(self, field: str) -> list[Any]:
        found = [value(contact, field) for contact in self.contacts]
        return sorted({v for v in found if v is not None}, key=repr)

    def search(self, query: dict[str, Any]) -> httpx.Response:
        return httpx.post(
            f"{self.url}/contacts/search", json={"query": query}, headers=self.headers
        )

    def search_ids(self, query: dict[str, Any]) -> list[str]:
        ids: list[str] = []
        pagination: dict[str, Any] = {"per_page": 150}
        while True:
            response = httpx.post(
                f"{self.url}/contacts/search",
                json={"query": query, "pagination": pagination},
                headers=self.headers,
            )
            assert response.status_code == 200, response.text
            body = response.json()
            ids.extend(contact["id"] for contact in body["data"])
            next_page = body["pages"].get("next")
            if not next_page:
                assert len(ids) == body["total_count"]
                return ids
            pagination = {"per_page": 150, "starting_after": next_page["starting_after"]}

    def day(self, timestamp: int) -> int:
        return datetime.fromtimestamp(timestamp, self.zone).date().toordinal()

    def matches(self, contact: dict[str, Any], query: dict[str, Any]) -> bool:
        operator = query["operator"]
        if operator == "AND":
            return all(self.matches(contact, child) for child in query["value"])
        if operator == "OR":
            return any(self.matches(contact, child) for child in query["value"])
        field, target = query["field"], query["value"]
        if field == "tag_id":
            return bool((target in self.tags[contact["id"]]) == (operator == "="))
        actual = value(contact, field)
        if actual is None or actual == "":
            return operator in ("!=", "NIN", "!~")
        if field in DATE_FIELDS:
            day, wanted = self.day(actual), self.day(target)
            return {"=": day == wanted, ">": day > wanted, "<": day < wanted}[operator]
        if isinstance(actual, str):
            actual = actual.strip().casefold()
            target = (
                [t.casefold() for t in target] if isinstance(target, list) else target.casefold()
            )
        checks: dict[str, Callable[[], Any]] = {
            "=": lambda: actual == target,
            "!=": lambda: actual != target,
            "IN": lambda: actual in target,
            "NIN": lambda: actual not in target,
            ">": lambda: actual > target,
            "<": lambda: actual < target,
            ">=": lambda: actual >= target,
            "<=": lambda: actual <= target,
            "~": lambda: target in actual,
            "!~": lambda: target not in actual,
            "^": lambda: actual.startswith(target),
            "$": lambda: actual.endswith(target),
        }
        return bool(checks[operator]())


def value(contact: dict[str, Any], field: str) -> Any:
    if "." in field:
        group, name = field.split(".", 1)
        return (contact.get(group) or {}).get(name)
    return contact.get(field)


def filters(data: Dataset) -> st.SearchStrategy[dict[str, Any]]:
    def string_filter(field: str) -> st.SearchStrategy[dict[str, Any]]:
        known = [v for v in data.values(field) if isinstance(v, str)] or ["x"]
        whole = st.sampled_from(known)
        part = whole.flatmap(lambda v: st.integers(0, len(v)).map(lambda i: v[i : i + 3] or v))
        single = st.tuples(st.sampled_from(["=", "!="]), whole.map(lambda v: v.strip().upper()))
        substring = st.tuples(st.sampled_from(["~", "!~", "^", "$"]), part.filter(bool))
        listed = st.tuples(st.sampled_from(["IN", "NIN"]), st.lists(whole, min_size=1, max_size=3))
        if field == "role":
            single = st.tuples(st.sampled_from(["=", "!="]), st.sampled_from(["user", "lead"]))
        return st.one_of(single, substring, listed).map(
            lambda op_value: {"field": field, "operator": op_value[0], "value": op_value[1]}
        )

    def date_filter(field: str) -> st.SearchStrategy[dict[str, Any]]:
        known = data.values(field)
        # Shifts around the seen values land on both sides of midnight in the workspace zone.
        shifted = st.tuples(st.sampled_from(known), st.integers(-86_400, 86_400)).map(sum)
        return st.tuples(st.sampled_from(["=", ">", "<"]), shifted).map(
            lambda op_value: {"field": field, "operator": op_value[0], "value": op_value[1]}
        )

    def integer_filter(field: str) -> st.SearchStrategy[dict[str, Any]]:
        known = data.values(field) or [0]
        number = st.one_of(st.sampled_from(known), st.integers(-5, 600))
        ops = st.sampled_from(["=", "!=", ">", "<", ">=", "<="])
        return st.tuples(ops, number).map(
            lambda op_value: {"field": field, "operator": op_value[0], "value": op_value[1]}
        )

    def boolean_filter(field: str) -> st.SearchStrategy[dict[str, Any]]:
        return st.tuples(st.sampled_from(["=", "!="]), st.booleans()).map(
            lambda op_value: {"field": field, "operator": op_value[0], "value": op_value[1]}
        )

    tag_ids = sorted({tag for tags in data.tags.values() for tag in tags})
    tag_filter = st.tuples(st.sampled_from(["=", "!="]), st.sampled_from(tag_ids)).map(
        lambda op_value: {"field": "tag_id", "operator": op_value[0], "value": op_value[1]}
    )
    return st.one_of(
        *[string_filter(f) for f in STRING_FIELDS],
        *[date_filter(f) for f in DATE_FIELDS],
        *[integer_filter(f) for f in INTEGER_FIELDS],
        *[boolean_filter(f) for f in BOOLEAN_FIELDS],
        tag_filter,
    )


def queries(data: Dataset) -> st.SearchStrategy[dict[str, Any]]:
    single = filters(data)

    def group(children: st.SearchStrategy[dict[str, Any]]) -> st.SearchStrategy[dict[str, Any]]:
        return st.tuples(
            st.sampled_from(["AND", "OR"]), st.lists(children, min_size=1, max_size=4)
        ).map(lambda op_children: {"operator": op_children[0], "value": op_children[1]})

    # At most two levels of nesting (INTERCOM.md §2.2).
    return st.one_of(single, group(single), group(st.one_of(single, group(single))))


@pytest.fixture(scope="module", params=[0, 1], ids=["los-angeles", "dublin"])
def dataset(
    request: pytest.FixtureRequest, sandbox_url: str, sandbox_workspaces: list[dict[str, Any]]
) -> Dataset:
    return Dataset(sandbox_url, sandbox_workspaces[request.param])


def test_search_matches_a_plain_evaluation_of_the_query(dataset: Dataset) -> None:
    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(query=queries(dataset))
    def check(query: dict[str, Any]) -> None:
        expected = [c["id"] for c in dataset.contacts if dataset.matches(c, query)]
        assert dataset.search_ids(query) == expected

    check()


INVALID_QUERIES = [
    {"field": "created_at", "operator": "!=", "value": 1_700_000_000},
    {"field": "created_at", "operator": ">=", "value": 1_700_000_000},
    {"field": "updated_at", "operator": "IN", "value": [1_700_000_000]},
    {"field": "tag_id", "operator": "IN", "value": ["1"]},
    {"field": "tag_id", "operator": "~", "value": "1"},
    {"field": "name", "operator": ">", "value": 1},
    {"field": "created_at", "operator": "=", "value": "yesterday"},
    {"field": "custom_attributes.seats", "operator": "=", "value": "ten"},
    {"field": "unsubscribed_from_emails", "operator": "=", "value": "true"},
    {"field": "custom_attributes.mrr", "operator": ">=", "value": 1.5},
    {"field": "no_such_field", "operator": "=", "value": "x"},
    {"field": "role", "operator": "=", "value": "visitor"},
    {"field": "email", "operator": "IN", "value": "not-a-list"},
    {
        "operator": "AND",
        "value": [
            {
                "operator": "OR",
                "value": [
                    {
                        "operator": "AND",
                        "value": [{"field": "role", "operator": "=", "value": "user"}],
                    }
                ],
            }
        ],
    },
    {"operator": "OR", "value": [{"field": "role", "operator": "=", "value": "user"}] * 16},
    {"operator": "AND", "value": []},
]


@pytest.mark.parametrize("query", INVALID_QUERIES)
def test_queries_intercom_refuses_get_its_error_list(
    dataset: Dataset, query: dict[str, Any]
) -> None:
    response = dataset.search(query)
    assert response.status_code == 400
    body = response.json()
    assert body["type"] == "error.list"
    assert body["errors"][0]["message"]


def test_fifteen_filters_in_a_group_and_two_levels_of_nesting_are_accepted(
    dataset: Dataset,
) -> None:
    fifteen = {
        "operator": "OR",
        "value": [{"field": "role", "operator": "=", "value": "user"}] * 15,
    }
    nested = {
        "operator": "AND",
        "value": [
            fifteen,
            {"operator": "OR", "value": [{"field": "role", "operator": "=", "value": "lead"}]},
        ],
    }
    assert dataset.search(fifteen).status_code == 200
    assert dataset.search(nested).json()["total_count"] == 0
