"""A list's filters over HTTP, and syncs that import exactly the contacts they select."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.db import transaction
from app.domain.filters import preview
from app.domain.models import Segment
from tests.fixtures.factories import Tenant, first_segment
from tests.test_bad_input import assert_problem
from tests.test_end_to_end import all_customers, sandbox_contacts
from tests.test_mapping_sync import ENTRIES, put, sync

pytestmark = pytest.mark.usefixtures("worker")

# The help page's example: `Plan is Free Trial OR Country is United States`.
EXAMPLE = {
    "combine": "any",
    "groups": [
        [{"property": "plan", "operator": "is", "value": " free trial "}],
        [{"property": "country", "operator": "is", "value": "United States"}],
    ],
}


async def mapped_users(
    http: httpx.AsyncClient, tenant: Tenant, workspaces: list[dict[str, Any]]
) -> dict[str, Any]:
    users = await first_segment(http, tenant, workspaces[0]["access_token"], "users")
    await put(http, tenant, f"/v1/segments/{users['id']}/mapping", {"entries": ENTRIES})
    return users


async def test_a_sync_imports_exactly_the_contacts_the_filters_select(
    http: httpx.AsyncClient,
    tenant: Tenant,
    sandbox_url: str,
    sandbox_workspaces: list[dict[str, Any]],
) -> None:
    users = await mapped_users(http, tenant, sandbox_workspaces)
    saved = await http.put(
        f"/v1/segments/{users['id']}/filters", json=EXAMPLE, headers=tenant.headers
    )
    assert saved.status_code == 200, saved.text
    assert saved.headers["etag"] == '"1"'
    # Two OR-ed groups: one OR in Intercom's search, and evaluated here too.
    assert [(p["runs_in"], p["reason"]) for p in saved.json()["placements"]] == [
        ("intercom", "intercom_search"),
        ("intercom", "intercom_search"),
    ]

    run = await sync(http, tenant, users["id"])

    contacts = await sandbox_contacts(sandbox_url, sandbox_workspaces[0]["app_id"])
    winners: dict[str, dict[str, Any]] = {}
    for contact in sorted(contacts, key=lambda c: (-(c.get("updated_at") or 0), c["id"])):
        email = (contact.get("email") or "").strip().lower()
        if contact["role"] == "user" and "@" in email and email not in winners:
            winners[email] = contact

    def selected(contact: dict[str, Any]) -> bool:
        plan = ((contact.get("custom_attributes") or {}).get("plan") or "").strip().casefold()
        country = ((contact.get("location") or {}).get("country") or "").strip().casefold()
        return plan == "free trial" or country == "united states"

    expected = {email for email, contact in winners.items() if selected(contact)}
    customers = {c["email"] for c in await all_customers(http, tenant)}
    assert expected
    assert customers == expected
    # Intercom's search did the selecting: only the selected users were fetched.
    users_selected = [c for c in contacts if c["role"] == "user" and selected(c)]
    assert run["counters"]["fetched"] == len(users_selected)
    assert run["counters"]["skipped_reasons"].get("filtered_out", 0) == 0


@pytest.mark.parametrize(
    ("condition", "field"),
    [
        ({"property": "secret", "operator": "is", "value": "x"}, "body.groups.0.0.property"),
        ({"property": "mrr", "operator": "contains", "value": "x"}, "body.groups.0.0.operator"),
        ({"property": "mrr", "operator": ">", "value": "12"}, "body.groups.0.0.value"),
        ({"property": "renewal", "operator": "on", "value": "tomorrow"}, "body.groups.0.0.value"),
    ],
)
async def test_bad_filters_are_a_422_naming_the_condition_and_save_nothing(
    http: httpx.AsyncClient,
    tenant: Tenant,
    sandbox_workspaces: list[dict[str, Any]],
    condition: dict[str, Any],
    field: str,
) -> None:
    users = await mapped_users(http, tenant, sandbox_workspaces)
    url = f"/v1/segments/{users['id']}/filters"

    response = await http.put(url, json={"groups": [[condition]]}, headers=tenant.headers)

    assert assert_problem(response, 422)["errors"][0]["field"] == field
    assert (await http.get(url, headers=tenant.headers)).json()["version"] == 0


async def test_filters_are_versioned_and_a_stale_write_is_a_412(
    http: httpx.AsyncClient, tenant: Tenant, sandbox_workspaces: list[dict[str, Any]]
) -> None:
    users = await mapped_users(http, tenant, sandbox_workspaces)
    url = f"/v1/segments/{users['id']}/filters"
    first = await http.put(url, json=EXAMPLE, headers={**tenant.headers, "If-Match": '"0"'})
    assert first.status_code == 200, first.text

    stale = await http.put(url, json={"groups": []}, headers={**tenant.headers, "If-Match": '"0"'})

    assert assert_problem(stale, 412)["code"] == "version_mismatch"
    assert (await http.get(url, headers=tenant.headers)).json()["groups"] != []


async def test_a_mapping_that_drops_a_filtered_property_is_refused(
    http: httpx.AsyncClient, tenant: Tenant, sandbox_workspaces: list[dict[str, Any]]
) -> None:
    users = await mapped_users(http, tenant, sandbox_workspaces)
    saved = await http.put(
        f"/v1/segments/{users['id']}/filters", json=EXAMPLE, headers=tenant.headers
    )
    assert saved.status_code == 200, saved.text

    response = await http.put(
        f"/v1/segments/{users['id']}/mapping",
        json={"entries": ENTRIES[:2]},
        headers=tenant.headers,
    )

    problem = assert_problem(response, 409)
    assert problem["code"] == "mapping_breaks_filters"
    assert problem["errors"][0]["field"] == "body.groups.0.0.property"
    mapping = await http.get(f"/v1/segments/{users['id']}/mapping", headers=tenant.headers)
    assert len(mapping.json()["entries"]) == len(ENTRIES)


async def test_filters_that_no_longer_fit_the_mapping_start_no_run(
    http: httpx.AsyncClient,
    tenant: Tenant,
    sessionmaker: async_sessionmaker[AsyncSession],
    sandbox_workspaces: list[dict[str, Any]],
) -> None:
    users = await mapped_users(http, tenant, sandbox_workspaces)
    saved = await http.put(
        f"/v1/segments/{users['id']}/filters", json=EXAMPLE, headers=tenant.headers
    )
    assert saved.status_code == 200, saved.text
    # As a mapping written by an older version, before mappings checked the filters.
    async with transaction(sessionmaker) as session:
        await session.execute(
            update(Segment)
            .where(Segment.id == uuid.UUID(users["id"]))
            .values(mapping=[{"attribute": "email", "property": "email"}])
        )

    response = await http.post(f"/v1/segments/{users['id']}/syncs", headers=tenant.headers)

    problem = assert_problem(response, 409)
    assert problem["code"] == "filters_out_of_date"
    assert problem["errors"][0]["field"] == "body.groups.0.0.property"


async def test_a_pushed_filter_fetches_only_what_it_selects_and_stays_exact(
    http: httpx.AsyncClient,
    tenant: Tenant,
    sandbox_url: str,
    sandbox_workspaces: list[dict[str, Any]],
) -> None:
    users = await mapped_users(http, tenant, sandbox_workspaces)
    single = {"groups": [[{"property": "plan", "operator": "is", "value": "free trial"}]]}
    saved = await http.put(
        f"/v1/segments/{users['id']}/filters", json=single, headers=tenant.headers
    )
    assert saved.status_code == 200, saved.text
    read = await http.get(f"/v1/segments/{users['id']}/filters", headers=tenant.headers)
    assert read.json()["placements"] == [
        {"group": 0, "condition": 0, "runs_in": "intercom", "reason": "intercom_search"}
    ]

    run = await sync(http, tenant, users["id"])

    contacts = await sandbox_contacts(sandbox_url, sandbox_workspaces[0]["app_id"])
    on_trial = [
        c
        for c in contacts
        if c["role"] == "user"
        and ((c.get("custom_attributes") or {}).get("plan") or "").strip().casefold()
        == "free trial"
    ]
    # Intercom selected them: nothing else was fetched, nothing was left out here.
    assert run["counters"]["fetched"] == len(on_trial)
    assert "filtered_out" not in run["counters"]["skipped_reasons"]
    emails = {(c.get("email") or "").strip().lower() for c in on_trial}
    customers = {c["email"] for c in await all_customers(http, tenant)}
    assert customers == {email for email in emails if "@" in email}


async def test_a_preview_counts_exactly_when_all_runs_in_intercom_and_samples_the_selected(
    http: httpx.AsyncClient,
    tenant: Tenant,
    sandbox_url: str,
    sandbox_workspaces: list[dict[str, Any]],
) -> None:
    users = await mapped_users(http, tenant, sandbox_workspaces)
    url = f"/v1/segments/{users['id']}/filters/preview"
    single = {"groups": [[{"property": "plan", "operator": "is", "value": "free trial"}]]}

    exact = await http.post(url, json=single, headers=tenant.headers)

    contacts = await sandbox_contacts(sandbox_url, sandbox_workspaces[0]["app_id"])
    trial = [
        c
        for c in contacts
        if c["role"] == "user"
        and ((c.get("custom_attributes") or {}).get("plan") or "").strip().casefold()
        == "free trial"
    ]
    assert exact.status_code == 200, exact.text
    body = exact.json()
    assert (body["count"], body["exact"], body["method"]) == (len(trial), True, "intercom")
    assert body["upper_bound"] == len(trial)
    assert body["sample"]
    plans = {s["properties"]["plan"].strip().casefold() for s in body["sample"]}
    assert plans == {"free trial"}
    # Nothing is saved by a preview.
    read = await http.get(f"/v1/segments/{users['id']}/filters", headers=tenant.headers)
    assert read.json()["version"] == 0
    bad = await http.post(
        url, json={"groups": [[{"property": "nope", "operator": "is_set"}]]}, headers=tenant.headers
    )
    assert assert_problem(bad, 422)["errors"][0]["field"] == "body.groups.0.0.property"


# Intercom's search has no "is set": the first group's second condition runs here.
PARTLY_LOCAL = {
    "combine": "any",
    "groups": [
        [
            {"property": "plan", "operator": "is", "value": "free trial"},
            {"property": "country", "operator": "is_set"},
        ],
        [{"property": "country", "operator": "is", "value": "United States"}],
    ],
}


def plan_and_country(contact: dict[str, Any]) -> tuple[str, str]:
    plan = ((contact.get("custom_attributes") or {}).get("plan") or "").strip().casefold()
    country = ((contact.get("location") or {}).get("country") or "").strip().casefold()
    return plan, country


async def test_a_preview_with_local_conditions_counts_here_or_estimates_and_says_which(
    http: httpx.AsyncClient,
    tenant: Tenant,
    sandbox_url: str,
    sandbox_workspaces: list[dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    users = await mapped_users(http, tenant, sandbox_workspaces)
    url = f"/v1/segments/{users['id']}/filters/preview"
    contacts = await sandbox_contacts(sandbox_url, sandbox_workspaces[0]["app_id"])

    def selected(contact: dict[str, Any], *, with_local_part: bool = True) -> bool:
        plan, country = plan_and_country(contact)
        trial = plan == "free trial" and (bool(country) or not with_local_part)
        return trial or country == "united states"

    # Counted like Intercom counts: contacts without an email too.
    expected = [c for c in contacts if c["role"] == "user" and selected(c)]
    pushed = [c for c in contacts if c["role"] == "user" and selected(c, with_local_part=False)]

    counted = await http.post(url, json=PARTLY_LOCAL, headers=tenant.headers)
    monkeypatch.setattr(preview, "PREVIEW_READ_LIMIT", 5)
    estimated = await http.post(url, json=PARTLY_LOCAL, headers=tenant.headers)

    assert counted.status_code == 200, counted.text
    assert counted.json()["method"] == "local"
    assert (counted.json()["count"], counted.json()["exact"]) == (len(expected), True)
    assert counted.json()["upper_bound"] == len(pushed) > len(expected)
    for item in counted.json()["sample"]:
        plan = item["properties"].get("plan", "").strip().casefold()
        country = item["properties"].get("country", "").strip().casefold()
        assert (plan == "free trial" and country) or country == "united states"
    assert estimated.status_code == 200, estimated.text
    assert (estimated.json()["method"], estimated.json()["exact"]) == ("estimated", False)
    assert 0 <= estimated.json()["count"] <= estimated.json()["upper_bound"] == len(pushed)


async def test_filters_of_a_list_never_mapped_work_on_its_default_mapping(
    http: httpx.AsyncClient, tenant: Tenant, sandbox_workspaces: list[dict[str, Any]]
) -> None:
    users = await first_segment(http, tenant, sandbox_workspaces[0]["access_token"], "users")
    french = {"groups": [[{"property": "country", "operator": "is", "value": "France"}]]}

    preview = await http.post(
        f"/v1/segments/{users['id']}/filters/preview", json=french, headers=tenant.headers
    )
    saved = await http.put(
        f"/v1/segments/{users['id']}/filters", json=french, headers=tenant.headers
    )

    assert preview.status_code == 200, preview.text
    assert preview.json()["exact"] is True
    assert {s["properties"]["country"] for s in preview.json()["sample"]} == {"France"}
    assert saved.json()["placements"][0]["runs_in"] == "intercom"
