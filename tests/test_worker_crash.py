"""A worker killed with SIGKILL mid-sync, or a Redis flush, stalls nothing: another worker
process resumes the run within seconds (the lease is 2 s here) and ends with exactly the
customers and report of an uninterrupted run. Real processes, real PostgreSQL, Redis and sandbox.
"""

from __future__ import annotations

import signal
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from redis.asyncio import Redis
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.config import Settings
from app.db import create_engine, create_sessionmaker
from app.domain.models import SyncRun, SyncStatus
from app.workers.arq_backend import ArqQueue
from tests.conftest import migrated_database
from tests.fixtures.factories import customers_by_email, sync_run
from tests.fixtures.sandbox import Sandbox
from tests.fixtures.syncing import finished, flush_prefix, start_users_sync, wait_until
from tests.servers import worker_process

LEASE_S = 2
COUNTERS = ("fetched", "created", "updated", "unchanged", "skipped", "failed")


@pytest.fixture(scope="module")
def crash_database_url(database_url: str) -> Iterator[str]:
    """A database of the module's own: the session's worker sweeps every run of its database,
    and would take these runs into its own queue."""
    with migrated_database(f"{make_url(database_url).database}_crash") as url:
        yield url


@pytest.fixture(scope="module")
async def sessionmaker(crash_database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(crash_database_url, pool_size=3)
    yield create_sessionmaker(engine)
    await engine.dispose()


@pytest.fixture
def crash_settings(settings: Settings, sandbox: Sandbox, crash_database_url: str) -> Settings:
    # A prefix of the test's own: its "Redis flush" deletes only this test's keys.
    return settings.model_copy(
        update={
            "database_url": crash_database_url,
            "intercom_base_url": sandbox.url,
            "redis_prefix": f"isync-crash-{uuid.uuid4().hex[:8]}",
            "sync_lease_s": LEASE_S,
            "sweep_interval_s": 1,
            "sync_batch_size": 20,
            "intercom_read_concurrency": 2,
        }
    )


@pytest.fixture
async def queue(crash_settings: Settings) -> AsyncIterator[ArqQueue]:
    redis = Redis.from_url(crash_settings.redis_url)
    yield ArqQueue(redis, queue_name=crash_settings.queue_name, prefix=crash_settings.redis_prefix)
    await flush_prefix(redis, crash_settings.redis_prefix)
    await redis.aclose()


async def reference_run(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    queue: ArqQueue,
    sandbox: Sandbox,
) -> tuple[SyncRun, dict[str, Any]]:
    """An uninterrupted run of the same data, by another account."""
    account, run_id = await start_users_sync(
        sessionmaker, settings, queue, sandbox.workspace["access_token"]
    )
    with worker_process(settings):
        run = await wait_until(sessionmaker, run_id, finished)
    return run, await customers_by_email(sessionmaker, account)


@pytest.mark.parametrize("flush_redis", [False, True], ids=["sigkill", "sigkill_and_redis_flush"])
async def test_a_sigkilled_worker_s_run_resumes_on_another_worker_to_the_same_result(
    sessionmaker: async_sessionmaker[AsyncSession],
    crash_settings: Settings,
    queue: ArqQueue,
    sandbox: Sandbox,
    flush_redis: bool,
) -> None:
    clean, clean_customers = await reference_run(sessionmaker, crash_settings, queue, sandbox)
    assert clean.status == SyncStatus.FINISHED
    # Slow pages, so that the kill falls in the middle of the run.
    sandbox.control("PUT", "/faults", {"latency_ms": 150})

    account, run_id = await start_users_sync(
        sessionmaker, crash_settings, queue, sandbox.workspace["access_token"]
    )
    with worker_process(crash_settings) as doomed:
        await wait_until(sessionmaker, run_id, lambda run: run.fetched >= 40)
        doomed.send_signal(signal.SIGKILL)
        doomed.wait(timeout=10)
    killed_at = time.monotonic()
    halfway = await sync_run(sessionmaker, run_id)
    assert halfway.status == SyncStatus.RUNNING
    assert halfway.fetched < clean.fetched
    if flush_redis:
        redis = Redis.from_url(crash_settings.redis_url)
        assert await flush_prefix(redis, crash_settings.redis_prefix) > 0
        await redis.aclose()
    sandbox.control("PUT", "/faults", {"latency_ms": 0})

    with worker_process(crash_settings):
        resumed = await wait_until(sessionmaker, run_id, finished)
    stalled_s = time.monotonic() - killed_at

    assert resumed.status == SyncStatus.FINISHED, resumed.error
    assert [getattr(resumed, c) for c in COUNTERS] == [getattr(clean, c) for c in COUNTERS]
    assert resumed.skipped_reasons == clean.skipped_reasons
    assert await customers_by_email(sessionmaker, account) == clean_customers
    assert resumed.generation >= 1
    # A new worker's start, the lease (2 s), a sweep (1 s) and the rest of the read: seconds,
    # where arq's lock used to hold the run for the job timeout (6 h).
    assert stalled_s < 15


async def test_a_pending_run_whose_job_a_redis_flush_lost_is_sent_again_and_finishes(
    sessionmaker: async_sessionmaker[AsyncSession],
    crash_settings: Settings,
    queue: ArqQueue,
    sandbox: Sandbox,
) -> None:
    _, run_id = await start_users_sync(
        sessionmaker, crash_settings, queue, sandbox.workspace["access_token"]
    )
    redis = Redis.from_url(crash_settings.redis_url)
    assert await flush_prefix(redis, crash_settings.redis_prefix) > 0  # the queued job is gone
    await redis.aclose()

    with worker_process(crash_settings):
        run = await wait_until(sessionmaker, run_id, finished)

    assert run.status == SyncStatus.FINISHED
    assert run.generation >= 1  # the sweeper sent a new job
    assert run.attempts == 0  # a lost job is not a crash
