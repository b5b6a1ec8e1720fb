"""A sync stopped by Intercom's rate limit is retried later by the queue, and fails cleanly once
the queue's tries are spent (it never stays "running")."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from arq import ArqRedis
from redis.asyncio import ConnectionPool
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.adapters import Adapters
from app.config import Settings
from app.db import transaction
from app.domain.integrations import service as integration_service
from app.domain.integrations.schemas import IntegrationCreate
from app.domain.models import SegmentKind, SyncStatus
from app.domain.scope import AccountScope
from app.domain.segments import service as segment_service
from app.domain.syncs import service as sync_service
from app.domain.syncs.repository import SyncRunRepository
from app.errors import RetryLater
from app.workers.tasks import RUN_SYNC_MAX_TRIES, run_sync
from tests.fixtures.factories import create_tenant
from tests.fixtures.sandbox import Sandbox


@pytest.fixture
async def adapters(settings: Settings, sandbox: Sandbox) -> AsyncIterator[Adapters]:
    isolated = settings.model_copy(
        update={"intercom_base_url": sandbox.url, "redis_prefix": f"test-{uuid.uuid4().hex}"}
    )
    redis = ArqRedis(ConnectionPool.from_url(settings.redis_url))
    built = Adapters.build(isolated, redis)
    yield built
    await built.close()
    await redis.aclose()


async def pending_users_sync(
    adapters: Adapters, sessionmaker: async_sessionmaker[AsyncSession], token: str
) -> uuid.UUID:
    tenant = await create_tenant(sessionmaker)
    scope = AccountScope(tenant.account_id)
    async with transaction(sessionmaker) as session:
        integration = await integration_service.connect_with_token(
            session,
            scope,
            IntegrationCreate(access_token=token),
            intercom=adapters.intercom,
            cipher=adapters.cipher,
        )
        segments = await segment_service.list_for_integration(session, scope, integration.id)
        users = next(s for s in segments if s.kind == SegmentKind.USERS)
        return (await sync_service.start(session, scope, users.id)).id


@pytest.mark.parametrize(("job_try", "retried"), [(1, True), (RUN_SYNC_MAX_TRIES, False)])
async def test_a_sync_the_rate_limit_stops_is_retried_later_then_fails_cleanly(
    adapters: Adapters,
    sessionmaker: async_sessionmaker[AsyncSession],
    sandbox: Sandbox,
    job_try: int,
    retried: bool,
) -> None:
    sync_id = await pending_users_sync(adapters, sessionmaker, sandbox.workspace["access_token"])
    # An hour-long window, already spent by someone else: the reset is far away.
    sandbox.control("PUT", "/rate-limit", {"limit": 1, "window_s": 3600})
    sandbox.control("POST", f"/workspaces/{sandbox.workspace['app_id']}/rate-limit/consume", {})
    ctx: dict[str, Any] = {"adapters": adapters, "job_try": job_try}

    if retried:
        with pytest.raises(RetryLater) as raised:
            await run_sync(ctx, str(sync_id))
        assert raised.value.delay_s > 15
    else:
        await run_sync(ctx, str(sync_id))

    async with sessionmaker() as session:
        run = await SyncRunRepository(session).lock_for_job(sync_id)
    assert run is not None
    if retried:
        assert run.status == SyncStatus.RUNNING  # resumes from its checkpoint on the next try
    else:
        assert run.status == SyncStatus.FAILED
        assert run.error_code == "intercom_rate_limited"
