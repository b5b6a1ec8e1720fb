"""Processing stored notifications: a leased job per notification, routed by `app_id` to every
integration connected to that workspace (several accounts may connect one), each applied in a
transaction of its own account.

A job claims the notification's lease (`due_at`), applies it, and marks it processed, fenced by
its claim. A failure is ours, never Intercom's: the notification was acknowledged when stored;
it is tried again with backoff, up to `max_attempts`, then marked failed with its last error
(visible, not lost). A job killed half-way leaves a lease that lapses; the sweeper sends the
notification again. Applying one twice changes nothing the first time did not: a deleted
contact is gone from its lists once, an unsubscribed customer stays unsubscribed.

A notification older than the last sync's reading of a contact changes nothing for it: the sync
saw a newer state of the contact than the one the notification describes.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeGuard

import orjson
import structlog
from pydantic import ValidationError
from sqlalchemy import delete, func, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app import metrics
from app.db import count_on_commit
from app.domain.customers.repository import CustomerRepository
from app.domain.integrations import service as integration_service
from app.domain.integrations import settings_service as integration_settings
from app.domain.integrations.settings import OnUnsubscribedInIntercom
from app.domain.models import (
    ContactTombstone,
    Integration,
    NotificationStatus,
    Segment,
    SegmentKind,
    WebhookNotification,
)
from app.domain.models.integrations import CONNECTED
from app.domain.outbox.service import unit_of_work
from app.domain.ports import IntercomGateway, JobQueue, SecretCipher
from app.domain.scope import AccountScope
from app.domain.syncs import removals
from app.domain.webhooks import contacts, intake
from app.intercom.errors import IntercomNotFound
from app.intercom.models import Contact

log = structlog.get_logger(__name__)

GONE_TOPICS = frozenset({"contact.deleted", "contact.archived", "contact.archive"})
# The item is the contact as it is now: written for the auto-synced lists that hold it.
CHANGED_TOPICS = frozenset(
    {
        "contact.user.created",
        "contact.lead.created",
        "contact.user.updated",
        "contact.lead.updated",
        "contact.lead.signed_up",
        "contact.lead.added_email",
        "contact.email.updated",
    }
)
MERGED_TOPIC = "contact.merged"


@dataclass(frozen=True)
class WebhookSettings:
    # Taken per claim (one notification, or a drain's batch of `drain_batch`): a killed worker's
    # notifications go to another within this plus a sweep (a run measured 6 minutes when it
    # covered a whole job). A slow job that outlives it is fenced: its transaction that would
    # record the work rolls back (LeaseLost), so nothing is applied twice.
    lease: timedelta = timedelta(minutes=2)
    # A drain job claims this many new notifications at a time, and works at most `drain_limit`.
    drain_batch: int = 10
    drain_limit: int = 200
    # How long handled notifications (replays are recognised by them) and tombstones are kept.
    # Intercom redelivers a notification once, a minute later (INTERCOM.md §7).
    retention: timedelta = timedelta(days=7)
    max_attempts: int = 8
    retry_initial: timedelta = timedelta(seconds=5)
    retry_max: timedelta = timedelta(minutes=30)


@dataclass(frozen=True)
class WebhookPorts:
    sessionmaker: async_sessionmaker[AsyncSession]
    queue: JobQueue
    intercom: IntercomGateway
    cipher: SecretCipher
    settings: WebhookSettings


class NotificationUnusable(Exception):
    """The stored body lacks what its topic needs (a contact id): retrying cannot help."""


async def process(ports: WebhookPorts, stored_id: int, attempt: int, *, owner: str) -> None:
    """Works the notification as the job of its try `attempt`: a job of an earlier try (a
    retry is due later) claims nothing."""
    owner = _owner(owner)
    notification = await _claim(ports, stored_id, attempt, owner)
    if notification is not None:
        await _work(ports, notification, owner)


async def drain(ports: WebhookPorts, *, owner: str) -> int:
    """Works the new notifications no job has taken, oldest first, a few at a time (several
    drains share them), for at most `drain_limit` of them: then it passes the rest on to a
    drain of its own, so that no job runs long. The API queues a drain for many notifications
    at once (intake.Wakeups); their first tries have no job each."""
    owner = _owner(owner)
    worked = 0
    while worked < ports.settings.drain_limit:
        async with unit_of_work(ports.sessionmaker, ports.queue) as session:
            new = (
                select(WebhookNotification.id)
                .where(
                    WebhookNotification.status == NotificationStatus.PENDING,
                    WebhookNotification.attempts == 0,
                    WebhookNotification.lease_owner.is_(None),
                )
                .order_by(WebhookNotification.id)
                .limit(ports.settings.drain_batch)
                .with_for_update(skip_locked=True)
            )
            claimed = (
                await session.scalars(
                    update(WebhookNotification)
                    .where(WebhookNotification.id.in_(new.scalar_subquery()))
                    .values(lease_owner=owner, due_at=func.now() + ports.settings.lease)
                    .returning(WebhookNotification)
                )
            ).all()
        if not claimed:
            return worked
        for notification in sorted(claimed, key=lambda row: row.id):
            await _work(ports, notification, owner)
        worked += len(claimed)
    await intake.Wakeups.send_drain(ports.queue)
    return worked


def _owner(worker: str) -> str:
    return f"{uuid.uuid4().hex[:12]}@{worker}"[:64]


async def _work(ports: WebhookPorts, notification: WebhookNotification, owner: str) -> None:
    stored_id = notification.id
    try:
        failures = await _apply(ports, notification, owner)
    except NotificationUnusable as exc:
        await _finish(
            ports, notification, owner, NotificationStatus.FAILED, "unusable", error=str(exc)
        )
    except LeaseLost:
        log.warning("webhooks.lease_lost", notification_id=notification.notification_id)
    except Exception as exc:
        log.exception("webhooks.processing_failed", notification_id=notification.notification_id)
        await _failed_attempt(ports, stored_id, owner, f"{type(exc).__name__}: {exc}"[:500])
    else:
        if failures:
            await _failed_attempt(ports, stored_id, owner, "; ".join(failures)[:500])
        else:
            await _finish(ports, notification, owner, NotificationStatus.PROCESSED, "processed")


async def _claim(
    ports: WebhookPorts, stored_id: int, attempt: int, owner: str
) -> WebhookNotification | None:
    async with unit_of_work(ports.sessionmaker, ports.queue) as session:
        claimed: WebhookNotification | None = await session.scalar(
            update(WebhookNotification)
            .where(
                WebhookNotification.id == stored_id,
                WebhookNotification.status == NotificationStatus.PENDING,
                WebhookNotification.attempts == attempt,
                (WebhookNotification.lease_owner.is_(None))
                | (WebhookNotification.due_at < func.now()),
            )
            .values(lease_owner=owner, due_at=func.now() + ports.settings.lease)
            .returning(WebhookNotification)
        )
        return claimed


async def _apply(ports: WebhookPorts, notification: WebhookNotification, owner: str) -> list[str]:
    """Applies the notification to each connected integration it was not applied to yet, each
    in its own transaction that also records it done; returns the failures (the others are
    done, and a retry will not repeat them)."""
    if notification.topic == "ping":
        await _record(ports, notification.id, owner, None, "pong")
        return []
    body: Any = orjson.loads(notification.body)
    data = body.get("data") if isinstance(body, dict) else None
    item = data.get("item") if isinstance(data, dict) else None
    if not isinstance(item, dict):
        raise NotificationUnusable(f"{notification.topic} without a data.item object")
    contact_id = item.get("id") if isinstance(item, dict) else None
    if not _usable_id(contact_id):
        raise NotificationUnusable(f"{notification.topic} without a usable contact id")
    contact: Contact | None = None
    if notification.topic in CHANGED_TOPICS or notification.topic == MERGED_TOPIC:
        try:
            contact = Contact.model_validate(item)
        except ValidationError as exc:
            fields = sorted({str(error["loc"][0]) for error in exc.errors() if error["loc"]})
            raise NotificationUnusable(
                f"{notification.topic}: invalid contact fields {', '.join(fields)[:200]}"
            ) from None
    merged_from = None
    if notification.topic == MERGED_TOPIC:
        raw_from = item.get("merged_from")
        merged_from = raw_from.get("id") if isinstance(raw_from, dict) else None
        if not _usable_id(merged_from):
            raise NotificationUnusable("contact.merged without a usable merged_from id")
    async with ports.sessionmaker() as session:
        integrations = (
            await session.scalars(
                select(Integration)
                .where(
                    Integration.intercom_app_id == notification.app_id,
                    Integration.status == CONNECTED,
                )
                .order_by(Integration.id)
            )
        ).all()
        asks_intercom = set(
            (
                await session.scalars(
                    select(Segment.integration_id).where(
                        Segment.integration_id.in_([i.id for i in integrations]),
                        Segment.kind == SegmentKind.INTERCOM,
                        Segment.auto_sync.is_(True),
                    )
                )
            ).all()
        )
    if not integrations:
        await _record(ports, notification.id, owner, None, "no connected integration")
        return []
    failures: list[str] = []
    done = set(notification.done_integrations or ())
    for integration in integrations:
        integration_id, account_id = integration.id, integration.account_id
        if integration_id in done:
            continue
        try:
            # Asked before the transaction: no lock is held while Intercom answers.
            segment_ids: set[str] = set()
            if contact is not None and integration_id in asks_intercom:
                segment_ids = await _segments_of(ports, integration, contact_id)
            async with unit_of_work(ports.sessionmaker, ports.queue) as session:
                outcome = await _apply_to(
                    ports,
                    session,
                    AccountScope(account_id),
                    integration_id,
                    notification,
                    contact_id,
                    contact,
                    merged_from,
                    segment_ids,
                )
                await _record_in(session, notification.id, owner, integration_id, outcome)
        except LeaseLost:
            raise
        except Exception as exc:
            log.warning(
                "webhooks.integration_failed",
                notification_id=notification.notification_id,
                integration_id=str(integration_id),
                error=type(exc).__name__,
            )
            failures.append(f"{integration_id}: {type(exc).__name__}: {exc}"[:300])
    return failures


def _usable_id(value: object) -> TypeGuard[str]:
    """An Intercom contact id fit to look up and store: short and printable (a NUL, which
    PostgreSQL's text refuses, made a notification fail try after try instead of at once)."""
    return isinstance(value, str) and 0 < len(value) <= 64 and value.isprintable()


class LeaseLost(Exception):
    """The notification's lease lapsed and another job took it: this one stops, its last
    transaction rolled back."""


async def _record(
    ports: WebhookPorts,
    stored_id: int,
    owner: str,
    integration_id: uuid.UUID | None,
    outcome: str,
) -> None:
    async with unit_of_work(ports.sessionmaker, ports.queue) as session:
        await _record_in(session, stored_id, owner, integration_id, outcome)


async def _record_in(
    session: AsyncSession,
    stored_id: int,
    owner: str,
    integration_id: uuid.UUID | None,
    outcome: str,
) -> None:
    """Adds what was done (for `integration_id`, now done) to the notification, fenced by the
    lease: a job whose lease lapsed rolls its work back."""
    piece = f"{integration_id}: {outcome}" if integration_id is not None else outcome
    done = WebhookNotification.done_integrations
    recorded = await session.scalar(
        update(WebhookNotification)
        .where(WebhookNotification.id == stored_id, WebhookNotification.lease_owner == owner)
        .values(
            outcome=func.concat_ws("; ", WebhookNotification.outcome, piece),
            done_integrations=(
                func.array_append(done, integration_id) if integration_id is not None else done
            ),
        )
        .returning(WebhookNotification.id)
    )
    if recorded is None:
        raise LeaseLost


async def _apply_to(
    ports: WebhookPorts,
    session: AsyncSession,
    account: AccountScope,
    integration_id: uuid.UUID,
    notification: WebhookNotification,
    contact_id: str,
    contact: Contact | None,
    merged_from: str | None,
    known_segment_ids: set[str],
) -> str:
    # Shared: a disconnect or a settings change (which update the row) waits for the
    # notifications being applied, and they for it; notifications do not wait for each other
    # (FOR NO KEY UPDATE, before, applied one notification of a workspace at a time).
    integration = await session.scalar(
        select(Integration)
        .where(Integration.id == integration_id, Integration.account_id == account.id)
        .with_for_update(read=True)
    )
    if integration is None or integration.status != CONNECTED:
        return "disconnected meanwhile"
    # One notification of a contact at a time: another one's transaction may be deciding from
    # what this one is about to change (a delete's tombstone, read by an older update that would
    # otherwise create the customer again once the delete committed). Sorted: no deadlock.
    for contact_key in sorted({contact_id, merged_from or contact_id}):
        await session.execute(
            select(
                func.pg_advisory_xact_lock(
                    func.hashtextextended(f"webhook-contact:{integration_id}:{contact_key}", 0)
                )
            )
        )
    customers = CustomerRepository(session)
    settings = integration_settings.parse(integration.settings)
    if contact is not None and merged_from is not None:
        # A fact whatever the age of the survivor's values: the merged-away contact's lists
        # and (same email) customer are the survivor's; once the survivor is written, the
        # merged-away contact is gone, as a deleted one.
        await contacts.contact_merged(session, account, integration_id, merged_from, contact)
        written = await _write_contact(
            session, account, integration, notification, contact, known_segment_ids
        )
        await removals.contacts_gone(
            session,
            account,
            integration_id,
            [merged_from],
            settings.on_deleted_in_intercom,
            gone_at=notification.intercom_created_at,
        )
        return f"merged from {merged_from}; {written}"
    if contact is not None:
        return await _write_contact(
            session, account, integration, notification, contact, known_segment_ids
        )
    if notification.intercom_created_at is not None and await customers.sources_newer_than(
        account, integration_id, [contact_id], notification.intercom_created_at
    ):
        return "older than the last sync of the contact: nothing changed"
    if notification.topic in GONE_TOPICS:
        on_deleted = settings.on_deleted_in_intercom
        await removals.contacts_gone(
            session,
            account,
            integration_id,
            [contact_id],
            on_deleted,
            gone_at=notification.intercom_created_at,
        )
        return f"deleted in Intercom: {on_deleted}"
    if notification.topic == "contact.unsubscribed":
        if settings.on_unsubscribed_in_intercom == OnUnsubscribedInIntercom.KEEP:
            return "unsubscribed in Intercom: keep"
        count = await customers.unsubscribe_contacts(account, integration_id, [contact_id])
        return f"unsubscribed in Intercom: {count} customer(s) unsubscribed"
    return "not acted on"


async def _write_contact(
    session: AsyncSession,
    account: AccountScope,
    integration: Integration,
    notification: WebhookNotification,
    contact: Contact,
    known_segment_ids: set[str],
) -> str:
    # What the notification knows of the contact dates from its contact's updated_at, else
    # from when it was sent (and is written as of then: undated, it would never be newer).
    if contact.updated_at is None and notification.intercom_created_at is not None:
        contact = contact.model_copy(update={"updated_at": notification.intercom_created_at})
    as_of = contact.updated_at
    if as_of is not None and await CustomerRepository(session).sources_newer_than(
        account, integration.id, [contact.id], as_of
    ):
        return "older than the last sync of the contact: nothing changed"
    gone = await removals.gone_since(session, account, integration.id, contact.id)
    if gone is not None and as_of is not None and gone >= as_of:
        # Deleted, archived or merged away after the state this notification describes (a
        # late delivery, or an order Intercom does not promise).
        return "the contact was gone since: nothing changed"

    async def segment_ids() -> set[str]:
        return known_segment_ids

    return await contacts.contact_changed(session, account, integration, contact, segment_ids)


async def _segments_of(ports: WebhookPorts, integration: Integration, contact_id: str) -> set[str]:
    """The saved segments holding the contact; none when it is gone meanwhile."""
    workspace = integration_service.workspace_for(integration, ports.intercom, ports.cipher)
    try:
        return await workspace.contact_segment_ids(contact_id)
    except IntercomNotFound:
        return set()


async def _finish(
    ports: WebhookPorts,
    notification: WebhookNotification,
    owner: str,
    status: NotificationStatus,
    outcome: str,
    *,
    error: str | None = None,
) -> None:
    async with unit_of_work(ports.sessionmaker, ports.queue) as session:
        finished = await session.scalar(
            update(WebhookNotification)
            .where(
                WebhookNotification.id == notification.id,
                WebhookNotification.lease_owner == owner,
            )
            .values(
                status=status,
                last_error=error,
                lease_owner=None,
                due_at=None,
                processed_at=func.now(),
            )
            .returning(WebhookNotification.id)
        )
        if finished is not None:
            _count(session, notification, outcome)


async def _failed_attempt(ports: WebhookPorts, stored_id: int, owner: str, error: str) -> None:
    settings = ports.settings
    async with unit_of_work(ports.sessionmaker, ports.queue) as session:
        notification = await session.scalar(
            select(WebhookNotification)
            .where(WebhookNotification.id == stored_id, WebhookNotification.lease_owner == owner)
            .with_for_update()
        )
        if notification is None:  # the lease lapsed meanwhile: another job has it
            return
        notification.attempts += 1
        notification.last_error = error
        notification.lease_owner = None
        if notification.attempts >= settings.max_attempts:
            notification.status = NotificationStatus.FAILED
            notification.due_at = None
            notification.processed_at = datetime.now(UTC)
            log.warning("webhooks.gave_up", notification_id=notification.notification_id)
            _count(session, notification, "gave_up")
            return
        _count(session, notification, "retried")
        wait = _backoff(settings, notification.attempts)
        notification.due_at = datetime.now(UTC) + wait
        intake.send(
            session,
            stored_id,
            attempt=notification.attempts,
            not_before=datetime.now(UTC) + wait,
        )


def _count(session: AsyncSession, notification: WebhookNotification, outcome: str) -> None:
    label = intake.topic_label(notification.topic)
    count_on_commit(session, metrics.WEBHOOK_NOTIFICATIONS.labels(label, outcome))


def _backoff(settings: WebhookSettings, attempts: int) -> timedelta:
    seconds = settings.retry_initial.total_seconds() * 2 ** (attempts - 1)
    capped = min(seconds, settings.retry_max.total_seconds())
    return timedelta(seconds=capped * random.uniform(0.8, 1.0))


async def recover_due(ports: WebhookPorts, limit: int = 200) -> int:
    """Sends again the pending notifications whose time came: a lease that lapsed (its job
    died), a job lost with Redis. Each try counts."""
    async with unit_of_work(ports.sessionmaker, ports.queue) as session:
        due = (
            await session.scalars(
                select(WebhookNotification)
                .where(
                    WebhookNotification.status == NotificationStatus.PENDING,
                    WebhookNotification.due_at < func.now(),
                )
                .order_by(WebhookNotification.due_at)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        ).all()
        for notification in due:
            if notification.lease_owner is not None:  # its job died holding it
                count_on_commit(session, metrics.LEASE_TAKEOVERS.labels("webhook"))
                notification.attempts += 1
                notification.lease_owner = None
                notification.last_error = "its worker stopped before it finished"
            if notification.attempts >= ports.settings.max_attempts:
                notification.status = NotificationStatus.FAILED
                notification.due_at = None
                notification.processed_at = datetime.now(UTC)
                _count(session, notification, "gave_up")
                continue
            notification.due_at = func.now() + intake.START_WITHIN
            intake.send(session, notification.id, attempt=notification.attempts, again=True)
    return len(due)


async def purge(ports: WebhookPorts, *, limit: int = 1000) -> int:
    """Forgets, `limit` at a time, the notifications handled longer than the retention ago (a
    pending one is never purged) and the tombstones as old: what guards against replays and
    late deliveries is only needed for minutes, and the rows grew without end."""
    cutoff = datetime.now(UTC) - ports.settings.retention
    async with unit_of_work(ports.sessionmaker, ports.queue) as session:
        old = (
            select(WebhookNotification.id)
            .where(
                WebhookNotification.received_at < cutoff,
                WebhookNotification.status != NotificationStatus.PENDING,
            )
            .limit(limit)
        )
        notifications = await session.execute(
            delete(WebhookNotification).where(WebhookNotification.id.in_(old.scalar_subquery()))
        )
        old_tombstones = (
            select(ContactTombstone.integration_id, ContactTombstone.intercom_contact_id)
            .where(ContactTombstone.recorded_at < cutoff)
            .limit(limit)
        )
        tombstones = await session.execute(
            delete(ContactTombstone).where(
                tuple_(ContactTombstone.integration_id, ContactTombstone.intercom_contact_id).in_(
                    old_tombstones
                )
            )
        )
    return _rowcount(notifications) + _rowcount(tombstones)


def _rowcount(result: Any) -> int:
    return int(getattr(result, "rowcount", 0) or 0)
