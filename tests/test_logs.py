"""The logs of a demo run, as deployed (an API and a worker process at DEBUG): every line is JSON
with a level, a time and an event; every request leaves one `http.request` line with its
request id (and its account id once authenticated); and no line holds a secret, a token, an
email or a query string, whatever the flow put through the service."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import jwt
import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.config import Settings
from app.db import create_engine, create_sessionmaker
from app.domain.models import WebhookNotification
from tests.conftest import JWT_SECRET, OAUTH_REDIRECT_URI, migrated_database
from tests.fixtures.factories import USE_DEFAULT_MAPPING, Tenant, create_tenant, segments_of
from tests.fixtures.sandbox import Sandbox
from tests.fixtures.syncing import finished, wait_until
from tests.servers import api_process, worker_process
from tests.test_oauth import authorize

# Their own Redis prefixes start with the session's: flushed with it at the end.
pytestmark = pytest.mark.usefixtures("redis_cleanup")


@pytest.fixture(scope="module")
def logs_database_url(database_url: str) -> Iterator[str]:
    """The module's own database: the session's worker would otherwise work these runs."""
    with migrated_database(f"{make_url(database_url).database}_logs") as url:
        yield url


def read_lines(*logs: Path) -> list[dict[str, Any]]:
    lines: list[dict[str, Any]] = []
    for log in logs:
        for number, raw in enumerate(log.read_text().splitlines(), 1):
            try:
                line = json.loads(raw)
            except ValueError:
                pytest.fail(f"{log.name}:{number} is not JSON: {raw[:300]}")
            assert {"event", "level", "timestamp"} <= line.keys(), raw[:300]
            lines.append(line)
    return lines


async def test_a_demo_run_logs_json_lines_with_ids_and_no_secret_or_email(
    settings: Settings, sandbox: Sandbox, logs_database_url: str, tmp_path: Path
) -> None:
    own = settings.model_copy(
        update={
            "database_url": logs_database_url,
            "intercom_base_url": sandbox.url,
            "redis_prefix": f"{settings.redis_prefix}-logs-{uuid.uuid4().hex[:8]}",
            "log_level": "DEBUG",
        }
    )
    engine = create_engine(logs_database_url, pool_size=2)
    sessionmaker: async_sessionmaker[AsyncSession] = create_sessionmaker(engine)
    tenant = await create_tenant(sessionmaker)
    second = sandbox.workspaces[1]
    api_log, worker_log = tmp_path / "api.log", tmp_path / "worker.log"
    secrets: set[str] = {tenant.api_key, JWT_SECRET}
    secrets |= {w["access_token"] for w in sandbox.workspaces}
    secrets |= {
        value.get_secret_value()
        for value in (
            own.intercom_client_secret,
            own.oauth_state_secret,
            own.internal_api_token,
            own.jwt_hs256_secret,
            *own.encryption_keys,
        )
        if value is not None
    }
    try:
        with api_process(own, log=api_log) as api, worker_process(own, log=worker_log):
            async with httpx.AsyncClient(base_url=api, timeout=30) as http:
                tokens, emails = await demo(http, tenant, sandbox, sessionmaker)
                secrets |= tokens
                secrets |= await oauth_connect(http, tenant, second["app_id"])
                emails |= await changes_through_webhooks(http, api, sandbox, sessionmaker)
    finally:
        await engine.dispose()
    emails |= {c["email"] for c in sandbox.contacts() if c.get("email")}

    lines = read_lines(api_log, worker_log)
    text = api_log.read_text() + worker_log.read_text()
    for secret in secrets:
        assert secret not in text, "a secret or token is in the logs"
    for email in emails:
        for form in (email, quote(email), quote(email, safe="")):
            assert form not in text, f"an email is in the logs: {email}"
    for statement in ("SELECT", "INSERT", "UPDATE"):
        assert statement not in text, "SQL is in the logs"
    assert "?" not in "".join(str(line.get("path", "")) for line in lines)

    requests = [line for line in lines if line["event"] == "http.request"]
    assert len(requests) >= 12
    assert all(line["request_id"] for line in requests)
    authenticated = [line for line in requests if line["route"].startswith("/v1/segments")]
    assert authenticated
    assert all(line.get("account_id") == str(tenant.account_id) for line in authenticated)
    assert {line.get("logger") for line in lines if "logger" in line} >= {"uvicorn.error"}
    assert any(line.get("sync_id") for line in lines if line["event"].startswith("syncs."))


async def demo(
    http: httpx.AsyncClient,
    tenant: Tenant,
    sandbox: Sandbox,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> tuple[set[str], set[str]]:
    """Connect (a refused token first), sync the users, filter customers by an email, read one,
    unsubscribe it, call once with a JWT and once at an unknown path. Returns the secrets and
    emails the flow put through the service."""
    headers = tenant.headers
    refused = await http.post(
        "/v1/integrations", json={"access_token": "not-a-real-token-0123456789"}, headers=headers
    )
    assert refused.status_code in (401, 422), refused.text
    # Emails where a client should not put them: a query string, an unknown path, an id.
    typed = {"query@example.org", "path@example.org", "id@example.org"}
    assert (await http.get("/v2/unknown", params={"email": "query@example.org"})).status_code == 404
    assert (await http.get("/v2/unknown/path@example.org")).status_code == 404
    assert (await http.get("/v1/customers/id@example.org", headers=headers)).status_code == 422
    connected = await http.post(
        "/v1/integrations",
        json={"access_token": sandbox.workspace["access_token"]},
        headers=headers,
    )
    assert connected.status_code == 201, connected.text
    users = next(
        s for s in await segments_of(http, tenant, connected.json()["id"]) if s["kind"] == "users"
    )
    started = await http.post(
        f"/v1/segments/{users['id']}/syncs", json=USE_DEFAULT_MAPPING, headers=headers
    )
    assert started.status_code == 202, started.text
    await wait_until(sessionmaker, uuid.UUID(started.json()["id"]), finished)
    listed = await http.get("/v1/customers", params={"limit": 20}, headers=headers)
    assert listed.status_code == 200, listed.text
    customers = listed.json()["data"]
    assert customers, "the sync imported no customer"
    customer = customers[0]
    filtered = await http.get(
        "/v1/customers", params={"property": f"email:{customer['email']}"}, headers=headers
    )
    assert filtered.status_code == 200, filtered.text
    assert (await http.get(f"/v1/customers/{customer['id']}", headers=headers)).status_code == 200
    unsubscribed = await http.post(f"/v1/customers/{customer['id']}/unsubscribe", headers=headers)
    assert unsubscribed.status_code == 200, unsubscribed.text
    signed = jwt.encode({"sub": str(tenant.account_id), "exp": int(time.time()) + 600}, JWT_SECRET)
    with_jwt = await http.get("/v1/account", headers={"Authorization": f"Bearer {signed}"})
    assert with_jwt.status_code == 200, with_jwt.text
    return {signed}, {c["email"] for c in customers} | typed


async def oauth_connect(http: httpx.AsyncClient, tenant: Tenant, app_id: str) -> set[str]:
    """The OAuth flow to the second workspace; returns its code and state."""
    started = await http.post(
        "/v1/integrations/oauth",
        json={"redirect_uri": OAUTH_REDIRECT_URI},
        headers=tenant.headers,
    )
    assert started.status_code == 201, started.text
    code, state = await authorize(started.json()["authorize_url"], app_id)
    connected = await http.post(
        "/v1/integrations/oauth/callback",
        json={"code": code, "state": state},
        headers=tenant.headers,
    )
    assert connected.status_code == 201, connected.text
    return {code, state}


async def changes_through_webhooks(
    http: httpx.AsyncClient,
    api: str,
    sandbox: Sandbox,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> set[str]:
    """An email changed in Intercom reaches the API as a signed notification and the worker
    processes it; a forged one is refused. Returns the new email."""
    sandbox.control("PUT", "/webhooks", {"url": f"{api}/v1/webhooks/intercom"})
    contact = next(c for c in sandbox.contacts() if c["role"] == "user" and c.get("email"))
    changed = sandbox.mutate("email", contact["id"])
    forged = await http.post(
        "/v1/webhooks/intercom",
        content=json.dumps({"type": "notification_event", "data": {"item": changed[0]["item"]}}),
        headers={"X-Hub-Signature": "sha1=0000", "Content-Type": "application/json"},
    )
    assert forged.status_code == 401
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        async with sessionmaker() as session:
            statuses = (await session.scalars(select(WebhookNotification.status))).all()
        if statuses and all(status != "pending" for status in statuses):
            break
        await asyncio.sleep(0.1)
    else:
        pytest.fail(f"the notification was not processed: {statuses}")
    return {str(changed[0]["item"]["email"])}
