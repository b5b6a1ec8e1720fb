"""Webhook deliveries with Intercom's rules (INTERCOM.md §7): a signed `notification_event`, a
5-second timeout, one retry after a delay (a minute at Intercom), the same id on the retry, and a
subscription that a 410 Gone switches off."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson

USER_AGENT = "intercom-parrot-service-client/1.0"


def sign(body: bytes, client_secret: str) -> str:
    """`X-Hub-Signature`: HMAC-SHA1 of the raw body, keyed with the app's client secret."""
    digest = hmac.new(client_secret.encode(), body, hashlib.sha1).hexdigest()
    return f"sha1={digest}"


def notification(app_id: str, topic: str, item: dict[str, Any]) -> dict[str, Any]:
    now = int(time.time())
    return {
        "type": "notification_event",
        "app_id": app_id,
        "data": {"type": "notification_event_data", "item": item},
        "links": {},
        "id": f"notif_{uuid.uuid4()}",
        "topic": topic,
        "delivery_status": "pending",
        "delivery_attempts": 1,
        "delivered_at": 0,
        "first_sent_at": now,
        "created_at": now,
        "self": None,
    }


@dataclass
class Delivery:
    notification_id: str
    topic: str
    app_id: str
    attempt: int
    status: int | None
    error: str | None
    sent_at: float

    def as_json(self) -> dict[str, Any]:
        return self.__dict__.copy()


@dataclass
class WebhookDispatcher:
    url: str | None = None
    timeout_s: float = 5.0
    retry_delay_s: float = 60.0
    enabled: bool = True
    deliveries: list[Delivery] = field(default_factory=list)
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)
    _client: httpx.AsyncClient | None = None

    def configure(self, values: dict[str, Any]) -> None:
        for name in ("url", "timeout_s", "retry_delay_s", "enabled"):
            if name in values:
                setattr(self, name, values[name])

    def as_json(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "timeout_s": self.timeout_s,
            "retry_delay_s": self.retry_delay_s,
            "enabled": self.enabled,
        }

    def send(self, app_id: str, client_secret: str, topic: str, item: dict[str, Any]) -> str | None:
        """Schedules a delivery and returns the notification id (None when nobody listens)."""
        if not self.url or not self.enabled:
            return None
        event = notification(app_id, topic, item)
        task = asyncio.get_running_loop().create_task(self._deliver(event, client_secret))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return str(event["id"])

    async def _deliver(self, event: dict[str, Any], client_secret: str) -> None:
        for attempt in (1, 2):
            if attempt == 2:
                await asyncio.sleep(self.retry_delay_s)
            event["delivery_attempts"] = attempt
            body = orjson.dumps(event)
            status, error = await self._post(body, client_secret)
            self.deliveries.append(
                Delivery(
                    event["id"],
                    event["topic"],
                    event["app_id"],
                    attempt,
                    status,
                    error,
                    time.time(),
                )
            )
            if status is not None and 200 <= status < 300:
                return
            if status == 410:  # the receiver asked to be unsubscribed
                self.enabled = False
                return

    async def _post(self, body: bytes, client_secret: str) -> tuple[int | None, str | None]:
        if self.url is None:
            return None, "no url"
        if self._client is None:
            self._client = httpx.AsyncClient()
        try:
            response = await self._client.post(
                self.url,
                content=body,
                headers={
                    "Content-Type": "application/json",
                    "User-Agent": USER_AGENT,
                    "X-Hub-Signature": sign(body, client_secret),
                },
                timeout=self.timeout_s,
            )
        except httpx.HTTPError as exc:
            return None, type(exc).__name__
        return response.status_code, None

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._client is not None:
            await self._client.aclose()
