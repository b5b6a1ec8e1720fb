"""Removals against the sandbox: contacts deleted or archived in Intercom, and contacts that left
a list, are unlinked and counted by the next complete sync, as the integration's settings say."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.fixtures.factories import Tenant, connect_workspace, segments_of
from tests.test_end_to_end import all_customers, sandbox_contacts, sync_segment
from tests.test_mapping_sync import ENTRIES, put, sync

pytestmark = pytest.mark.usefixtures("worker")


@pytest.fixture
async def sandbox(sandbox_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """The session's sandbox, put back to its seeded contacts afterwards: these tests delete
    some."""
    async with httpx.AsyncClient(base_url=sandbox_url, timeout=30) as client:
        try:
            yield client
        finally:
            await client.post("/_sandbox/reset", json={})


async def mutate(sandbox: httpx.AsyncClient, app_id: str, kind: str, contact_id: str) -> Any:
    response = await sandbox.post(
        f"/_sandbox/workspaces/{app_id}/mutations", json={"kind": kind, "contact_id": contact_id}
    )
    assert response.status_code == 200, response.text
    return response.json()["changes"][0]["item"]


def users_with_a_unique_email(contacts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    emails = Counter((c.get("email") or "").strip().lower() for c in contacts)
    return [
        c
        for c in contacts
        if c["role"] == "user"
        and "@" in (c.get("email") or "")
        and emails[c["email"].strip().lower()] == 1
    ]


async def test_contacts_deleted_or_archived_in_intercom_are_removed_as_the_settings_say(
    http: httpx.AsyncClient,
    tenant: Tenant,
    sandbox: httpx.AsyncClient,
    sandbox_url: str,
    sandbox_workspaces: list[dict[str, Any]],
) -> None:
    workspace = sandbox_workspaces[0]
    integration = await connect_workspace(http, tenant, workspace["access_token"])
    await put(
        http,
        tenant,
        f"/v1/integrations/{integration['id']}/settings",
        {"on_deleted_in_intercom": "delete"},
    )
    users = next(
        s for s in await segments_of(http, tenant, integration["id"]) if s["kind"] == "users"
    )
    await sync_segment(http, tenant, users["id"])
    before = {c["email"] for c in await all_customers(http, tenant)}
    doomed = users_with_a_unique_email(await sandbox_contacts(sandbox_url, workspace["app_id"]))[:3]
    for contact, kind in zip(doomed, ("delete", "delete", "archive"), strict=True):
        await mutate(sandbox, workspace["app_id"], kind, contact["id"])

    run = await sync_segment(http, tenant, users["id"])

    assert run["counters"]["removed_reasons"] == {"deleted_in_intercom:delete": 3}
    assert run["counters"]["removed"] == 3
    gone = {c["email"].strip().lower() for c in doomed}
    assert gone <= before
    assert {c["email"] for c in await all_customers(http, tenant)} == before - gone


async def test_a_contact_that_leaves_a_custom_segment_is_unlinked_and_untagged(
    http: httpx.AsyncClient,
    tenant: Tenant,
    sandbox: httpx.AsyncClient,
    sandbox_url: str,
    sandbox_workspaces: list[dict[str, Any]],
) -> None:
    workspace = sandbox_workspaces[0]
    integration = await connect_workspace(http, tenant, workspace["access_token"])
    created = await http.post(
        f"/v1/integrations/{integration['id']}/segments",
        json={"name": "Free trial", "source": "users"},
        headers=tenant.headers,
    )
    trial = created.json()
    path = f"/v1/segments/{trial['id']}"
    await put(http, tenant, f"{path}/mapping", {"entries": ENTRIES})
    await put(http, tenant, f"{path}/settings", {"duplicates": "update", "tag": "Trial"})
    filters = {"groups": [[{"property": "plan", "operator": "is", "value": "Free Trial"}]]}
    await put(http, tenant, f"{path}/filters", filters)
    await sync(http, tenant, trial["id"])
    contacts = await sandbox_contacts(sandbox_url, workspace["app_id"])
    on_trial = [
        c
        for c in users_with_a_unique_email(contacts)
        if ((c.get("custom_attributes") or {}).get("plan") or "").strip().lower() == "free trial"
    ]
    leaver = on_trial[0]
    for _ in range(20):  # an update picks a plan at random: until it is another one
        item = await mutate(sandbox, workspace["app_id"], "update", leaver["id"])
        if (item["custom_attributes"].get("plan") or "").strip().lower() != "free trial":
            break

    run = await sync(http, tenant, trial["id"])

    assert run["counters"]["removed_reasons"] == {"left_segment": 1}
    tagged = await http.get(
        "/v1/customers", params={"tag": "Trial", "limit": 500}, headers=tenant.headers
    )
    emails = {c["email"] for c in tagged.json()["data"]}
    assert leaver["email"].strip().lower() not in emails
    assert len(emails) == len(on_trial) - 1
    # Left the list, still a customer.
    assert leaver["email"].strip().lower() in {
        c["email"] for c in await all_customers(http, tenant)
    }
