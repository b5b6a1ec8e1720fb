"""An event for Intercom survives its worker: killed (SIGKILL) while Intercom is answering its
post, the event is sent again by another worker once the lease lapses, and Intercom's record
holds it once (the post carries the same `created_at`, which Intercom de-duplicates on)."""

from __future__ import annotations

import asyncio
import signal
import time
import uuid
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.config import Settings
from app.domain.models import EventStatus, IntercomEvent
from tests.fixtures.factories import Tenant
from tests.servers import worker_process
from tests.test_customers_api import sandbox_events, synced_users
from tests.test_end_to_end import all_customers


async def event_of(
    sessionmaker: async_sessionmaker[AsyncSession], customer_id: str
) -> IntercomEvent | None:
    async with sessionmaker() as session:
        found: IntercomEvent | None = await session.scalar(
            select(IntercomEvent).where(IntercomEvent.customer_id == uuid.UUID(customer_id))
        )
        return found


async def until(check: Any, timeout_s: float) -> Any:
    deadline = time.monotonic() + timeout_s
    while True:
        result = await check()
        if result is not None or time.monotonic() > deadline:
            return result
        await asyncio.sleep(0.05)


async def test_an_event_is_recorded_once_when_its_worker_dies_while_intercom_answers(
    http: httpx.AsyncClient,
    tenant: Tenant,
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    sandbox_url: str,
    sandbox_workspaces: list[dict[str, Any]],
    redis_cleanup: None,
) -> None:
    workspace = sandbox_workspaces[0]
    quick = settings.model_copy(update={"events_lease_s": 3})
    event_name = f"left-nps-{uuid.uuid4().hex[:6]}"
    with worker_process(quick) as first:
        integration, _ = await synced_users(http, tenant, workspace)
        saved = await http.put(
            f"/v1/integrations/{integration['id']}/settings",
            json={"event_on_survey_unsubscribe": {"enabled": True, "event_name": event_name}},
            headers=tenant.headers,
        )
        assert saved.status_code == 200, saved.text
        leaving = next(c for c in await all_customers(http, tenant) if c["subscribed"])
        async with httpx.AsyncClient(base_url=f"{sandbox_url}/_sandbox") as sandbox:
            await sandbox.put("/faults", json={"latency_ms": 2000})
            try:
                unsubscribed = await http.post(
                    f"/v1/customers/{leaving['id']}/unsubscribe", headers=tenant.headers
                )
                assert unsubscribed.status_code == 200, unsubscribed.text

                async def being_sent() -> IntercomEvent | None:
                    event = await event_of(sessionmaker, leaving["id"])
                    return event if event is not None and event.lease_owner else None

                assert await until(being_sent, 15) is not None, "no worker took the event"
                await asyncio.sleep(0.5)  # the post is on its way; Intercom answers in 2 s
                first.send_signal(signal.SIGKILL)
                first.wait(timeout=10)
            finally:
                await sandbox.put("/faults", json={"latency_ms": 0})

    with worker_process(quick):

        async def sent() -> IntercomEvent | None:
            event = await event_of(sessionmaker, leaving["id"])
            return event if event is not None and event.status == EventStatus.SENT else None

        event = await until(sent, 30)
    assert event is not None, "the event was not sent after its worker died"
    assert event.attempts >= 1, "sent by the first worker: the kill came too late to test"
    recorded = [
        e
        for e in await sandbox_events(sandbox_url, workspace["app_id"])
        if e["event_name"] == event_name
    ]
    assert len(recorded) == 1, recorded
    assert recorded[0]["contact_id"] == event.intercom_contact_id
