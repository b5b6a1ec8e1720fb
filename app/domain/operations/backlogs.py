"""What is waiting in the database for a worker: the figures an operator watches to see that
the workers keep up (docs/operations.md). Not an account's: across the whole deployment."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession


@dataclass(frozen=True)
class Backlog:
    queue: str
    items: int
    oldest_s: float


# One round trip; each part reads its table's partial index of waiting rows. Outbox rows due
# later (a deferred sync's next job) are not waiting yet, so they are not counted.
_BACKLOGS = text(
    """
    SELECT 'outbox', count(*), extract(epoch FROM now() - min(available_at))
      FROM outbox WHERE dispatched_at IS NULL AND available_at <= now()
    UNION ALL
    SELECT 'intercom_events', count(*), extract(epoch FROM now() - min(created_at))
      FROM intercom_events WHERE status = 'pending'
    UNION ALL
    SELECT 'webhook_notifications', count(*), extract(epoch FROM now() - min(received_at))
      FROM webhook_notifications WHERE status = 'pending'
    """
)


async def read(session: AsyncSession) -> list[Backlog]:
    rows = (await session.execute(_BACKLOGS)).all()
    return [Backlog(queue, items, max(0.0, float(oldest or 0))) for queue, items, oldest in rows]
