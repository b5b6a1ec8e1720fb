"""The customers API: filters, a customer's detail, unsubscribe and delete, and the events each
sends back to Intercom as the integration's settings ask (written with the change, sent by a
job, recorded once by the sandbox as by Intercom)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.fixtures.factories import Tenant, connect_workspace, create_tenant, segments_of
from tests.test_end_to_end import all_customers, sync_segment

pytestmark = pytest.mark.usefixtures("worker")


async def synced_users(
    http: httpx.AsyncClient, tenant: Tenant, workspace: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    integration = await connect_workspace(http, tenant, workspace["access_token"])
    users = next(
        s for s in await segments_of(http, tenant, integration["id"]) if s["kind"] == "users"
    )
    await sync_segment(http, tenant, users["id"])
    return integration, users


async def sandbox_events(sandbox_url: str, app_id: str) -> list[dict[str, Any]]:
    async with httpx.AsyncClient(base_url=sandbox_url) as client:
        events: list[dict[str, Any]] = (
            await client.get(f"/_sandbox/workspaces/{app_id}/events")
        ).json()
    return events


async def eventually(check: Any, timeout_s: float = 15) -> Any:
    deadline = time.monotonic() + timeout_s
    while True:
        result = await check()
        if result or time.monotonic() > deadline:
            return result
        await asyncio.sleep(0.1)


async def test_a_customer_s_detail_names_its_contacts_and_lists_and_filters_find_it(
    http: httpx.AsyncClient,
    tenant: Tenant,
    sandbox_workspaces: list[dict[str, Any]],
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    integration, users = await synced_users(http, tenant, sandbox_workspaces[0])
    some = (await all_customers(http, tenant))[0]

    detail = await http.get(f"/v1/customers/{some['id']}", headers=tenant.headers)
    assert detail.status_code == 200, detail.text
    body = detail.json()
    assert body["email"] == some["email"]
    [contact] = body["contacts"]
    assert contact["integration_id"] == integration["id"]
    assert contact["winner"] is True
    assert [item["segment_id"] for item in contact["lists"]] == [users["id"]]
    assert contact["lists"][0]["last_synced_at"] is not None

    for params, expected in (
        ({"segment_id": users["id"]}, True),
        ({"integration_id": integration["id"]}, True),
        ({"subscribed": "false"}, some["subscribed"] is False),
    ):
        page = await http.get(
            "/v1/customers", params={**params, "limit": 500}, headers=tenant.headers
        )
        assert page.status_code == 200, page.text
        assert (some["id"] in {c["id"] for c in page.json()["data"]}) is expected, params

    stranger = await create_tenant(sessionmaker)
    for method, path in (
        ("GET", f"/v1/customers/{some['id']}"),
        ("POST", f"/v1/customers/{some['id']}/unsubscribe"),
        ("DELETE", f"/v1/customers/{some['id']}"),
        ("GET", f"/v1/integrations/{integration['id']}/events"),
    ):
        response = await http.request(method, path, headers=stranger.headers)
        assert response.status_code == 404, (method, path, response.text)


async def test_unsubscribe_and_delete_send_the_events_the_settings_ask_for_once(
    http: httpx.AsyncClient,
    tenant: Tenant,
    sandbox_url: str,
    sandbox_workspaces: list[dict[str, Any]],
) -> None:
    workspace = sandbox_workspaces[0]
    integration, _ = await synced_users(http, tenant, workspace)
    saved = await http.put(
        f"/v1/integrations/{integration['id']}/settings",
        json={
            "event_on_survey_unsubscribe": {"enabled": True, "event_name": "left-nps"},
            "event_on_customer_deleted": {"enabled": True, "event_name": "deleted-in-nps"},
        },
        headers=tenant.headers,
    )
    assert saved.status_code == 200, saved.text
    subscribed = [c for c in await all_customers(http, tenant) if c["subscribed"]]
    leaving, deleted = subscribed[0], subscribed[1]
    before = len(await sandbox_events(sandbox_url, workspace["app_id"]))

    first = await http.post(f"/v1/customers/{leaving['id']}/unsubscribe", headers=tenant.headers)
    again = await http.post(f"/v1/customers/{leaving['id']}/unsubscribe", headers=tenant.headers)
    gone = await http.delete(f"/v1/customers/{deleted['id']}", headers=tenant.headers)

    assert first.status_code == again.status_code == 200
    assert first.json()["subscribed"] is False
    [pending] = first.json()["events"]
    assert (pending["event_name"], pending["status"]) == ("left-nps", "pending")
    assert gone.status_code == 204
    assert "content-type" not in gone.headers
    assert (
        await http.get(f"/v1/customers/{deleted['id']}", headers=tenant.headers)
    ).status_code == 404

    async def both_sent() -> list[dict[str, Any]] | None:
        page = await http.get(
            f"/v1/integrations/{integration['id']}/events", headers=tenant.headers
        )
        events: list[dict[str, Any]] = page.json()["data"]
        return events if {e["status"] for e in events} == {"sent"} and len(events) == 2 else None

    events = await eventually(both_sent)
    assert events, "the events were not sent"
    recorded = (await sandbox_events(sandbox_url, workspace["app_id"]))[before:]
    assert sorted(e["event_name"] for e in recorded) == ["deleted-in-nps", "left-nps"]
    contacts = {e["intercom_contact_id"] for e in events}
    assert {e["contact_id"] for e in recorded} == contacts


async def test_an_event_for_a_contact_gone_from_intercom_fails_for_good_and_says_why(
    http: httpx.AsyncClient,
    tenant: Tenant,
    sandbox_url: str,
    sandbox_workspaces: list[dict[str, Any]],
) -> None:
    workspace = sandbox_workspaces[0]
    integration, _ = await synced_users(http, tenant, workspace)
    await http.put(
        f"/v1/integrations/{integration['id']}/settings",
        json={"event_on_survey_unsubscribe": {"enabled": True, "event_name": "left-nps"}},
        headers=tenant.headers,
    )
    target = next(c for c in await all_customers(http, tenant) if c["subscribed"])
    detail = (await http.get(f"/v1/customers/{target['id']}", headers=tenant.headers)).json()
    contact_id = detail["contacts"][0]["intercom_contact_id"]
    async with httpx.AsyncClient(base_url=f"{sandbox_url}/_sandbox") as sandbox:
        deleted = await sandbox.post(
            f"/workspaces/{workspace['app_id']}/mutations",
            json={"kind": "delete", "contact_id": contact_id},
        )
        assert deleted.status_code == 200
        try:
            await http.post(f"/v1/customers/{target['id']}/unsubscribe", headers=tenant.headers)

            async def failed() -> dict[str, Any] | None:
                data = (
                    await http.get(
                        f"/v1/integrations/{integration['id']}/events", headers=tenant.headers
                    )
                ).json()["data"]
                return data[0] if data and data[0]["status"] == "failed" else None

            event = await eventually(failed)
        finally:
            await sandbox.post("/reset", json={})
    assert event is not None, "the event did not fail"
    assert event["last_error"] == "contact_not_found"
    assert event["attempts"] == 1


async def test_customers_are_filtered_by_property_values(
    http: httpx.AsyncClient,
    tenant: Tenant,
    sandbox_workspaces: list[dict[str, Any]],
) -> None:
    await synced_users(http, tenant, sandbox_workspaces[0])
    everyone = await all_customers(http, tenant)
    french = [c for c in everyone if c["properties"].get("country") == "France"]
    assert french, "the sandbox has customers in France"
    assert len(french) < len(everyone)

    async def listed(*filters: str) -> list[dict[str, Any]]:
        response = await http.get(
            "/v1/customers",
            params=[("limit", "500"), *(("property", f) for f in filters)],
            headers=tenant.headers,
        )
        assert response.status_code == 200, response.text
        data: list[dict[str, Any]] = response.json()["data"]
        return data

    assert {c["id"] for c in await listed("country:France")} == {c["id"] for c in french}
    one = french[0]
    both = await listed("country:France", f"email:{one['email'].upper()}")
    assert [c["id"] for c in both] == [one["id"]]
    assert await listed("country:Nowhere") == []

    for bad in ("country", "Country:France", ":France", "country:a\x00b"):
        refused = await http.get("/v1/customers", params={"property": bad}, headers=tenant.headers)
        assert refused.status_code == 422, (bad, refused.text)
        assert refused.json()["errors"][0]["field"] == "query.property"
