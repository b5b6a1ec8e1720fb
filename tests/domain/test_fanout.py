"""Fan-out's failure paths, one partition job at a time: a share whose jobs keep crashing, or
that Intercom keeps refusing, fails its run (and its siblings stop); the sweeper gives a lapsed
share to a new job and lets go of the shares of a run that ended. (Real workers reading real
shares: tests/test_sync_fanout.py.)"""

# ruff: noqa: F811  (the `world` fixture is test_runner's, imported)

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.db import transaction
from app.domain.integrations.disconnect import disconnect
from app.domain.models import Customer, PartitionStatus, SyncPartition, SyncRun, SyncStatus
from app.domain.outbox import service as outbox
from app.domain.syncs import fanout
from app.domain.syncs.repository import SyncRunRepository
from app.intercom.errors import IntercomServerError
from app.intercom.paging import Checkpoint, Partition
from tests.domain.test_runner import World, people, run_queued, start, world  # noqa: F401
from tests.fixtures.factories import sync_run


def test_open_ranges_are_dealt_round_robin_into_at_most_so_many_shares() -> None:
    ranges = [Partition(day, day, done=day % 5 == 0) for day in range(1, 11)]  # 5, 10 done

    dealt = fanout.shares(Checkpoint(ranges), 3)

    assert [[p.first_day for p in share.partitions] for share in dealt] == [
        [1, 4, 8],
        [2, 6, 9],
        [3, 7],
    ]
    assert fanout.shares(Checkpoint(ranges[:1]), 3)[0].partitions[0].first_day == 1
    assert fanout.shares(Checkpoint([Partition(1, 1, done=True)]), 3) == []


async def fanned_out(world: World, shares: int = 2) -> uuid.UUID:
    """A running run split into `shares` partitions, each reading the whole fake list (the
    fake reader knows one cursor), with their jobs queued."""
    world.workspace.contacts = people(6)
    run_id = await start(world, world.users)
    world.queue.jobs.clear()
    async with outbox.unit_of_work(world.ports.sessionmaker, world.queue) as session:
        await session.execute(
            update(SyncRun)
            .where(SyncRun.id == run_id)
            .values(
                status=SyncStatus.RUNNING,
                generation=1,
                lease_owner=None,
                lease_expires_at=None,
                checkpoint={"fanned_out": shares},
                partitions=shares,
            )
        )
        for number in range(shares):
            partition = SyncPartition(
                run_id=run_id,
                number=number,
                account_id=world.account.id,
                status=PartitionStatus.PENDING,
                checkpoint=Checkpoint([Partition(None, None, cursor="0")]).to_json(),
                generation=0,
                attempts=0,
                deferrals=0,
                lease_expires_at=datetime.now(UTC) + timedelta(minutes=1),
            )
            session.add(partition)
            await session.flush()
            fanout._send(session, partition)
    return run_id


async def run_partition_jobs(world: World, *, rounds: int = 50) -> None:
    for _ in range(rounds):
        shares = [job for job in world.queue.jobs if job.name == fanout.PARTITION_JOB]
        if not shares:
            return
        job = shares[0]
        world.queue.jobs.remove(job)
        await fanout.run_slice(
            world.ports,
            uuid.UUID(job.kwargs["sync_id"]),
            job.kwargs["number"],
            job.kwargs["generation"],
            owner="worker-1",
        )


async def partitions(
    sessionmaker: async_sessionmaker[AsyncSession], run_id: uuid.UUID
) -> list[SyncPartition]:
    async with sessionmaker() as session:
        rows = await session.scalars(
            select(SyncPartition).where(SyncPartition.run_id == run_id).order_by("number")
        )
        return list(rows)


