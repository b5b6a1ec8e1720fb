"""Fan-out: a run over the threshold is split into partitions that real worker processes take
in parallel. It imports exactly what a whole run imports, with the same report; a killed
worker's partitions are taken over through their leases; cancel stops every share; removals
follow the last share. Real processes, real PostgreSQL, Redis and sandbox."""

from __future__ import annotations

import asyncio
import signal
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from typing import Any

import pytest
from redis.asyncio import Redis
from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.config import Settings
from app.db import create_engine, create_sessionmaker
from app.domain.models import PartitionStatus, SegmentMember, SyncPartition, SyncRun, SyncStatus
from app.domain.outbox.service import unit_of_work
from app.domain.syncs import commands
from app.workers.arq_backend import ArqQueue
from tests.conftest import migrated_database
from tests.fixtures.factories import customers_by_email, sync_run
from tests.fixtures.sandbox import Sandbox
from tests.fixtures.syncing import finished, flush_prefix, start_users_sync, wait_until
from tests.servers import sandbox_process, worker_process

LEASE_S = 2
COUNTERS = ("fetched", "created", "updated", "unchanged", "skipped", "failed")
# 2,800 users: the reader splits a list of more than 1,500 contacts into ranges.
CONTACTS = 4000


@pytest.fixture(scope="module")
def own_sandbox() -> Iterator[Sandbox]:
    # Not recorded for the spec check: the other modules check the same responses, and checking
    # this many takes half a minute.
    with sandbox_process("--seed", "11", "--contacts", str(CONTACTS)) as url:
        yield Sandbox(url)


@pytest.fixture(scope="module")
def fanout_database_url(database_url: str) -> Iterator[str]:
    """A database of the module's own: the session's worker would sweep these runs too."""
    with migrated_database(f"{make_url(database_url).database}_fanout") as url:
        yield url


@pytest.fixture(scope="module")
async def sessionmaker(
    fanout_database_url: str,
) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(fanout_database_url, pool_size=3)
    yield create_sessionmaker(engine)
    await engine.dispose()


@pytest.fixture
def fanout_settings(settings: Settings, sandbox: Sandbox, fanout_database_url: str) -> Settings:
    return settings.model_copy(
        update={
            "database_url": fanout_database_url,
            "intercom_base_url": sandbox.url,
            "redis_prefix": f"isync-fanout-{uuid.uuid4().hex[:8]}",
            "sync_lease_s": LEASE_S,
            "sweep_interval_s": 1,
            "sync_batch_size": 100,
            "intercom_read_concurrency": 2,
            "sync_fan_out_above": 500,
            "sync_max_partitions": 8,
            "sync_partitions_per_worker": 1,
        }
    )


@pytest.fixture
async def queue(fanout_settings: Settings) -> AsyncIterator[ArqQueue]:
    redis = Redis.from_url(fanout_settings.redis_url)
    yield ArqQueue(
        redis, queue_name=fanout_settings.queue_name, prefix=fanout_settings.redis_prefix
    )
    await flush_prefix(redis, fanout_settings.redis_prefix)
    await redis.aclose()


async def partitions_of(
    sessionmaker: async_sessionmaker[AsyncSession], run_id: uuid.UUID
) -> list[SyncPartition]:
    async with sessionmaker() as session:
        rows = await session.scalars(
            select(SyncPartition).where(SyncPartition.run_id == run_id).order_by("number")
        )
        return list(rows)


async def whole_run(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    queue: ArqQueue,
    sandbox: Sandbox,
) -> tuple[SyncRun, dict[str, Any]]:
    """The same list read by one run, not fanned out, by another account: the reference."""
    whole = settings.model_copy(update={"sync_fan_out_above": 10**9})
    account, run_id = await start_users_sync(
        sessionmaker, whole, queue, sandbox.workspace["access_token"]
    )
    with worker_process(whole):
        run = await wait_until(sessionmaker, run_id, finished)
    assert run.status == SyncStatus.FINISHED, run.error
    assert await partitions_of(sessionmaker, run_id) == []
    return run, await customers_by_email(sessionmaker, account)


