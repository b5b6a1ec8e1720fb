"""Refresh data over HTTP, with the sandbox and the test worker."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.db import transaction
from app.domain.models import Integration, IntercomAttribute
from app.domain.models.integrations import REAUTH_REQUIRED
from tests.fixtures.factories import Tenant, connect_workspace, segments_of
from tests.test_integrations import set_sandbox_latency

pytestmark = pytest.mark.usefixtures("worker")


async def wait_for_refresh(
    http: httpx.AsyncClient, tenant: Tenant, integration_id: str, after: str
) -> dict[str, Any]:
    for _ in range(200):
        response = await http.get(f"/v1/integrations/{integration_id}", headers=tenant.headers)
        refresh: dict[str, Any] = response.json()["refresh"]
        if refresh["status"] not in ("pending", "running") and refresh["refreshed_at"] != after:
            return refresh
        await asyncio.sleep(0.05)
    raise AssertionError(f"the refresh did not end: {refresh}")


async def test_connecting_loads_the_data_attributes_and_schedules_the_periodic_refresh(
    http: httpx.AsyncClient,
    tenant: Tenant,
    sessionmaker: async_sessionmaker[AsyncSession],
    sandbox_workspaces: list[dict[str, Any]],
) -> None:
    integration = await connect_workspace(http, tenant, sandbox_workspaces[0]["access_token"])

    refresh = integration["refresh"]
    assert refresh["status"] == "idle"
    assert refresh["refreshed_at"] is not None
    assert refresh["due_at"] > refresh["refreshed_at"]
    async with sessionmaker() as session:
        attributes = (
            await session.scalars(
                select(IntercomAttribute).where(
                    IntercomAttribute.integration_id == uuid.UUID(integration["id"])
                )
            )
        ).all()
    assert any(a.custom for a in attributes)
    assert any(a.archived for a in attributes)
    assert any(a.name == "email" for a in attributes)


async def test_refresh_is_accepted_and_reloads_the_cache(
    http: httpx.AsyncClient, tenant: Tenant, sandbox_workspaces: list[dict[str, Any]]
) -> None:
    integration = await connect_workspace(http, tenant, sandbox_workspaces[0]["access_token"])
    before = integration["refresh"]["refreshed_at"]

    response = await http.post(
        f"/v1/integrations/{integration['id']}/refresh", headers=tenant.headers
    )
    again = await http.post(f"/v1/integrations/{integration['id']}/refresh", headers=tenant.headers)

    assert response.status_code == 202, response.text
    assert response.json()["status"] in ("pending", "running", "idle")
    assert again.status_code == 202, again.text
    refresh = await wait_for_refresh(http, tenant, integration["id"], before)
    assert refresh["status"] == "idle", refresh
    assert refresh["refreshed_at"] > before
    assert refresh["requested_at"] is None
    assert refresh["error_code"] is None
    segments = await segments_of(http, tenant, integration["id"])
    assert all(s["count_refreshed_at"] == refresh["refreshed_at"] for s in segments), segments


async def test_refresh_of_an_integration_that_needs_a_reconnect_is_409(
    http: httpx.AsyncClient,
    tenant: Tenant,
    sessionmaker: async_sessionmaker[AsyncSession],
    sandbox_workspaces: list[dict[str, Any]],
) -> None:
    integration = await connect_workspace(http, tenant, sandbox_workspaces[0]["access_token"])
    async with transaction(sessionmaker) as session:
        await session.execute(
            update(Integration)
            .where(Integration.id == uuid.UUID(integration["id"]))
            .values(status=REAUTH_REQUIRED)
        )

    response = await http.post(
        f"/v1/integrations/{integration['id']}/refresh", headers=tenant.headers
    )

    assert response.status_code == 409, response.text
    assert response.json()["code"] == "integration_reauth_required"


async def test_refresh_of_an_unknown_integration_is_404(
    http: httpx.AsyncClient, tenant: Tenant
) -> None:
    response = await http.post(f"/v1/integrations/{uuid.uuid4()}/refresh", headers=tenant.headers)
    assert response.status_code == 404


async def test_the_worker_refreshes_an_integration_once_it_is_due(
    http: httpx.AsyncClient,
    tenant: Tenant,
    sessionmaker: async_sessionmaker[AsyncSession],
    sandbox_workspaces: list[dict[str, Any]],
) -> None:
    integration = await connect_workspace(http, tenant, sandbox_workspaces[0]["access_token"])
    before = integration["refresh"]["refreshed_at"]
    async with transaction(sessionmaker) as session:
        await session.execute(
            update(Integration)
            .where(Integration.id == uuid.UUID(integration["id"]))
            .values(refresh_due_at=func.now())
        )

    # The periodic pass (every second in tests) sends the job; nobody asked through the API.
    refresh = await wait_for_refresh(http, tenant, integration["id"], before)

    assert refresh["status"] == "idle", refresh
    assert refresh["requested_at"] is None
    assert refresh["due_at"] > refresh["refreshed_at"] > before


async def test_parallel_refresh_requests_all_answer_the_one_refresh_on_its_way(
    http: httpx.AsyncClient,
    tenant: Tenant,
    sandbox_url: str,
    sandbox_workspaces: list[dict[str, Any]],
) -> None:
    integration = await connect_workspace(http, tenant, sandbox_workspaces[0]["access_token"])
    await set_sandbox_latency(sandbox_url, 200)  # the refresh outlasts the requests
    try:
        responses = await asyncio.gather(
            *(
                http.post(f"/v1/integrations/{integration['id']}/refresh", headers=tenant.headers)
                for _ in range(6)
            )
        )
    finally:
        await set_sandbox_latency(sandbox_url, 0)

    assert {r.status_code for r in responses} == {202}
    assert {r.headers["location"] for r in responses} == {f"/v1/integrations/{integration['id']}"}
    assert {r.json()["status"] for r in responses} <= {"pending", "running"}
    assert len({r.json()["requested_at"] for r in responses}) == 1
