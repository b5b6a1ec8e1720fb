"""A sync under 5 % Intercom errors, dropped connections, 429 bursts and a workspace that changes
while it runs: it finishes, its report reconciles, its progress only moves forward to 100, and the
next clean sync leaves the list holding exactly the workspace's users, having removed every
other member it held."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.domain.models import SegmentMember
from tests.fixtures.factories import USE_DEFAULT_MAPPING, Tenant, connect_workspace, segments_of
from tests.test_end_to_end import sandbox_contacts, sync_segment, wait_for_sync
from tests.test_sync_reports_api import follow, parse_events

pytestmark = pytest.mark.usefixtures("worker")


@pytest.fixture
async def sandbox(sandbox_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """The session's sandbox, put back as it was: no fault, its rate limit, its seeded data."""
    async with httpx.AsyncClient(base_url=f"{sandbox_url}/_sandbox", timeout=30) as client:
        limit = (await client.get("/rate-limit")).json()
        try:
            yield client
        finally:
            await client.put("/mutation-rate", json={"rate": 0})
            await client.put("/faults", json={"error_rate": 0, "drop_rate": 0, "latency_ms": 0})
            await client.put(
                "/rate-limit", json={"limit": limit["limit"], "window_s": limit["window_s"]}
            )
            await client.post("/reset", json={})


async def members(sessionmaker: async_sessionmaker[AsyncSession], segment_id: str) -> set[str]:
    async with sessionmaker() as session:
        rows = await session.scalars(
            select(SegmentMember.intercom_contact_id).where(
                SegmentMember.segment_id == uuid.UUID(segment_id)
            )
        )
        return set(rows.all())


def users_of(contacts: list[dict[str, Any]]) -> set[str]:
    """The list's members once a sync read it: every user, imported or not (one without an
    email still belongs to the list)."""
    return {raw["id"] for raw in contacts if raw.get("role") == "user"}


async def test_a_sync_through_faults_429s_and_a_moving_workspace_reports_and_removes_exactly(
    http: httpx.AsyncClient,
    api_url: str,
    tenant: Tenant,
    sessionmaker: async_sessionmaker[AsyncSession],
    sandbox: httpx.AsyncClient,
    sandbox_url: str,
    sandbox_workspaces: list[dict[str, Any]],
) -> None:
    workspace = sandbox_workspaces[1]
    integration = await connect_workspace(http, tenant, workspace["access_token"])
    users = next(
        s for s in await segments_of(http, tenant, integration["id"]) if s["kind"] == "users"
    )
    await sync_segment(http, tenant, users["id"])
    linked_before = await members(sessionmaker, users["id"])

    # Slow pages, so that the workspace changes under the run (5 mutations a second); 5 % of
    # requests fail and 1 % drop, the first two fail for sure; another app of the workspace
    # spends the rate budget in bursts, so that the run meets 429s.
    await sandbox.put(
        "/faults",
        json={"error_rate": 0.05, "drop_rate": 0.01, "latency_ms": 150, "fail_next": 2},
    )
    await sandbox.put("/rate-limit", json={"limit": 20, "window_s": 1})
    await sandbox.put("/mutation-rate", json={"rate": 5})

    async def burst() -> None:
        await sandbox.post(
            f"/workspaces/{workspace['app_id']}/rate-limit/consume", json={"count": 20}
        )

    async def other_app_bursts() -> None:
        for _ in range(2):
            await asyncio.sleep(1)
            await burst()

    await burst()  # the run's first window is spent before it starts: a fast run meets it too
    bursts = asyncio.create_task(other_app_bursts())
    try:
        started = await http.post(
            f"/v1/segments/{users['id']}/syncs", json=USE_DEFAULT_MAPPING, headers=tenant.headers
        )
        sync_id = started.json()["id"]
        stream = await asyncio.wait_for(follow(api_url, tenant, sync_id), timeout=120)
        chaotic = await wait_for_sync(http, tenant, sync_id)
    finally:
        bursts.cancel()
    await sandbox.put("/mutation-rate", json={"rate": 0})
    await asyncio.sleep(1.5)  # a mutation the sandbox had already scheduled lands first
    await sandbox.put("/faults", json={"error_rate": 0, "drop_rate": 0, "latency_ms": 0})
    await sandbox.put("/rate-limit", json={"limit": 1000, "window_s": 10})

    assert chaotic["status"] == "finished", chaotic
    # The failures were met and retried, and the workspace changed under the run.
    assert chaotic["intercom"]["requests"] > 3 + 2
    assert chaotic["intercom"]["rate_limit_wait_s"] > 0
    counters = chaotic["counters"]
    assert counters["fetched"] == sum(
        counters[key] for key in ("created", "updated", "unchanged", "skipped", "failed")
    )
    events = parse_events(stream)
    percents = [json.loads(event["data"])["progress"]["percent"] or 0.0 for event in events]
    assert percents == sorted(percents)
    assert (events[-1]["event"], percents[-1]) == ("report", 100.0)

    # Still: a clean sync leaves exactly the workspace's users linked, and removes
    # every other member, whether it was deleted, archived, merged or left the list.
    linked_during = await members(sessionmaker, users["id"])
    clean = await sync_segment(http, tenant, users["id"])
    expected = users_of(await sandbox_contacts(sandbox_url, workspace["app_id"]))

    assert await members(sessionmaker, users["id"]) == expected
    assert clean["counters"]["removed"] == len(linked_during - expected)
    assert chaotic["counters"]["removed"] + clean["counters"]["removed"] >= len(
        linked_before - expected
    )
