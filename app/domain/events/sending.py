"""Sending events to Intercom: a leased job per event, under the workspace's shared rate budget.

The job claims the event (its lease is `due_at`), posts it, and records the outcome, fenced by
its claim. A transient failure (rate limit, outage) is retried with backoff; a permanent one
(the contact is gone: 404; the token refused: the integration then needs reauthorising) is
recorded and not retried. A job killed between the post and the record leaves a lease that
lapses; the event is posted again with the same `created_at`, which Intercom de-duplicates
(INTERCOM.md §5): it is never lost, and never recorded twice by Intercom.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import structlog
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app import metrics
from app.db import count_on_commit
from app.domain.events import outbox as events_outbox
from app.domain.integrations import service as integration_service
from app.domain.integrations.repository import IntegrationRepository
from app.domain.models import EventStatus, Integration, IntercomEvent
from app.domain.outbox.service import unit_of_work
from app.domain.ports import IntercomGateway, JobQueue, SecretCipher
from app.domain.scope import AccountScope
from app.intercom.errors import (
    IntercomAuthError,
    IntercomError,
    IntercomNotFound,
    IntercomRateLimited,
    IntercomServerError,
    IntercomTransportError,
)

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class EventSettings:
    lease: timedelta = timedelta(seconds=60)
    max_attempts: int = 10
    retry_initial: timedelta = timedelta(seconds=5)
    retry_max: timedelta = timedelta(minutes=30)


@dataclass(frozen=True)
class EventPorts:
    sessionmaker: async_sessionmaker[AsyncSession]
    queue: JobQueue
    intercom: IntercomGateway
    cipher: SecretCipher
    settings: EventSettings


async def send(ports: EventPorts, event_id: int, *, attempt: int = 0, owner: str) -> None:
    """Sends the event as the job of its try `attempt`: a job of another try claims nothing (a
    retry's job is sent by the sweeper once its backoff passed)."""
    owner = f"{uuid.uuid4().hex[:12]}@{owner}"[:64]
    event = await _claim(ports, event_id, attempt, owner)
    if event is None:
        return
    account = AccountScope(event.account_id)
    async with ports.sessionmaker() as session:
        integration = await session.scalar(
            select(Integration).where(
                Integration.id == event.integration_id, Integration.account_id == account.id
            )
        )
    try:
        if integration is None or integration.access_token_encrypted is None:
            await _record(ports, event_id, owner, EventStatus.FAILED, "integration_disconnected")
            return
        workspace = integration_service.workspace_for(integration, ports.intercom, ports.cipher)
        await workspace.create_event(
            event_name=event.event_name,
            created_at=event.occurred_at,
            contact_id=event.intercom_contact_id,
            metadata=event.event_metadata,
        )
    except IntercomNotFound:
        await _record(ports, event_id, owner, EventStatus.FAILED, "contact_not_found")
    except IntercomAuthError:
        if await _record(ports, event_id, owner, EventStatus.FAILED, "token_rejected"):
            async with unit_of_work(ports.sessionmaker, ports.queue) as session:
                await IntegrationRepository(session).require_reauth(account, event.integration_id)
    except (IntercomRateLimited, IntercomServerError, IntercomTransportError) as exc:
        await _retry_later(ports, event_id, owner, f"{type(exc).__name__}: {exc.message}")
    except IntercomError as exc:
        await _record(ports, event_id, owner, EventStatus.FAILED, f"intercom_error: {exc.message}")
    except ValueError:  # the token cannot be decrypted with the configured keys
        await _record(ports, event_id, owner, EventStatus.FAILED, "token_undecryptable")
    except Exception as exc:
        log.exception("events.send_crashed", event_id=event_id)
        await _retry_later(ports, event_id, owner, f"{type(exc).__name__} while sending")
    else:
        await _record(ports, event_id, owner, EventStatus.SENT, None)


async def _claim(
    ports: EventPorts, event_id: int, attempt: int, owner: str
) -> IntercomEvent | None:
    async with unit_of_work(ports.sessionmaker, ports.queue) as session:
        claimed: IntercomEvent | None = await session.scalar(
            update(IntercomEvent)
            .where(
                IntercomEvent.id == event_id,
                IntercomEvent.status == EventStatus.PENDING,
                IntercomEvent.attempts == attempt,
                # Unclaimed, or claimed by a job whose lease lapsed.
                IntercomEvent.lease_owner.is_(None) | (IntercomEvent.due_at < func.now()),
            )
            .values(lease_owner=owner, due_at=func.now() + ports.settings.lease)
            .returning(IntercomEvent)
        )
        return claimed


async def _record(
    ports: EventPorts, event_id: int, owner: str, status: EventStatus, error: str | None
) -> bool:
    async with unit_of_work(ports.sessionmaker, ports.queue) as session:
        done = await session.scalar(
            update(IntercomEvent)
            .where(IntercomEvent.id == event_id, IntercomEvent.lease_owner == owner)
            .values(
                status=status,
                last_error=error,
                lease_owner=None,
                due_at=None,
                sent_at=func.now() if status == EventStatus.SENT else None,
                attempts=IntercomEvent.attempts + 1,
            )
            .returning(IntercomEvent.id)
        )
    if status == EventStatus.FAILED:
        log.warning("events.failed", event_id=event_id, error=error)
    return done is not None


async def _retry_later(ports: EventPorts, event_id: int, owner: str, error: str) -> None:
    async with unit_of_work(ports.sessionmaker, ports.queue) as session:
        event = await session.scalar(
            select(IntercomEvent)
            .where(IntercomEvent.id == event_id, IntercomEvent.lease_owner == owner)
            .with_for_update()
        )
        if event is None:
            return
        event.attempts += 1
        event.last_error = error
        event.lease_owner = None
        if event.attempts >= ports.settings.max_attempts:
            event.status = EventStatus.FAILED
            event.due_at = None
            return
        seconds = ports.settings.retry_initial.total_seconds() * 2 ** (event.attempts - 1)
        wait = min(seconds, ports.settings.retry_max.total_seconds()) * random.uniform(0.8, 1.0)
        event.due_at = datetime.now(UTC) + timedelta(seconds=wait)


async def recover_due(ports: EventPorts, limit: int = 200) -> int:
    """Sends again the pending events whose time came: a retry's, a lapsed lease's (its job
    died, perhaps after posting: the repeat is de-duplicated by Intercom), a lost job's."""
    async with unit_of_work(ports.sessionmaker, ports.queue) as session:
        due = (
            await session.scalars(
                select(IntercomEvent)
                .where(
                    IntercomEvent.status == EventStatus.PENDING,
                    IntercomEvent.due_at < func.now(),
                )
                .order_by(IntercomEvent.due_at)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        ).all()
        for event in due:
            if event.lease_owner is not None:
                count_on_commit(session, metrics.LEASE_TAKEOVERS.labels("event"))
                event.attempts += 1
                event.lease_owner = None
                event.last_error = "its worker stopped before it finished"
            if event.attempts >= ports.settings.max_attempts:
                event.status = EventStatus.FAILED
                event.due_at = None
                continue
            event.due_at = func.now() + events_outbox.START_WITHIN
            events_outbox.send(session, event, attempt=event.attempts, again=True)
    return len(due)
