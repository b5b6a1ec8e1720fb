"""Integrations over HTTP: rename, and syncs refused while Intercom refuses the stored token."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.db import transaction
from app.domain.models import Integration, SyncRun
from app.domain.models.integrations import REAUTH_REQUIRED
from tests.fixtures.factories import Tenant, connect_workspace, first_segment
from tests.test_bad_input import assert_problem


async def test_an_integration_is_renamed_and_keeps_its_workspace_name(
    http: httpx.AsyncClient, tenant: Tenant, sandbox_workspaces: list[dict[str, Any]]
) -> None:
    integration = await connect_workspace(http, tenant, sandbox_workspaces[0]["access_token"])

    renamed = await http.patch(
        f"/v1/integrations/{integration['id']}",
        json={"name": "  EU support  "},
        headers=tenant.headers,
    )

    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["name"] == "EU support"
    read = (await http.get(f"/v1/integrations/{integration['id']}", headers=tenant.headers)).json()
    assert (read["name"], read["workspace_name"]) == ("EU support", integration["workspace_name"])


@pytest.mark.parametrize(
    "body",
    [{}, {"name": ""}, {"name": "   "}, {"name": "a\x00b"}, {"name": "x" * 101}, {"name": 7}],
)
async def test_a_bad_new_name_is_a_422_naming_the_field_and_changes_nothing(
    http: httpx.AsyncClient,
    tenant: Tenant,
    sandbox_workspaces: list[dict[str, Any]],
    body: dict[str, Any],
) -> None:
    integration = await connect_workspace(http, tenant, sandbox_workspaces[0]["access_token"])

    response = await http.patch(
        f"/v1/integrations/{integration['id']}", json=body, headers=tenant.headers
    )

    problem = assert_problem(response, 422)
    assert problem["errors"][0]["field"] == "body.name"
    read = (await http.get(f"/v1/integrations/{integration['id']}", headers=tenant.headers)).json()
    assert read["name"] == integration["name"]


async def test_sync_now_is_a_409_while_the_integration_needs_reauthorisation(
    http: httpx.AsyncClient,
    tenant: Tenant,
    sessionmaker: async_sessionmaker[AsyncSession],
    sandbox_workspaces: list[dict[str, Any]],
) -> None:
    segment = await first_segment(http, tenant, sandbox_workspaces[0]["access_token"])
    async with transaction(sessionmaker) as session:
        await session.execute(
            update(Integration)
            .where(Integration.id == uuid.UUID(segment["integration_id"]))
            .values(status=REAUTH_REQUIRED)
        )

    response = await http.post(f"/v1/segments/{segment['id']}/syncs", headers=tenant.headers)

    problem = assert_problem(response, 409)
    assert problem["code"] == "integration_reauth_required"
    assert problem["integration_id"] == segment["integration_id"]
    async with sessionmaker() as session:
        runs = await session.scalar(
            select(func.count()).select_from(SyncRun).where(SyncRun.account_id == tenant.account_id)
        )
    assert runs == 0