async def test_shares_read_whole_hand_the_run_back_and_it_finishes(
    world: World, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    run_id = await fanned_out(world)
    await run_partition_jobs(world)

    assert {p.status for p in await partitions(sessionmaker, run_id)} == {PartitionStatus.DONE}
    run = await sync_run(sessionmaker, run_id)
    assert run.checkpoint == {"removing": True}
    assert [job.name for job in world.queue.jobs] == ["syncs.run"]  # removals, then the end
    await run_queued(world)
    assert (await sync_run(sessionmaker, run_id)).status == SyncStatus.FINISHED


async def test_a_share_whose_jobs_keep_crashing_fails_the_run_and_its_sibling_stops(
    world: World, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    run_id = await fanned_out(world)
    world.workspace.fail_after_pages = 0
    world.workspace.failure = RuntimeError("a bug")

    await run_partition_jobs(world)

    run = await sync_run(sessionmaker, run_id)
    assert (run.status, run.error_code) == (SyncStatus.FAILED, "internal_error")
    assert "a share of the sync stopped 3 times" in (run.error or "").lower()
    assert world.queue.jobs == []  # nothing left to run: the sibling's job found the run ended


async def test_a_share_intercom_keeps_refusing_is_deferred_then_fails_the_run(
    world: World, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    run_id = await fanned_out(world, shares=1)
    world.workspace.fail_after_pages = 0
    world.workspace.failure = IntercomServerError("down", status=503)

    await run_partition_jobs(world, rounds=1)
    (share,) = await partitions(sessionmaker, run_id)
    assert (share.deferrals, share.generation) == (1, 1)
    assert world.queue.jobs[0].defer_until is not None  # after a backoff

    await run_partition_jobs(world)
    run = await sync_run(sessionmaker, run_id)
    assert (run.status, run.error_code) == (SyncStatus.FAILED, "intercom_unavailable")


async def test_the_sweeper_resends_a_lapsed_share_and_lets_go_of_an_ended_run_s(
    world: World, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    run_id = await fanned_out(world)
    world.queue.jobs.clear()  # lost with a Redis flush
    async with outbox.unit_of_work(sessionmaker, world.queue) as session:
        await session.execute(
            update(SyncPartition)
            .where(SyncPartition.run_id == run_id, SyncPartition.number == 0)
            .values(lease_owner="dead@worker", lease_expires_at=datetime.now(UTC) - timedelta(1))
        )
        await session.execute(
            update(SyncPartition)
            .where(SyncPartition.run_id == run_id, SyncPartition.number == 1)
            .values(lease_expires_at=datetime.now(UTC) - timedelta(1))
        )

    assert await fanout.recover_lapsed(world.ports) == 2
    dead, lost = await partitions(sessionmaker, run_id)
    assert (dead.attempts, dead.generation, dead.lease_owner) == (1, 1, None)
    assert (lost.attempts, lost.generation) == (0, 1)
    # The old job, if a worker ever sees it, is dropped rather than passed on.
    assert not await fanout.is_current(world.ports, run_id, 1, 0)
    assert await fanout.is_current(world.ports, run_id, 1, 1)
    assert sorted(job.kwargs["number"] for job in world.queue.jobs) == [0, 1]

    async with outbox.unit_of_work(sessionmaker, world.queue) as session:
        await session.execute(
            update(SyncRun).where(SyncRun.id == run_id).values(status=SyncStatus.CANCELLED)
        )
        await session.execute(
            update(SyncPartition)
            .where(SyncPartition.run_id == run_id)
            .values(lease_expires_at=datetime.now(UTC) - timedelta(1))
        )
    world.queue.jobs.clear()
    assert await fanout.recover_lapsed(world.ports) == 2
    assert {p.lease_expires_at for p in await partitions(sessionmaker, run_id)} == {None}
    assert world.queue.jobs == []
    assert await fanout.recover_lapsed(world.ports) == 0


async def test_a_disconnect_waits_for_a_share_s_batch_instead_of_deadlocking_with_it(
    world: World, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    """A share's batch locks its partition, then customers, then the run; a disconnect that
    deletes customers cancels the run first. Cancelling waits for the partitions first, so
    the batch finishes (and finds the run cancelled) before the disconnect takes customers."""
    world.workspace.contacts = people(6)
    await start(world, world.users)
    await run_queued(world)
    run_id = await fanned_out(world)
    outcome: dict[str, str] = {}

    async def share_batch() -> None:
        try:
            async with transaction(sessionmaker) as session:
                await session.execute(
                    select(SyncPartition)
                    .where(SyncPartition.run_id == run_id, SyncPartition.number == 0)
                    .with_for_update()
                )
                await session.execute(
                    select(Customer.id)
                    .where(Customer.account_id == world.account.id)
                    .order_by(Customer.email)
                    .with_for_update()
                )
                await asyncio.sleep(0.3)  # the disconnect starts meanwhile
                running = await SyncRunRepository(session).lock_running(run_id)
                outcome["batch"] = "wrote" if running else "run ended"
        except DBAPIError as exc:
            outcome["batch"] = str(getattr(exc.orig, "sqlstate", exc))

    async def disconnecting() -> None:
        await asyncio.sleep(0.1)
        try:
            async with transaction(sessionmaker) as session:
                await disconnect(
                    session, world.account, world.integration_id, delete_customers=True
                )
            outcome["disconnect"] = "done"
        except DBAPIError as exc:
            outcome["disconnect"] = str(getattr(exc.orig, "sqlstate", exc))

    await asyncio.gather(share_batch(), disconnecting())

    assert outcome == {"batch": "wrote", "disconnect": "done"}
    run = await sync_run(sessionmaker, run_id)
    assert run.status == SyncStatus.CANCELLED
