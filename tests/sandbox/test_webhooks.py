"""Signed webhooks with Intercom's delivery rules (INTERCOM.md §7)."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import orjson
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.fixtures.sandbox import Sandbox
from tests.servers import api_server

# The sandbox app's client secret (its default), which signs every workspace's notifications.
APP_SECRET = "sandbox-oauth-secret"


def verify(body: bytes, signature: str, secret: str) -> bool:
    expected = "sha1=" + hmac.new(secret.encode(), body, hashlib.sha1).hexdigest()
    return hmac.compare_digest(expected, signature)


@dataclass
class Receiver:
    """A webhook endpoint that answers from a script: statuses, or a delay to time out."""

    url: str = ""
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    answers: list[int | float] = field(default_factory=list)  # int: status; float: sleep s

    async def handle(self, request: Request) -> Response:
        self.received.append((dict(request.headers), await request.body()))
        answer = self.answers.pop(0) if self.answers else 200
        if isinstance(answer, float):
            await asyncio.sleep(answer)
            return Response(status_code=200)
        return Response(status_code=answer)

    async def wait_for(self, count: int, timeout_s: float = 5.0) -> list[dict[str, Any]]:
        for _ in range(int(timeout_s / 0.02)):
            if len(self.received) >= count:
                break
            await asyncio.sleep(0.02)
        return [orjson.loads(body) for _, body in self.received]


@pytest.fixture
async def receiver(sandbox: Sandbox) -> AsyncIterator[Receiver]:
    receiver = Receiver()
    app = Starlette(routes=[Route("/hooks", receiver.handle, methods=["POST"])])
    async with api_server(app) as url:
        receiver.url = f"{url}/hooks"
        sandbox.control(
            "PUT", "/webhooks", {"url": receiver.url, "retry_delay_s": 0.2, "timeout_s": 0.5}
        )
        yield receiver


@pytest.mark.parametrize(
    ("kind", "topic"),
    [
        ("create", "contact.{role}.created"),
        ("update", "contact.{role}.updated"),
        ("delete", "contact.deleted"),
        ("archive", "contact.archived"),
        ("merge", "contact.merged"),
        ("unsubscribe", "contact.unsubscribed"),
    ],
)
async def test_every_change_is_posted_as_a_signed_notification_event(
    sandbox: Sandbox, receiver: Receiver, kind: str, topic: str
) -> None:
    change = sandbox.mutate(kind)[0]

    [event] = await receiver.wait_for(1)
    headers, body = receiver.received[0]
    role = change["item"].get("role", "")
    assert event["topic"] == change["topic"] == topic.format(role=role)
    assert event["type"] == "notification_event"
    assert event["app_id"] == sandbox.workspace["app_id"]
    assert event["id"].startswith("notif_")
    assert event["data"] == {"type": "notification_event_data", "item": change["item"]}
    assert verify(body, headers["x-hub-signature"], APP_SECRET)


async def test_a_signature_fails_with_any_other_secret_or_a_changed_body(
    sandbox: Sandbox, receiver: Receiver
) -> None:
    sandbox.mutate("update")
    await receiver.wait_for(1)
    headers, body = receiver.received[0]
    signature = headers["x-hub-signature"]
    assert signature.startswith("sha1=")
    assert len(signature) == 45
    # The app signs, not the workspace: a workspace's own client secret does not verify.
    assert not verify(body, signature, sandbox.workspace["client_secret"])
    assert not verify(body, signature, APP_SECRET + "x")
    assert not verify(body.replace(b"contact", b"kontact", 1), signature, APP_SECRET)


async def test_a_failed_delivery_is_retried_once_with_the_same_id(
    sandbox: Sandbox, receiver: Receiver
) -> None:
    receiver.answers = [500, 500]
    sandbox.mutate("update")

    events = await receiver.wait_for(2)
    await asyncio.sleep(0.4)  # no third attempt

    assert len(receiver.received) == 2
    assert events[0]["id"] == events[1]["id"]
    assert [e["delivery_attempts"] for e in events] == [1, 2]
    deliveries = sandbox.control("GET", "/webhooks/deliveries")
    assert [d["status"] for d in deliveries] == [500, 500]


async def test_a_slow_answer_fails_the_delivery_and_the_retry_succeeds(
    sandbox: Sandbox, receiver: Receiver
) -> None:
    receiver.answers = [1.0, 200]
    sandbox.mutate("unsubscribe")

    events = await receiver.wait_for(2)

    assert [e["delivery_attempts"] for e in events] == [1, 2]
    deliveries = sandbox.control("GET", "/webhooks/deliveries")
    assert [(d["status"], d["error"]) for d in deliveries] == [(None, "ReadTimeout"), (200, None)]


async def test_a_410_switches_the_subscription_off(sandbox: Sandbox, receiver: Receiver) -> None:
    receiver.answers = [410]
    sandbox.mutate("update")
    await receiver.wait_for(1)
    await asyncio.sleep(0.3)
    sandbox.mutate("update")
    await asyncio.sleep(0.3)
    assert len(receiver.received) == 1
    assert sandbox.control("GET", "/webhooks")["enabled"] is False


async def test_ping_and_the_background_mutation_rate(sandbox: Sandbox, receiver: Receiver) -> None:
    sandbox.control("POST", "/webhooks/ping", {})
    [ping] = await receiver.wait_for(1)
    assert ping["topic"] == "ping"

    sandbox.control("PUT", "/mutation-rate", {"rate": 20})
    events = await receiver.wait_for(6)
    sandbox.control("PUT", "/mutation-rate", {"rate": 0})
    assert len({e["topic"] for e in events[1:]}) >= 2
