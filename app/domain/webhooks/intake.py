"""Receiving Intercom's webhook notifications (INTERCOM.md §7): verified, stored once, queued.

The signature is checked on the raw body before anything parses it. A notification is stored
by its `id` (Intercom delivers at least once: a replay is acknowledged and changes nothing) in
the same transaction as the job that will process it, so that an acknowledged notification is
never lost. Nothing else happens before the answer: Intercom wants one within 5 seconds, and
ranks endpoints slower than 500 ms lower.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import DirectConnection
from app.domain.models import NotificationStatus
from app.domain.outbox import service as outbox
from app.domain.ports import JobQueue
from app.domain.webhooks.errors import NotificationInvalid

log = structlog.get_logger(__name__)

PROCESS_JOB = "webhooks.process"
# Works every new notification no job has taken yet (processing.drain).
DRAIN_JOB = "webhooks.drain"
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
        "contact.lead.added_email",
        "contact.email.updated",
        "contact.merged",
    }
)


def topic_label(topic: str) -> str:
    """The topic as a metric label: Intercom's topics only, any other string a sender makes up
    is `other` (a label per made-up topic would grow the registry without end)."""
    return topic if topic in HANDLED_TOPICS else "other"


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
    topic: str
    # Stored before: a redelivery, acknowledged and ignored.
    duplicate: bool
    # The stored row to process, when it is new and of a handled topic: the caller wakes a
    # drain once it committed (`Wakeups`).
    to_process: int | None = None

    @property
    def outcome(self) -> str:
        if self.duplicate:
            return "duplicate"
        return "stored" if self.to_process is not None else "ignored"


def _store(handled: bool) -> str:
    status = NotificationStatus.PENDING if handled else NotificationStatus.IGNORED
    due_at = (
        f"now() + interval '{int(START_WITHIN.total_seconds())} seconds'" if handled else "NULL"
    )
    return f"""
        INSERT INTO webhook_notifications
            (notification_id, app_id, topic, intercom_created_at, body, status, attempts, due_at)
        VALUES ($1, $2, $3, $4, $5, '{status.value}', 0, {due_at})
        ON CONFLICT (notification_id) DO NOTHING
        RETURNING id
    """


# The answer's only statement, on a connection of its own pool (app.db.DirectPool), is its own
# transaction: one round trip, no BEGIN or COMMIT.
_STORE_HANDLED = _store(handled=True)
_STORE_IGNORED = _store(handled=False)


async def receive(connection: DirectConnection, body: bytes) -> Received:
    """Stores the (verified) notification once. Its row is its own outbox: a job that is never
    queued (Redis down, a crash after the commit) is sent by the sweeper once `due_at` passed,
    so the answer waits for nothing but the commit."""
    envelope = parse(body)
    handled = envelope.topic in HANDLED_TOPICS
    stored: int | None = await connection.fetchval(
        _STORE_HANDLED if handled else _STORE_IGNORED,
        envelope.id,
        envelope.app_id,
        envelope.topic,
        envelope.created_at,
        body,
    )
    if stored is None:
        return Received(envelope.id, envelope.topic, duplicate=True)
    return Received(
        envelope.id, envelope.topic, duplicate=False, to_process=stored if handled else None
    )


class Wakeups:
    """Queues the job that works new notifications (a drain) at most once per `window_s` in
    this process, however many arrive: queueing a job per notification cost a tenth of the
    answer's CPU and three Redis round trips. A drain takes every new notification stored
    before it runs, so that one queued after a commit misses none of it; a drain that is never
    queued (Redis down, a crash in the window) leaves the sweeper to send each notification."""

    def __init__(self, queue: JobQueue, *, window_s: float = 0.05) -> None:
        self._queue = queue
        self._window_s = window_s
        self._scheduled = False
        self._timer: asyncio.TimerHandle | None = None
        self._sending: set[asyncio.Task[None]] = set()

    def wake(self) -> None:
        """After a commit: a drain will run within the window."""
        if self._scheduled:
            return
        self._scheduled = True
        self._timer = asyncio.get_running_loop().call_later(self._window_s, self._fire)

    def _fire(self) -> None:
        if not self._scheduled:  # closed meanwhile: aclose sent it
            return
        self._scheduled = False  # a commit from now on wakes the next drain
        task = asyncio.create_task(self.send_drain(self._queue))
        self._sending.add(task)
        task.add_done_callback(self._sending.discard)

    async def aclose(self) -> None:
        """At shutdown, before the queue's connection closes: a drain for what arrived in the
        last window, and the sends under way finished (the sweeper would get there anyway, a
        minute later)."""
        if self._scheduled:
            self._scheduled = False
            if self._timer is not None:
                self._timer.cancel()
            await self.send_drain(self._queue)
        if self._sending:
            await asyncio.gather(*self._sending, return_exceptions=True)

    @staticmethod
    async def send_drain(queue: JobQueue) -> None:
        try:
            await queue.enqueue(DRAIN_JOB, job_id=f"{DRAIN_JOB}:{uuid.uuid4().hex}")
        except Exception as exc:  # the sweeper sends what it would have drained
            log.warning("webhooks.drain_not_queued", error=type(exc).__name__)


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