def workers_of(partitions: list[SyncPartition]) -> set[str]:
    # An owner is "<claim token>@<worker id>".
    return {p.lease_owner.split("@", 1)[1] for p in partitions if p.lease_owner}


async def test_a_fanned_out_run_is_read_by_two_workers_and_imports_what_one_run_imports(
    sessionmaker: async_sessionmaker[AsyncSession],
    fanout_settings: Settings,
    queue: ArqQueue,
    sandbox: Sandbox,
) -> None:
    reference, reference_customers = await whole_run(sessionmaker, fanout_settings, queue, sandbox)
    # Pages slow enough that both workers find partitions to take.
    sandbox.control("PUT", "/faults", {"latency_ms": 40})
    account, run_id = await start_users_sync(
        sessionmaker, fanout_settings, queue, sandbox.workspace["access_token"]
    )
    with worker_process(fanout_settings), worker_process(fanout_settings):
        run = await wait_until(sessionmaker, run_id, finished, timeout_s=120)

    assert run.status == SyncStatus.FINISHED, run.error
    partitions = await partitions_of(sessionmaker, run_id)
    assert len(partitions) >= 2
    assert run.partitions == len(partitions)
    assert all(p.status == PartitionStatus.DONE for p in partitions)
    assert len(workers_of(partitions)) == 2
    assert [getattr(run, c) for c in COUNTERS] == [getattr(reference, c) for c in COUNTERS]
    assert run.skipped_reasons == reference.skipped_reasons
    assert run.failed_reasons == reference.failed_reasons
    assert run.expected == reference.expected
    assert run.intercom_requests > 0
    assert await customers_by_email(sessionmaker, account) == reference_customers


async def test_a_killed_worker_s_partitions_are_taken_over_and_the_result_is_the_same(
    sessionmaker: async_sessionmaker[AsyncSession],
    fanout_settings: Settings,
    queue: ArqQueue,
    sandbox: Sandbox,
) -> None:
    reference, reference_customers = await whole_run(sessionmaker, fanout_settings, queue, sandbox)
    sandbox.control("PUT", "/faults", {"latency_ms": 80})
    account, run_id = await start_users_sync(
        sessionmaker, fanout_settings, queue, sandbox.workspace["access_token"]
    )
    with worker_process(fanout_settings):
        with worker_process(fanout_settings) as doomed:

            def doomed_holds_a_share(partitions: list[SyncPartition]) -> bool:
                return any(
                    p.status == PartitionStatus.RUNNING
                    and p.lease_owner is not None
                    and f":{doomed.pid}:" in p.lease_owner
                    for p in partitions
                )

            for _ in range(600):
                if doomed_holds_a_share(await partitions_of(sessionmaker, run_id)):
                    break
                await asyncio.sleep(0.05)
            else:
                raise AssertionError("the second worker never took a partition")
            doomed.send_signal(signal.SIGKILL)
            doomed.wait(timeout=10)
        sandbox.control("PUT", "/faults", {"latency_ms": 0})
        run = await wait_until(sessionmaker, run_id, finished, timeout_s=120)

    assert run.status == SyncStatus.FINISHED, run.error
    partitions = await partitions_of(sessionmaker, run_id)
    assert all(p.status == PartitionStatus.DONE for p in partitions)
    # The killed worker's share went to a new job once its lease lapsed.
    assert any(p.generation >= 1 for p in partitions)
    assert [getattr(run, c) for c in COUNTERS] == [getattr(reference, c) for c in COUNTERS]
    assert await customers_by_email(sessionmaker, account) == reference_customers


