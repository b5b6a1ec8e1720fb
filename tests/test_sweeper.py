"""A run committed without a job (crash between commit and enqueue) is picked up by the sweeper."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest
from arq import ArqRedis
from redis.asyncio import ConnectionPool
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.config import Settings
from app.db import transaction
from app.domain.models import SyncStatus
from app.domain.scope import AccountScope
from app.domain.syncs import service as sync_service
from app.workers import ArqQueue
from tests.fixtures.factories import connect_workspace, create_tenant, segments_of

pytestmark = pytest.mark.usefixtures("worker")


async def test_a_pending_run_whose_job_was_lost_is_enqueued_again_and_finishes(
    http: httpx.AsyncClient,
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    sandbox_workspaces: list[dict[str, Any]],
) -> None:
    tenant = await create_tenant(sessionmaker)
    integration = await connect_workspace(http, tenant, sandbox_workspaces[0]["access_token"])
    segment = next(
        s for s in await segments_of(http, tenant, integration["id"]) if s["kind"] == "leads"
    )
    async with transaction(sessionmaker) as session:
        lost = await sync_service.start(
            session, AccountScope(tenant.account_id), uuid.UUID(segment["id"])
        )

    redis = ArqRedis(ConnectionPool.from_url(settings.redis_url))
    try:
        queue = ArqQueue(redis, settings.queue_name)
        requeued = await sync_service.requeue_stale(
            sessionmaker, queue, older_than=timedelta(seconds=0)
        )
    finally:
        await redis.aclose()

    assert requeued >= 1
    for _ in range(200):
        run = (await http.get(f"/v1/syncs/{lost.id}", headers=tenant.headers)).json()
        if run["status"] != SyncStatus.PENDING and run["status"] != SyncStatus.RUNNING:
            break
        await asyncio.sleep(0.05)
    assert run["status"] == "finished"
    assert run["counters"]["fetched"] == segment["contact_count"]
