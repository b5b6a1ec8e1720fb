"""Every resource of account A is invisible to account B: 404, never 403, never data."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.fixtures.factories import connect_workspace, create_tenant, segments_of
from tests.test_end_to_end import wait_for_sync

pytestmark = pytest.mark.usefixtures("worker")


async def test_another_account_gets_404_for_integration_segment_sync_and_sees_no_customers(
    http: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    sandbox_workspaces: list[dict[str, Any]],
) -> None:
    owner = await create_tenant(sessionmaker, "Owner")
    intruder = await create_tenant(sessionmaker, "Intruder")
    integration = await connect_workspace(http, owner, sandbox_workspaces[0]["access_token"])
    segment = (await segments_of(http, owner, integration["id"]))[0]
    started = await http.post(f"/v1/segments/{segment['id']}/syncs", headers=owner.headers)
    sync = await wait_for_sync(http, owner, started.json()["id"])
    assert sync["status"] == "finished"

    for path in (
        f"/v1/integrations/{integration['id']}",
        f"/v1/integrations/{integration['id']}/segments",
        f"/v1/segments/{segment['id']}",
        f"/v1/syncs/{sync['id']}",
    ):
        response = await http.get(path, headers=intruder.headers)
        assert response.status_code == 404, path
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["status"] == 404

    start_for_someone_else = await http.post(
        f"/v1/segments/{segment['id']}/syncs", headers=intruder.headers
    )
    assert start_for_someone_else.status_code == 404
    assert (await http.get("/v1/integrations", headers=intruder.headers)).json() == []
    customers = (await http.get("/v1/customers", headers=intruder.headers)).json()
    assert customers == {"data": [], "next_cursor": None}
    owner_customers = (await http.get("/v1/customers", headers=owner.headers)).json()
    assert owner_customers["data"]


async def test_the_same_workspace_can_be_connected_by_two_accounts_independently(
    http: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    sandbox_workspaces: list[dict[str, Any]],
) -> None:
    first = await create_tenant(sessionmaker)
    second = await create_tenant(sessionmaker)
    token = sandbox_workspaces[0]["access_token"]

    one = await connect_workspace(http, first, token)
    two = await connect_workspace(http, second, token)

    assert one["id"] != two["id"]
    assert [
        i["id"] for i in (await http.get("/v1/integrations", headers=first.headers)).json()
    ] == [one["id"]]
