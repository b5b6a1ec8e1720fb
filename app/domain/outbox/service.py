"""The transactional outbox: work that must follow a commit is written in the same transaction
as the change that calls for it, dispatched right after the commit, and re-dispatched by the
relay when a crash came in between. Jobs now; events to Intercom later (ROADMAP 6)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.domain.models import OutboxMessage
from app.domain.outbox.repository import OutboxRepository
from app.domain.ports import JobQueue

log = structlog.get_logger(__name__)

JOB = "job"
# Where a session keeps the ids of the messages it added, for dispatch after its commit.
_PENDING_KEY = "outbox.pending"
_BATCH = 200


def enqueue_after_commit(
    session: AsyncSession,
    name: str,
    *,
    job_id: str,
    payload: dict[str, Any],
    account_id: uuid.UUID | None = None,
    not_before: datetime | None = None,
) -> None:
    """Asks for job `name` once the session's transaction commits (never if it rolls back)."""
    message = OutboxMessage(
        id=uuid.uuid4(),
        account_id=account_id,
        kind=JOB,
        name=name,
        dedupe_key=job_id,
        payload=payload,
        available_at=not_before or datetime.now(UTC),
        created_at=datetime.now(UTC),
        attempts=0,
    )
    session.add(message)
    session.info.setdefault(_PENDING_KEY, []).append(message.id)


def take_pending(session: AsyncSession) -> list[uuid.UUID]:
    pending: list[uuid.UUID] = session.info.pop(_PENDING_KEY, [])
    return pending


async def dispatch(
    sessionmaker: async_sessionmaker[AsyncSession],
    queue: JobQueue,
    ids: Sequence[uuid.UUID] | None = None,
    *,
    older_than: timedelta = timedelta(seconds=0),
) -> int:
    """Enqueues messages and marks them dispatched. With `ids`: those (right after the commit
    that wrote them). Without: the relay's sweep of everything older than `older_than`. A queue
    failure leaves the message for the relay; enqueueing one twice collapses on its job id."""
    now = datetime.now(UTC)
    async with sessionmaker() as session, session.begin():
        repository = OutboxRepository(session)
        messages = await repository.claim(ids=ids, due_before=now - older_than, limit=_BATCH)
        sent: list[uuid.UUID] = []
        for message in messages:
            try:
                await queue.enqueue(
                    message.name,
                    job_id=message.dedupe_key,
                    defer_until=message.available_at if message.available_at > now else None,
                    **message.payload,
                )
            except Exception as exc:  # the relay tries again; the queue may be down for a while
                message.attempts += 1
                message.last_error = f"{type(exc).__name__}: {exc}"[:500]
                log.warning(
                    "outbox.dispatch_failed", message_id=str(message.id), error=type(exc).__name__
                )
                continue
            sent.append(message.id)
        if sent:
            await repository.mark_dispatched(sent, now)
    return len(sent)


async def dispatch_quietly(
    sessionmaker: async_sessionmaker[AsyncSession], queue: JobQueue, ids: Sequence[uuid.UUID]
) -> None:
    """After a commit: the change is durable, so a dispatch failure is the relay's to repair,
    never the caller's error."""
    if not ids:
        return
    try:
        await dispatch(sessionmaker, queue, ids)
    except Exception as exc:
        log.warning("outbox.dispatch_deferred_to_relay", count=len(ids), error=type(exc).__name__)


async def purge(sessionmaker: async_sessionmaker[AsyncSession], *, older_than: timedelta) -> int:
    async with sessionmaker() as session, session.begin():
        return await OutboxRepository(session).purge_dispatched(datetime.now(UTC) - older_than)


@asynccontextmanager
async def unit_of_work(
    sessionmaker: async_sessionmaker[AsyncSession], queue: JobQueue
) -> AsyncIterator[AsyncSession]:
    """One transaction for a job or a script: commits on success (rolls back on error), then
    dispatches the outbox messages it wrote."""
    async with sessionmaker() as session:
        async with session.begin():
            yield session
        pending = take_pending(session)
    await dispatch_quietly(sessionmaker, queue, pending)
