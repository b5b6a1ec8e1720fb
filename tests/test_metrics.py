"""Prometheus metrics, scraped from the processes as deployed: an API (uvicorn) and a worker of
their own, on a database of their own, so that every figure is exactly this test's work."""

from __future__ import annotations

import asyncio
import re
import time
import uuid
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from prometheus_client import CollectorRegistry, Counter
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.config import Settings
from app.db import count_on_commit, create_engine, create_sessionmaker
from app.main import create_app
from tests.conftest import migrated_database
from tests.fixtures.factories import (
    USE_DEFAULT_MAPPING,
    connect_workspace,
    create_tenant,
    segments_of,
    sync_run,
)
from tests.fixtures.sandbox import Sandbox
from tests.fixtures.syncing import finished, wait_until
from tests.servers import api_process, api_server, free_port, worker_process

# Their own Redis prefixes start with the session's: flushed with it at the end.
pytestmark = pytest.mark.usefixtures("redis_cleanup")

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]
UUID_LIKE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-")


def scrape(url: str, headers: dict[str, str] | None = None) -> Samples:
    response = httpx.get(url, headers=headers, timeout=5)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return parse(response.text)


def parse(exposition: str) -> Samples:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(exposition)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


@pytest.fixture(scope="module")
def metrics_database_url(database_url: str) -> Iterator[str]:
    """The module's own database: the session's worker would otherwise work these runs."""
    with migrated_database(f"{make_url(database_url).database}_metrics") as url:
        yield url


@pytest.fixture(scope="module")
async def metrics_sessionmaker(
    metrics_database_url: str,
) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(metrics_database_url, pool_size=2)
    yield create_sessionmaker(engine)
    await engine.dispose()


