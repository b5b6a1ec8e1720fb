"""Thin wrappers: each task turns its payload into one domain call."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import structlog

from app.adapters import Adapters
from app.domain.syncs import service as sync_service
from app.errors import RetryLater
from app.workers import task

log = structlog.get_logger(__name__)


def _resources(ctx: dict[str, Any]) -> Adapters:
    adapters: Adapters = ctx["adapters"]
    return adapters


RUN_SYNC_MAX_TRIES = 5


@task(sync_service.RUN_JOB, max_tries=RUN_SYNC_MAX_TRIES, timeout_s=6 * 3600)
async def run_sync(ctx: dict[str, Any], sync_id: str) -> None:
    resources = _resources(ctx)
    try:
        await sync_service.run(
            resources.sessionmaker,
            uuid.UUID(sync_id),
            intercom=resources.intercom,
            cipher=resources.cipher,
            batch_size=resources.settings.sync_batch_size,
            read_concurrency=resources.settings.intercom_read_concurrency,
        )
    except RetryLater:
        if ctx.get("job_try", 1) < RUN_SYNC_MAX_TRIES:
            raise
        # The queue would drop the job after its last try: the run must not stay "running".
        await sync_service.mark_crashed(
            resources.sessionmaker,
            uuid.UUID(sync_id),
            "Intercom kept refusing calls over its rate limit; start the sync again later.",
            code="intercom_rate_limited",
        )
    except Exception:
        log.exception("syncs.crashed", sync_id=sync_id)
        await sync_service.mark_crashed(
            resources.sessionmaker, uuid.UUID(sync_id), "The sync stopped on an internal error."
        )


@task("syncs.requeue_stale", max_tries=1, timeout_s=60)
async def requeue_stale_syncs(ctx: dict[str, Any]) -> None:
    resources = _resources(ctx)
    count = await sync_service.requeue_stale(
        resources.sessionmaker, resources.queue, older_than=timedelta(minutes=1)
    )
    if count:
        log.info("syncs.requeued", count=count)
