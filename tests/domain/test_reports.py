"""What a run reports: samples and failures by reason, Intercom usage, progress that only moves
forward, cancel, and the events a client follows it by."""

# ruff: noqa: F811  (the `world` fixture is test_runner's, imported)

from __future__ import annotations

import uuid
from collections.abc import AsyncGenerator
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.db import transaction
from app.domain.models import SyncFailure, SyncRun, SyncStatus
from app.domain.outbox import service as outbox
from app.domain.syncs import commands, events, queries
from app.domain.syncs.errors import SyncNotActive
from app.intercom.models import MalformedContact
from tests.domain.test_runner import World, people, run_queued, start, world  # noqa: F401
from tests.fakes.intercom import contact
from tests.fixtures.factories import customers_by_email, sync_run


async def test_a_run_keeps_a_few_contact_ids_per_reason_and_every_failure(
    world: World, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    world.workspace.contacts = [
        *people(3),
        *(contact(f"none{i}", email=None) for i in range(7)),
        contact("long-name", name="n" * 301),
        MalformedContact(id="m1", problem="invalid fields: role"),
        MalformedContact(id="", problem="no id"),
    ]
    run_id = await start(world, world.users)

    await run_queued(world)

    run = await sync_run(sessionmaker, run_id)
    assert run.skipped_reasons == {"no_email": 7}
    assert run.samples["skipped"]["no_email"] == [f"none{i}" for i in range(5)]
    assert run.samples["failed"] == {
        "value_too_long:name": ["long-name"],
        "malformed_contact": ["m1"],
    }
    async with sessionmaker() as session:
        failures = (
            await session.execute(
                select(SyncFailure.intercom_contact_id, SyncFailure.reason)
                .where(SyncFailure.run_id == run_id)
                .order_by(SyncFailure.id)
            )
        ).all()
    # The item without an id is counted, not listed.
    assert [tuple(row) for row in failures] == [
        ("long-name", "value_too_long:name"),
        ("m1", "malformed_contact"),
    ]
    assert run.failed == 3
    # One count, and the pages of three contacts.
    assert run.intercom_requests == 1 + 5
    assert run.expected == 13


async def test_a_report_that_does_not_reconcile_cannot_be_written(
    world: World, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    run_id = await start(world, world.users)

    async def write(**values: object) -> None:
        async with transaction(sessionmaker) as session:
            await session.execute(update(SyncRun).where(SyncRun.id == run_id).values(**values))

    with pytest.raises(IntegrityError, match="ck_sync_runs_reconciles"):
        await write(fetched=1)
    with pytest.raises(IntegrityError, match="ck_sync_runs_reasons_add_up"):
        await write(fetched=2, skipped=2, skipped_reasons={"no_email": 1})
    await write(fetched=2, skipped=2, skipped_reasons={"no_email": 2})


async def test_a_cancelled_pending_run_never_starts_and_a_finished_one_cannot_be_cancelled(
    world: World, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    world.workspace.contacts = people(5)
    pending = await start(world, world.users)

    async with outbox.unit_of_work(sessionmaker, world.queue) as session:
        cancelled = await commands.cancel(session, world.account, pending)
    async with outbox.unit_of_work(sessionmaker, world.queue) as session:
        again = await commands.cancel(session, world.account, pending)
    await run_queued(world)

    assert cancelled.status == again.status == SyncStatus.CANCELLED
    run = await sync_run(sessionmaker, pending)
    assert (run.status, run.started_at, run.fetched) == (SyncStatus.CANCELLED, None, 0)
    finished = await start(world, world.users)
    await run_queued(world)
    with pytest.raises(SyncNotActive):
        async with outbox.unit_of_work(sessionmaker, world.queue) as session:
            await commands.cancel(session, world.account, finished)


async def test_a_running_run_cancelled_stops_at_its_next_batch_and_keeps_what_it_wrote(
    world: World, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    # Pages of 3 and batches of 4 (the world's settings): each batch is two pages, written
    # while the next two are read. The cancel lands after the fourth page: the first batch is
    # committed, the second may be.
    world.workspace.contacts = people(24)
    run_id = await start(world, world.users)
    reader = world.workspace.reader

    def cancelling_reader(query: Any, **options: Any) -> Any:
        inner = reader(query, **options)
        pages = inner.pages

        async def then_cancel() -> AsyncGenerator[Any, None]:
            served = 0
            async for page in pages():
                yield page
                served += 1
                if served == 4:
                    async with outbox.unit_of_work(sessionmaker, world.queue) as session:
                        await commands.cancel(session, world.account, run_id)

        inner.pages = then_cancel  # type: ignore[method-assign]
        return inner

    world.workspace.reader = cancelling_reader  # type: ignore[method-assign]
    await run_queued(world)

    run = await sync_run(sessionmaker, run_id)
    assert run.status == SyncStatus.CANCELLED
    assert run.fetched in (6, 12)
    # The partial report is what was written.
    assert run.fetched == run.created == len(await customers_by_email(sessionmaker, world.account))


def running(fetched: int, expected: int | None, started_s_ago: float) -> SyncRun:
    now = datetime.now(UTC)
    return SyncRun(
        id=uuid.uuid4(),
        status=SyncStatus.RUNNING,
        fetched=fetched,
        expected=expected,
        started_at=now - timedelta(seconds=started_s_ago),
    )


def test_progress_moves_forward_settles_and_ends_at_100() -> None:
    now = datetime.now(UTC)

    early = queries.progress_of(running(100, 1000, 10), now)
    later = queries.progress_of(running(500, 1000, 50), now)
    grown = queries.progress_of(running(1200, 1000, 120), now)
    done = running(1200, 1000, 120)
    done.status = SyncStatus.FINISHED

    assert (early.percent, later.percent, grown.percent) == (10.0, 50.0, 99.9)
    # The same pace gives the same ETA for what is left.
    assert (early.eta_s, later.eta_s, grown.eta_s) == (90.0, 50.0, 0.0)
    assert queries.progress_of(done, now).percent == 100.0
    assert queries.progress_of(running(0, None, 1), now).percent is None


async def test_events_follow_a_run_to_its_report_and_resume_after_the_last_seen(
    world: World, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    world.workspace.contacts = people(6)
    run_id = await start(world, world.users)
    watchers = events.RunWatchers(sessionmaker, poll_interval_s=0.01)
    watching = aiter(events.watch(watchers, world.account, run_id, last_seen=None))
    first = [await anext(watching)]
    await cast(AsyncGenerator[Any, None], watching).aclose()
    await run_queued(world)

    seen = [e async for e in events.watch(watchers, world.account, run_id, last_seen=None)]
    resumed = [
        e async for e in events.watch(watchers, world.account, run_id, last_seen=first[0].id)
    ]
    after_report = [
        e async for e in events.watch(watchers, world.account, run_id, last_seen=seen[-1].id)
    ]

    assert first[0].kind == "progress"
    assert [e.kind for e in seen] == ["report"]
    assert seen[-1].run.progress.percent == 100.0
    assert [e.kind for e in resumed] == ["report"]
    assert after_report == []
    assert watchers.polled_runs == 0  # no stream left, no poller left


async def test_streams_of_one_run_share_one_poller_and_an_account_has_a_cap(
    world: World, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    world.workspace.contacts = people(6)
    run_id = await start(world, world.users)
    watchers = events.RunWatchers(sessionmaker, poll_interval_s=0.01, streams_per_account=3)
    reservations = [watchers.reserve(world.account) for _ in range(3)]
    with pytest.raises(events.TooManyStreams):
        watchers.reserve(world.account)
    streams = [
        aiter(events.watch(watchers, world.account, run_id, last_seen=None)) for _ in range(3)
    ]
    firsts = [await anext(stream) for stream in streams]
    assert watchers.polled_runs == 1
    assert {e.id for e in firsts} == {firsts[0].id}

    await run_queued(world)
    rests = [[e async for e in stream] for stream in streams]
    lasts = [rest[-1] for rest in rests]
    assert {e.kind for e in lasts} == {"report"}
    reservations[0].release()
    reservations[0].release()  # once only
    watchers.reserve(world.account)
    with pytest.raises(events.TooManyStreams):
        watchers.reserve(world.account)
