"""Events for Intercom, written in the transaction of what caused them.

When a customer unsubscribes from surveys or is deleted here, and the settings of an integration
it came from ask for it, one `intercom_events` row per contact of that integration is written
with the change itself: the event exists exactly when the change does. A job sends it
(sending.py)."""

from __future__ import annotations

import enum
import time
import uuid
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.integrations import settings_service as integration_settings
from app.domain.models import CustomerSource, EventStatus, Integration, IntercomEvent
from app.domain.models.integrations import CONNECTED
from app.domain.outbox import service as outbox
from app.domain.scope import AccountScope

SEND_JOB = "events.send"
# A written event whose job has not taken it within this long is sent again (sweeper).
START_WITHIN = timedelta(minutes=1)


class Cause(enum.StrEnum):
    SURVEY_UNSUBSCRIBE = "unsubscribed_from_surveys"
    CUSTOMER_DELETED = "customer_deleted"


async def record(
    session: AsyncSession, account: AccountScope, customer_id: uuid.UUID, cause: Cause
) -> int:
    """Writes the events the customer's integrations ask for on `cause` (before a delete
    takes its sources away); answers how many."""
    rows = (
        await session.execute(
            select(Integration, CustomerSource.intercom_contact_id)
            .join(CustomerSource, CustomerSource.integration_id == Integration.id)
            .where(
                CustomerSource.account_id == account.id,
                CustomerSource.customer_id == customer_id,
                Integration.account_id == account.id,
                Integration.status == CONNECTED,
            )
            .order_by(Integration.id, CustomerSource.intercom_contact_id)
        )
    ).all()
    occurred_at = int(time.time())
    written = 0
    for integration, contact_id in rows:
        settings = integration_settings.parse(integration.settings)
        wanted = (
            settings.event_on_survey_unsubscribe
            if cause == Cause.SURVEY_UNSUBSCRIBE
            else settings.event_on_customer_deleted
        )
        if not wanted.enabled:
            continue
        event = IntercomEvent(
            account_id=account.id,
            integration_id=integration.id,
            customer_id=customer_id,
            intercom_contact_id=contact_id,
            event_name=wanted.event_name,
            occurred_at=occurred_at,
            # A few flat keys (Intercom keeps 10): what happened, and where.
            event_metadata={"cause": cause.value, "source": "nps"},
            status=EventStatus.PENDING,
            attempts=0,
            due_at=func.now() + START_WITHIN,
        )
        session.add(event)
        await session.flush()
        send(session, event, attempt=0)
        written += 1
    return written


def send(session: AsyncSession, event: IntercomEvent, *, attempt: int, again: bool = False) -> None:
    suffix = f":{uuid.uuid4().hex[:8]}" if again else ""
    outbox.enqueue_after_commit(
        session,
        SEND_JOB,
        job_id=f"{SEND_JOB}:{event.id}:{attempt}{suffix}",
        payload={"event_id": event.id, "attempt": attempt},
        account_id=event.account_id,
    )
