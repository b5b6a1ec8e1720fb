"""The walking skeleton end to end over HTTP: connect, list, sync, read, sync again."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.domain.models import Integration
from tests.fixtures.factories import (
    USE_DEFAULT_MAPPING,
    Tenant,
    connect_workspace,
    create_tenant,
    segments_of,
)

pytestmark = pytest.mark.usefixtures("worker")


async def wait_for_sync(http: httpx.AsyncClient, tenant: Tenant, sync_id: str) -> dict[str, Any]:
    for _ in range(600):
        response = await http.get(f"/v1/syncs/{sync_id}", headers=tenant.headers)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        if body["status"] in ("finished", "failed"):
            return body
        await asyncio.sleep(0.05)
    raise AssertionError(f"sync {sync_id} did not finish")


async def sync_segment(http: httpx.AsyncClient, tenant: Tenant, segment_id: str) -> dict[str, Any]:
    response = await http.post(
        f"/v1/segments/{segment_id}/syncs", json=USE_DEFAULT_MAPPING, headers=tenant.headers
    )
    assert response.status_code == 202, response.text
    assert response.headers["location"] == f"/v1/syncs/{response.json()['id']}"
    return await wait_for_sync(http, tenant, response.json()["id"])


async def all_customers(http: httpx.AsyncClient, tenant: Tenant) -> list[dict[str, Any]]:
    """Every customer the API lists, once the listing is settled: it shows a committed customer
    only when no older transaction is still open (anywhere in the cluster: another test's
    worker, a refresh), so it is read until three reads in a row agree."""
    reads: list[list[dict[str, Any]]] = []
    for _ in range(60):
        reads.append(await _list_customers(http, tenant))
        if len(reads) >= 3 and reads[-1] == reads[-2] == reads[-3]:
            break
        await asyncio.sleep(0.05)
    return reads[-1]


async def _list_customers(http: httpx.AsyncClient, tenant: Tenant) -> list[dict[str, Any]]:
    customers: list[dict[str, Any]] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 70}
        if cursor:
            params["cursor"] = cursor
        page = (await http.get("/v1/customers", params=params, headers=tenant.headers)).json()
        customers.extend(page["data"])
        cursor = page["next_cursor"]
        if cursor is None:
            return customers


async def sandbox_contacts(sandbox_url: str, app_id: str) -> list[dict[str, Any]]:
    async with httpx.AsyncClient(base_url=sandbox_url) as client:
        response = await client.get(f"/_sandbox/workspaces/{app_id}/contacts")
    contacts: list[dict[str, Any]] = response.json()
    return contacts


async def test_sync_users_imports_every_user_with_an_email_and_a_second_sync_changes_nothing(
    http: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    sandbox_url: str,
    sandbox_workspaces: list[dict[str, Any]],
) -> None:
    tenant = await create_tenant(sessionmaker)
    workspace = sandbox_workspaces[0]
    integration = await connect_workspace(http, tenant, workspace["access_token"])
    assert integration["intercom_app_id"] == workspace["app_id"]
    assert integration["name"] == "Account 1"
    assert integration["region"] == workspace["region"]
    assert integration["timezone"] == workspace["timezone"]

    contacts = await sandbox_contacts(sandbox_url, workspace["app_id"])
    users = [c for c in contacts if c["role"] == "user"]
    segments = await segments_of(http, tenant, integration["id"])
    by_kind = {s["kind"]: s for s in segments if s["kind"] in ("users", "leads")}
    assert by_kind["users"]["contact_count"] == len(users)
    assert by_kind["leads"]["contact_count"] == len(contacts) - len(users)
    async with httpx.AsyncClient(base_url=sandbox_url) as client:
        response = await client.get(
            "/segments",
            params={"include_count": "true"},
            headers={"Authorization": f"Bearer {workspace['access_token']}"},
        )
    sandbox_segments = response.json()["segments"]
    listed = {
        s["intercom_segment_id"]: s["contact_count"] for s in segments if s["kind"] == "intercom"
    }
    assert listed == {s["id"]: s["count"] for s in sandbox_segments}

    first = await sync_segment(http, tenant, by_kind["users"]["id"])
    assert first["status"] == "finished", first
    emails = {c["email"].strip().lower() for c in users if c["email"].strip()}
    counters = first["counters"]
    assert counters["fetched"] == len(users)
    assert counters["created"] == len(emails)
    assert counters["skipped_reasons"] == {"no_email": len(users) - len(emails)}
    assert counters["failed"] == 0
    customers = await all_customers(http, tenant)
    assert len(customers) == len(emails)
    assert {c["email"] for c in customers} == emails

    second = await sync_segment(http, tenant, by_kind["users"]["id"])
    assert second["status"] == "finished", second
    assert second["counters"]["created"] == 0
    assert second["counters"]["updated"] == 0
    assert second["counters"]["unchanged"] == len(emails)
    assert len(await all_customers(http, tenant)) == len(emails)

    listed_after = {s["id"]: s for s in await segments_of(http, tenant, integration["id"])}
    assert listed_after[by_kind["users"]["id"]]["last_sync"]["id"] == second["id"]


async def test_syncing_an_intercom_segment_imports_exactly_its_members(
    http: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    sandbox_url: str,
    sandbox_workspaces: list[dict[str, Any]],
) -> None:
    tenant = await create_tenant(sessionmaker)
    integration = await connect_workspace(http, tenant, sandbox_workspaces[1]["access_token"])
    segments = await segments_of(http, tenant, integration["id"])
    segment = next(s for s in segments if s["kind"] == "intercom" and s["contact_count"])

    run = await sync_segment(http, tenant, segment["id"])

    assert run["status"] == "finished", run
    assert run["counters"]["fetched"] == segment["contact_count"]
    total = sum(run["counters"][key] for key in ("created", "updated", "unchanged", "skipped"))
    assert total == segment["contact_count"]


async def test_stored_token_is_encrypted_at_rest(
    http: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    sandbox_workspaces: list[dict[str, Any]],
) -> None:
    tenant = await create_tenant(sessionmaker)
    token = sandbox_workspaces[0]["access_token"]
    integration = await connect_workspace(http, tenant, token)

    async with sessionmaker() as session:
        stored = await session.scalar(
            select(Integration.access_token_encrypted).where(
                Integration.account_id == tenant.account_id
            )
        )
    assert stored is not None
    assert token.encode() not in stored
    assert "access_token" not in integration
    assert token not in (await http.get("/v1/integrations", headers=tenant.headers)).text