async def test_cancel_stops_every_share_and_keeps_what_they_committed(
    sessionmaker: async_sessionmaker[AsyncSession],
    fanout_settings: Settings,
    queue: ArqQueue,
    sandbox: Sandbox,
) -> None:
    sandbox.control("PUT", "/faults", {"latency_ms": 100})
    account, run_id = await start_users_sync(
        sessionmaker, fanout_settings, queue, sandbox.workspace["access_token"]
    )
    with worker_process(fanout_settings), worker_process(fanout_settings):
        await wait_until(
            sessionmaker, run_id, lambda run: run.fetched > fanout_settings.sync_batch_size * 3
        )
        assert await partitions_of(sessionmaker, run_id)
        async with unit_of_work(sessionmaker, queue) as session:
            await commands.cancel(session, account, run_id)
        cancelled = await sync_run(sessionmaker, run_id)
        await asyncio.sleep(LEASE_S + 1)  # a batch in flight rolls back; none follows
        later = await sync_run(sessionmaker, run_id)

    assert later.status == SyncStatus.CANCELLED
    assert [getattr(later, c) for c in COUNTERS] == [getattr(cancelled, c) for c in COUNTERS]
    assert later.fetched < (later.expected or 0)
    customers = await customers_by_email(sessionmaker, account)
    assert len(customers) == later.created


async def test_removals_follow_the_last_share(
    sessionmaker: async_sessionmaker[AsyncSession],
    fanout_settings: Settings,
    queue: ArqQueue,
    sandbox: Sandbox,
) -> None:
    token = sandbox.workspace["access_token"]
    account, first = await start_users_sync(sessionmaker, fanout_settings, queue, token)
    with worker_process(fanout_settings), worker_process(fanout_settings):
        assert (await wait_until(sessionmaker, first, finished, 120)).status == SyncStatus.FINISHED
        users = [c for c in sandbox.contacts() if c["role"] == "user"]
        doomed = [users[0], users[len(users) // 2], users[-1]]
        for contact in doomed:
            sandbox.mutate("delete", contact["id"])
        async with unit_of_work(sessionmaker, queue) as session:
            first_run = await sync_run(sessionmaker, first)
            again = await commands.start(
                session,
                account,
                first_run.segment_id,
                start_within=timedelta(seconds=LEASE_S),
            )
        run = await wait_until(sessionmaker, again.id, finished, 120)

    assert run.status == SyncStatus.FINISHED, run.error
    assert await partitions_of(sessionmaker, run.id)
    assert run.removed == 3
    assert run.removed_reasons == {"deleted_in_intercom:keep": 3}


async def test_shares_through_faults_429s_and_a_moving_workspace_finish_and_remove_exactly(
    sessionmaker: async_sessionmaker[AsyncSession],
    fanout_settings: Settings,
    queue: ArqQueue,
    sandbox: Sandbox,
) -> None:
    token = sandbox.workspace["access_token"]
    sandbox.control(
        "PUT", "/faults", {"error_rate": 0.05, "drop_rate": 0.01, "latency_ms": 40, "fail_next": 2}
    )
    sandbox.control("PUT", "/rate-limit", {"limit": 40, "window_s": 1})
    sandbox.control("PUT", "/mutation-rate", {"rate": 5})
    account, run_id = await start_users_sync(sessionmaker, fanout_settings, queue, token)
    with worker_process(fanout_settings), worker_process(fanout_settings):
        chaotic = await wait_until(sessionmaker, run_id, finished, timeout_s=240)
        sandbox.control("PUT", "/mutation-rate", {"rate": 0})
        await asyncio.sleep(1.5)  # a mutation the sandbox had already scheduled lands first
        sandbox.control("PUT", "/faults", {"error_rate": 0, "drop_rate": 0, "latency_ms": 0})
        sandbox.control("PUT", "/rate-limit", {"limit": 100_000, "window_s": 10})
        async with unit_of_work(sessionmaker, queue) as session:
            again = await commands.start(
                session, account, chaotic.segment_id, start_within=timedelta(seconds=LEASE_S)
            )
        clean = await wait_until(sessionmaker, again.id, finished, timeout_s=240)

    assert chaotic.status == SyncStatus.FINISHED, chaotic.error
    assert chaotic.partitions >= 2
    assert chaotic.intercom_requests > chaotic.fetched / 150
    assert clean.status == SyncStatus.FINISHED, clean.error
    users = {c["id"] for c in sandbox.contacts() if c["role"] == "user"}
    async with sessionmaker() as session:
        linked = set(
            await session.scalars(
                select(SegmentMember.intercom_contact_id).where(
                    SegmentMember.segment_id == chaotic.segment_id
                )
            )
        )
    assert linked == users
