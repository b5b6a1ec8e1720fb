"""Receiving Intercom's webhook notifications (INTERCOM.md §7): verified, stored once, queued.

The signature is checked on the raw body before anything parses it. A notification is stored
by its `id` (Intercom delivers at least once: a replay is acknowledged and changes nothing) in
the same transaction as the job that will process it, so that an acknowledged notification is
never lost. Nothing else happens before the answer: Intercom wants one within 5 seconds, and
ranks endpoints slower than 500 ms lower.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import structlog
from sqlalchemy import func
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.models import NotificationStatus, WebhookNotification
from app.domain.outbox import service as outbox
from app.domain.ports import JobQueue
from app.domain.webhooks.errors import NotificationInvalid

log = structlog.get_logger(__name__)

PROCESS_JOB = "webhooks.process"
# Intercom caps nothing it documents; a contact with all its attributes is a few KB.
MAX_BODY_BYTES = 256 * 1024
# A stored notification whose job has not taken it within this long is sent again (sweeper).
START_WITHIN = timedelta(minutes=1)

# What processing acts on (processing.py); any other topic is stored and ignored.
HANDLED_TOPICS = frozenset(
    {
        "ping",
        "contact.deleted",
        "contact.archived",
        "contact.archive",  # the 2.5 docs' spelling
        "contact.unsubscribed",
        "contact.user.created",
        "contact.lead.created",
        "contact.user.updated",
        "contact.lead.updated",
        "contact.lead.signed_up",
        "contact.email.updated",
        "contact.merged",
    }
)


def verify(body: bytes, signature: str | None, secret: str) -> bool:
    """`X-Hub-Signature: sha1=<hex>` against HMAC-SHA1 of `body`, compared in constant time."""
    if not signature or not signature.isascii():
        return False
    expected = "sha1=" + hmac.new(secret.encode(), body, hashlib.sha1).hexdigest()
    return hmac.compare_digest(expected.encode(), signature.strip().lower().encode())


@dataclass(frozen=True)
class Envelope:
    id: str
    topic: str
    app_id: str
    created_at: int | None


def parse(body: bytes) -> Envelope:
    try:
        raw: Any = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise NotificationInvalid("body", "is not JSON") from exc
    if not isinstance(raw, dict):
        raise NotificationInvalid("body", "must be a notification_event object")
    fields = {}
    for name, longest in (("id", 128), ("topic", 100), ("app_id", 100)):
        value = raw.get(name)
        if not isinstance(value, str) or not value.strip():
            raise NotificationInvalid(name, "is required, a non-empty string")
        if len(value) > longest or not value.isprintable():
            raise NotificationInvalid(name, f"must be printable and at most {longest} characters")
        fields[name] = value
    created_at = raw.get("created_at")
    if not isinstance(created_at, int) or isinstance(created_at, bool):
        created_at = None
    elif not 0 <= created_at < 2**53:
        created_at = None
    return Envelope(fields["id"], fields["topic"], fields["app_id"], created_at)


@dataclass(frozen=True)
class Received:
    notification_id: str
    # Stored before: a redelivery, acknowledged and ignored.
    duplicate: bool
    # The stored row to process, when it is new and of a handled topic: the caller queues its
    # job once the transaction committed (`queue_job`), after answering.
    to_process: int | None = None


async def receive(session: AsyncSession, body: bytes) -> Received:
    """Stores the (verified) notification once. Its row is its own outbox: a job that is never
    queued (Redis down, a crash after the commit) is sent by the sweeper once `due_at` passed,
    so the answer waits for nothing but the commit."""
    envelope = parse(body)
    handled = envelope.topic in HANDLED_TOPICS
    stored = await session.scalar(
        insert(WebhookNotification)
        .values(
            notification_id=envelope.id,
            app_id=envelope.app_id,
            topic=envelope.topic,
            intercom_created_at=envelope.created_at,
            body=body,
            status=NotificationStatus.PENDING if handled else NotificationStatus.IGNORED,
            attempts=0,
            due_at=func.now() + START_WITHIN if handled else None,
        )
        .on_conflict_do_nothing(index_elements=[WebhookNotification.notification_id])
        .returning(WebhookNotification.id)
    )
    if stored is None:
        return Received(envelope.id, duplicate=True)
    return Received(envelope.id, duplicate=False, to_process=stored if handled else None)


async def queue_job(queue: JobQueue, stored_id: int) -> None:
    """Queues the first try of a stored notification; a failure is the sweeper's to repair."""
    try:
        await queue.enqueue(
            PROCESS_JOB,
            job_id=f"{PROCESS_JOB}:{stored_id}:0",
            stored_id=stored_id,
            attempt=0,
        )
    except Exception as exc:  # Redis down: the sweeper sends it once its due_at passed
        log.warning("webhooks.not_queued", stored_id=stored_id, error=type(exc).__name__)


def send(
    session: AsyncSession,
    stored_id: int,
    *,
    attempt: int,
    not_before: datetime | None = None,
    again: bool = False,
) -> None:
    """Queues the notification's job. `again` (the sweeper) gives it an id never used: a job a
    dead worker took stays the queue's until its timeout, and would swallow a resend of its id
    (a claim is fenced, so two jobs of one notification are harmless)."""
    suffix = f":{uuid.uuid4().hex[:8]}" if again else ""
    outbox.enqueue_after_commit(
        session,
        PROCESS_JOB,
        job_id=f"{PROCESS_JOB}:{stored_id}:{attempt}{suffix}",
        payload={"stored_id": stored_id, "attempt": attempt},
        not_before=not_before if not_before and not_before > datetime.now(UTC) else None,
    )
