"""Custom segments end to end: filters of their own, counted by Intercom or here (and saying
which), synced exactly, and held to the auto-sync quota like any list."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.fixtures.factories import Tenant, connect_workspace, create_tenant
from tests.test_bad_input import assert_problem
from tests.test_end_to_end import all_customers, sandbox_contacts
from tests.test_filters_api import PARTLY_LOCAL, plan_and_country
from tests.test_mapping_sync import ENTRIES, put, sync

pytestmark = pytest.mark.usefixtures("worker")

TRIAL = {"groups": [[{"property": "plan", "operator": "is", "value": "free trial"}]]}
# Nothing of it has a search equivalent: `is set`, and a float compared.
LOCAL_ONLY = {
    "combine": "all",
    "groups": [
        [{"property": "country", "operator": "is_set"}],
        [{"property": "mrr", "operator": ">", "value": 49.5}],
    ],
}


# ENTRIES once their properties exist.
EXISTING = [
    {"attribute": e["attribute"], "property": e.get("property") or e["create_property"]["key"]}
    for e in ENTRIES
]


async def custom_segment(
    http: httpx.AsyncClient, tenant: Tenant, integration_id: str, name: str
) -> dict[str, Any]:
    """A custom segment on Users, mapped (the mapping's properties created by the first)."""
    created = await http.post(
        f"/v1/integrations/{integration_id}/segments",
        json={"name": name, "source": "users"},
        headers=tenant.headers,
    )
    assert created.status_code == 201, created.text
    segment: dict[str, Any] = created.json()
    properties = (await http.get("/v1/properties", headers=tenant.headers)).json()["data"]
    entries = EXISTING if any(p["key"] == "plan" for p in properties) else ENTRIES
    await put(http, tenant, f"/v1/segments/{segment['id']}/mapping", {"entries": entries})
    return segment


async def save_filters(
    http: httpx.AsyncClient, tenant: Tenant, segment_id: str, filters: dict[str, Any]
) -> dict[str, Any]:
    read = await http.get(f"/v1/segments/{segment_id}/filters", headers=tenant.headers)
    saved = await http.put(
        f"/v1/segments/{segment_id}/filters",
        json=filters,
        headers={**tenant.headers, "If-Match": read.headers["etag"]},
    )
    assert saved.status_code == 200, saved.text
    body: dict[str, Any] = saved.json()
    return body


async def counted(http: httpx.AsyncClient, tenant: Tenant, segment_id: str) -> dict[str, Any]:
    """The segment once the refresh its filters asked for has counted it."""
    for _ in range(300):
        segment: dict[str, Any] = (
            await http.get(f"/v1/segments/{segment_id}", headers=tenant.headers)
        ).json()
        if segment["contact_count"] is not None:
            return segment
        await asyncio.sleep(0.05)
    raise AssertionError(f"never counted: {segment}")


def users_with_email(contacts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [c for c in contacts if c["role"] == "user" and "@" in (c.get("email") or "")]


async def test_a_custom_segment_is_counted_by_intercom_or_here_and_says_which(
    http: httpx.AsyncClient,
    tenant: Tenant,
    sandbox_url: str,
    sandbox_workspaces: list[dict[str, Any]],
) -> None:
    workspace = sandbox_workspaces[0]
    integration = await connect_workspace(http, tenant, workspace["access_token"])
    contacts = await sandbox_contacts(sandbox_url, workspace["app_id"])
    users = [c for c in contacts if c["role"] == "user"]
    trial = await custom_segment(http, tenant, integration["id"], "Trial users")
    partly = await custom_segment(http, tenant, integration["id"], "Trial or American")
    # Before it has filters, it counts its source.
    assert (trial["contact_count"], trial["count_method"]) == (len(users), "intercom")

    saved = await save_filters(http, tenant, trial["id"], TRIAL)
    assert {p["runs_in"] for p in saved["placements"]} == {"intercom"}
    await save_filters(http, tenant, partly["id"], PARTLY_LOCAL)

    trial_read = await counted(http, tenant, trial["id"])
    partly_read = await counted(http, tenant, partly["id"])

    on_trial = [c for c in users if plan_and_country(c)[0] == "free trial"]
    assert (trial_read["contact_count"], trial_read["count_method"]) == (len(on_trial), "intercom")

    def partly_selected(contact: dict[str, Any]) -> bool:
        plan, country = plan_and_country(contact)
        return (plan == "free trial" and bool(country)) or country == "united states"

    # Counted like Intercom counts, contacts without an email too; a sync imports the others.
    selected = [c for c in users if partly_selected(c)]
    assert (partly_read["contact_count"], partly_read["count_method"]) == (len(selected), "local")
    run = await sync(http, tenant, partly["id"])
    emails = {c["email"].strip().lower() for c in users_with_email(selected)}
    assert {c["email"] for c in await all_customers(http, tenant)} == emails
    assert run["counters"]["created"] == len(emails)

    # A new mapping (what the filters see) is counted again too.
    await put(http, tenant, f"/v1/segments/{partly['id']}/mapping", {"entries": EXISTING[:5]})
    for _ in range(300):
        again = (await http.get(f"/v1/segments/{partly['id']}", headers=tenant.headers)).json()
        if again["count_refreshed_at"] > partly_read["count_refreshed_at"]:
            break
        await asyncio.sleep(0.05)
    assert again["count_refreshed_at"] > partly_read["count_refreshed_at"]
    assert (again["contact_count"], again["count_method"]) == (len(selected), "local")


async def test_filters_that_cannot_be_pushed_down_still_sync_exactly_and_say_so(
    http: httpx.AsyncClient,
    tenant: Tenant,
    sandbox_url: str,
    sandbox_workspaces: list[dict[str, Any]],
) -> None:
    workspace = sandbox_workspaces[0]
    integration = await connect_workspace(http, tenant, workspace["access_token"])
    segment = await custom_segment(http, tenant, integration["id"], "Paying, located")

    saved = await save_filters(http, tenant, segment["id"], LOCAL_ONLY)
    run = await sync(http, tenant, segment["id"])

    assert [(p["runs_in"], p["reason"]) for p in saved["placements"]] == [
        ("local", "no_search_equivalent"),
        ("local", "no_search_equivalent"),
    ]
    contacts = await sandbox_contacts(sandbox_url, workspace["app_id"])

    def selected(contact: dict[str, Any]) -> bool:
        mrr = (contact.get("custom_attributes") or {}).get("mrr")
        country = ((contact.get("location") or {}).get("country") or "").strip()
        located = bool(country)
        return located and isinstance(mrr, int | float) and not isinstance(mrr, bool) and mrr > 49.5

    expected = {c["email"].strip().lower() for c in users_with_email(contacts) if selected(c)}
    assert expected
    assert {c["email"] for c in await all_customers(http, tenant)} == expected
    # Every user was read, and those not selected were counted out, as the run says.
    users = [c for c in contacts if c["role"] == "user"]
    assert run["counters"]["fetched"] == len(users)
    assert run["counters"]["skipped_reasons"]["filtered_out"] > 0
    assert {"code": "filters_run_locally"} in [
        {"code": warning["code"]} for warning in run["warnings"]
    ]
    read = await counted(http, tenant, segment["id"])
    users_selected = [c for c in users if selected(c)]
    assert (read["contact_count"], read["count_method"]) == (len(users_selected), "local")


async def test_custom_segments_with_auto_sync_count_against_the_quota(
    http: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    sandbox_workspaces: list[dict[str, Any]],
) -> None:
    tenant = await create_tenant(sessionmaker, nps_campaigns=1)
    integration = await connect_workspace(http, tenant, sandbox_workspaces[0]["access_token"])
    first = await custom_segment(http, tenant, integration["id"], "First")
    second = await custom_segment(http, tenant, integration["id"], "Second")

    on = await http.patch(
        f"/v1/segments/{first['id']}", json={"auto_sync": True}, headers=tenant.headers
    )
    over = await http.patch(
        f"/v1/segments/{second['id']}", json={"auto_sync": True}, headers=tenant.headers
    )

    assert on.status_code == 200, on.text
    assert assert_problem(over, 409)["code"] == "auto_sync_quota_exceeded"
    account = (await http.get("/v1/account", headers=tenant.headers)).json()
    assert account["auto_sync"]["used"] == 1