async def test_a_scrape_after_a_sync_and_a_webhook_counts_exactly_what_happened(
    settings: Settings,
    sandbox: Sandbox,
    metrics_database_url: str,
    metrics_sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    worker_port = free_port()
    own = settings.model_copy(
        update={
            "database_url": metrics_database_url,
            "intercom_base_url": sandbox.url,
            "redis_prefix": f"{settings.redis_prefix}-metrics-{uuid.uuid4().hex[:8]}",
            "worker_metrics_port": worker_port,
        }
    )
    tenant = await create_tenant(metrics_sessionmaker)
    with api_process(own) as api, worker_process(own):
        async with httpx.AsyncClient(base_url=api, timeout=30) as http:
            integration = await connect_workspace(http, tenant, sandbox.workspace["access_token"])
            users = next(
                s
                for s in await segments_of(http, tenant, integration["id"])
                if s["kind"] == "users"
            )
            started = await http.post(
                f"/v1/segments/{users['id']}/syncs",
                json=USE_DEFAULT_MAPPING,
                headers=tenant.headers,
            )
            assert started.status_code == 202, started.text
            run = await wait_until(metrics_sessionmaker, uuid.UUID(started.json()["id"]), finished)
            assert run.status == "finished"
            assert run.created > 0

            # A change in Intercom reaches the API as a signed notification, then the worker.
            sandbox.control("PUT", "/webhooks", {"url": f"{api}/v1/webhooks/intercom"})
            changed = sandbox.mutate("update", run_contact_id(sandbox))
            assert changed
            forged = await http.post(
                "/v1/webhooks/intercom", content=b"{}", headers={"X-Hub-Signature": "sha1=00"}
            )
            assert forged.status_code == 401
            topic = "contact.user.updated"
            worker_url = f"http://127.0.0.1:{worker_port}/metrics"
            deadline = time.monotonic() + 30
            while True:
                worker = scrape(worker_url)
                processed = value(
                    worker,
                    "intercom_sync_webhook_notifications_total",
                    topic=topic,
                    outcome="processed",
                )
                if processed or time.monotonic() > deadline:
                    break
                await asyncio.sleep(0.1)
            api_samples = scrape(f"{api}/metrics")

    # The API: its requests by route template and exact status, the run it started, the
    # notifications it stored or refused, and the backlogs of the database.
    assert (
        value(
            api_samples,
            "http_requests_total",
            handler="/v1/segments/{segment_id}/syncs",
            method="POST",
            status="202",
        )
        == 1
    )
    assert (
        value(
            api_samples,
            "http_requests_total",
            handler="/v1/integrations",
            method="POST",
            status="201",
        )
        == 1
    )
    handlers = {
        dict(labels)["handler"] for name, labels in api_samples if name == "http_requests_total"
    }
    assert not any(UUID_LIKE.search(handler) for handler in handlers), handlers
    assert value(api_samples, "intercom_sync_syncs_started_total", trigger="manual") == 1
    assert (
        value(
            api_samples, "intercom_sync_webhook_notifications_total", topic=topic, outcome="stored"
        )
        == 1
    )
    assert (
        value(
            api_samples,
            "intercom_sync_webhook_notifications_total",
            topic="other",
            outcome="refused",
        )
        == 1
    )
    assert value(api_samples, "intercom_sync_intercom_requests_total", status="200") >= 1
    for queue in ("outbox", "intercom_events", "webhook_notifications"):
        assert ("intercom_sync_backlog_items", frozenset({("queue", queue)})) in api_samples
    assert value(api_samples, "intercom_sync_backlog_items", queue="webhook_notifications") == 0

    # The worker: the run's end, its contacts by outcome as its report has them, its Intercom
    # requests, and the notification it processed.
    assert processed == 1
    assert value(worker, "intercom_sync_syncs_finished_total", status="finished") == 1
    assert value(worker, "intercom_sync_contacts_processed_total", outcome="new") == run.created
    assert value(worker, "intercom_sync_contacts_processed_total", outcome="skipped") == run.skipped
    assert value(worker, "intercom_sync_contacts_processed_total", outcome="failed") == run.failed
    requests = sum(
        sample
        for (name, labels), sample in worker.items()
        if name == "intercom_sync_intercom_requests_total"
    )
    assert requests >= run.intercom_requests > 0
    assert value(worker, "intercom_sync_intercom_request_seconds_count") == requests - value(
        worker, "intercom_sync_intercom_requests_total", status="transport_error"
    )
    final = await sync_run(metrics_sessionmaker, run.id)
    assert final.status == "finished"


def run_contact_id(sandbox: Sandbox) -> str:
    return str(next(c["id"] for c in sandbox.contacts() if c["role"] == "user" and c["email"]))


async def test_metrics_are_behind_their_token_when_one_is_set(settings: Settings) -> None:
    guarded = settings.model_copy(update={"metrics_token": SecretStr("scrape-me")})
    async with api_server(create_app(guarded)) as url, httpx.AsyncClient(base_url=url) as http:
        refused = await http.get("/metrics")
        assert refused.status_code == 401
        assert refused.headers["content-type"] == "application/problem+json"
        assert "scrape-me" not in refused.text
        wrong = await http.get("/metrics", headers={"Authorization": "Bearer scrape-you"})
        assert wrong.status_code == 401
        allowed = await http.get("/metrics", headers={"Authorization": "Bearer scrape-me"})
        assert allowed.status_code == 200
        assert "intercom_sync_backlog_items" in allowed.text


async def test_labels_are_route_templates_and_known_methods_never_input(settings: Settings) -> None:
    """An id in a path, a made-up path or method: a label per value would grow the registry
    with every request."""
    async with api_server(create_app(settings)) as url, httpx.AsyncClient(base_url=url) as http:
        unknown = uuid.uuid4()
        assert (await http.get(f"/v1/syncs/{unknown}")).status_code == 401
        assert (await http.get(f"/made-up/{unknown}")).status_code == 404
        assert (await http.request("PROPFIND", "/healthz")).status_code == 405
        assert (await http.get("/metrics")).status_code == 200
        samples = parse((await http.get("/metrics")).text)
    requests = {
        (labels["method"], labels["handler"], labels["status"])
        for (name, frozen), _ in samples.items()
        if name == "http_requests_total"
        for labels in [dict(frozen)]
    }
    assert ("GET", "/v1/syncs/{sync_id}", "401") in requests
    assert ("GET", "none", "404") in requests
    assert ("other", "/healthz", "405") in requests or ("other", "none", "405") in requests
    assert not any(str(unknown) in "".join(labels) for labels in requests)
    assert not any(handler == "/metrics" for _, handler, _ in requests)


async def test_metrics_can_be_turned_off(settings: Settings) -> None:
    off = settings.model_copy(update={"metrics_enabled": False})
    async with api_server(create_app(off)) as url, httpx.AsyncClient(base_url=url) as http:
        assert (await http.get("/metrics")).status_code == 404


async def test_a_metric_counts_on_commit_only(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    """Work rolled back (a lost lease, a conflict retried) counts nothing; work retried and
    committed counts once."""
    counted = Counter("work", "test", registry=CollectorRegistry())
    async with sessionmaker() as session:
        transaction = await session.begin()
        await session.execute(text("SELECT 1"))
        count_on_commit(session, counted, 3)
        await transaction.rollback()
    assert counted._value.get() == 0
    async with sessionmaker() as session, session.begin():
        await session.execute(text("SELECT 1"))
        count_on_commit(session, counted, 2)
        assert counted._value.get() == 0  # not before the commit
    assert counted._value.get() == 2
    async with sessionmaker() as session, session.begin():
        await session.execute(text("SELECT 1"))  # a later transaction of another session
    assert counted._value.get() == 2


async def test_a_savepoint_given_up_takes_its_counts_with_it(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    counted = Counter("work", "test", registry=CollectorRegistry())
    async with sessionmaker() as session, session.begin():
        count_on_commit(session, counted, 1)
        savepoint = await session.begin_nested()
        count_on_commit(session, counted, 5)
        await savepoint.rollback()
        async with session.begin_nested():
            count_on_commit(session, counted, 10)
    assert counted._value.get() == 11


async def test_a_released_savepoint_counts_only_when_its_transaction_commits(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    counted = Counter("work", "test", registry=CollectorRegistry())
    async with sessionmaker() as session:
        transaction = await session.begin()
        async with session.begin_nested():
            count_on_commit(session, counted, 5)
        assert counted._value.get() == 0
        await transaction.rollback()
    assert counted._value.get() == 0
    async with sessionmaker() as session:
        transaction = await session.begin()
        count_on_commit(session, counted, 7)
        await session.close()  # closed without a commit: counts nothing
    assert counted._value.get() == 0
