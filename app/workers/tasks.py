"""Thin wrappers: each task turns its payload into one domain call."""

from __future__ import annotations

import uuid
from collections.abc import Coroutine
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog

from app.adapters import sync_settings
from app.domain.events import outbox as events_outbox
from app.domain.events import sending
from app.domain.outbox import service as outbox
from app.domain.refresh import service as refresh
from app.domain.schedule import scheduler
from app.domain.syncs import fanout, runner
from app.domain.syncs.commands import RUN_JOB
from app.domain.webhooks import intake, processing
from app.workers import JobContext, PassOn, task

log = structlog.get_logger(__name__)

# A slice works for SYNC_SLICE_S (5 minutes at most); the timeout is a backstop above it. A job
# cut off by it, or killed, leaves a lease that lapses: the sweeper resumes the run.
RUN_TIMEOUT_S = 10 * 60


@task(RUN_JOB, max_tries=3, timeout_s=RUN_TIMEOUT_S)
async def run_sync(job: JobContext, sync_id: str, generation: int) -> None:
    # Every log line of the job names its run (each job is a task of its own: nothing leaks).
    structlog.contextvars.bind_contextvars(sync_id=sync_id)
    await runner.run_slice(
        job.adapters.runner(), uuid.UUID(sync_id), generation, owner=job.worker_id
    )


# A partition job a busy worker passes on goes back to the queue for this long; every pass is
# one of arq's tries, so the limit is high (crashes are the leases' business, not arq's).
PASS_ON_S = 0.5
PASS_ON_MAX_S = 5.0
PASS_ON_LIMIT = 100_000


@task(fanout.PARTITION_JOB, max_tries=PASS_ON_LIMIT, timeout_s=RUN_TIMEOUT_S)
async def run_partition(job: JobContext, sync_id: str, number: int, generation: int) -> None:
    structlog.contextvars.bind_contextvars(sync_id=sync_id, partition=number)
    slots = job.adapters.partition_slots
    if slots.locked():
        ports = job.adapters.runner()
        if not await fanout.is_current(ports, uuid.UUID(sync_id), number, generation):
            return  # superseded (the sweeper sent a newer job) or read: nothing to pass on
        # This worker works its share already: a free worker, or this one later, takes it.
        # Passed on again and again (every worker busy), it comes back less and less often.
        raise PassOn(min(PASS_ON_MAX_S, PASS_ON_S * job.attempt))
    async with slots:
        await fanout.run_slice(
            job.adapters.runner(), uuid.UUID(sync_id), number, generation, owner=job.worker_id
        )


@task(intake.PROCESS_JOB, max_tries=1, timeout_s=5 * 60)
async def process_webhook(job: JobContext, stored_id: int, attempt: int) -> None:
    # One try: a failure is recorded and retried by the notification's own schedule.
    await processing.process(job.adapters.webhooks(), stored_id, attempt, owner=job.worker_id)


@task(intake.DRAIN_JOB, max_tries=1, timeout_s=5 * 60)
async def drain_webhooks(job: JobContext) -> None:
    # What a drain leaves (a failure, a stop) is the notifications' own retries and the sweeper's.
    await processing.drain(job.adapters.webhooks(), owner=job.worker_id)


@task(events_outbox.SEND_JOB, max_tries=1, timeout_s=2 * 60)
async def send_event(job: JobContext, event_id: int, attempt: int = 0) -> None:
    await sending.send(job.adapters.events(), event_id, attempt=attempt, owner=job.worker_id)


# Messages the commit that wrote them has not dispatched within this long are the relay's.
RELAY_AFTER = timedelta(seconds=5)
PURGE_AFTER = timedelta(days=1)


@task("maintenance.sweep", max_tries=1, timeout_s=60, periodic=True)
async def sweep(job: JobContext) -> None:
    """Repairs what crashes leave: runs whose lease lapsed, outbox messages not dispatched."""
    adapters = job.adapters
    # Each step on its own: one that fails (a database blip) does not cost the others a tick.
    recovered = await _step("recover", runner.recover_lapsed(adapters.runner()))
    relayed = await _step(
        "relay", outbox.dispatch(adapters.sessionmaker, adapters.queue, older_than=RELAY_AFTER)
    )
    purged = await _step("purge", outbox.purge(adapters.sessionmaker, older_than=PURGE_AFTER))
    recovered += await _step("webhooks", processing.recover_due(adapters.webhooks()))
    purged += await _step("webhooks_purge", processing.purge(adapters.webhooks()))
    recovered += await _step("events", sending.recover_due(adapters.events()))
    if recovered or relayed or purged:
        log.info("maintenance.swept", recovered=recovered, relayed=relayed, purged=purged)


async def _step(name: str, work: Coroutine[Any, Any, int]) -> int:
    try:
        return await work
    except Exception:
        log.exception("maintenance.step_failed", step=name)
        return 0


@task(refresh.REFRESH_JOB, max_tries=1, timeout_s=5 * 60)
async def run_refresh(job: JobContext, integration_id: str) -> None:
    # One try: a refresh that fails records why and when it is due again; one that dies
    # leaves a lease that lapses, and the periodic pass sends it again.
    await refresh.run(job.adapters.refresher(), uuid.UUID(integration_id), owner=job.worker_id)


@task(
    "refresh.enqueue_due",
    max_tries=1,
    timeout_s=60,
    periodic=True,
    interval_setting="refresh_tick_s",
)
async def enqueue_due_refreshes(job: JobContext) -> None:
    await refresh.enqueue_due(job.adapters.refresher())


@task("schedule.tick", max_tries=1, timeout_s=60, periodic=True, interval_setting="schedule_tick_s")
async def schedule_tick(job: JobContext) -> None:
    """Starts the auto-syncs that are due."""
    adapters = job.adapters
    await scheduler.tick(
        adapters.sessionmaker,
        adapters.queue,
        now=datetime.now(UTC),
        start_within=sync_settings(adapters.settings).start_within,
    )
