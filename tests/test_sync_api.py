"""Sync now over HTTP: concurrent requests, a queue that is down, customers listed while syncs
commit out of order."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import pytest
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.config import Settings
from app.domain.models import Customer, OutboxMessage, SyncRun
from app.main import create_app
from app.workers.arq_backend import ArqQueue, build_worker
from tests.fixtures.factories import USE_DEFAULT_MAPPING, create_tenant, first_segment
from tests.servers import api_server, free_port
from tests.test_end_to_end import all_customers, wait_for_sync
from tests.test_integrations import set_sandbox_latency

pytestmark = pytest.mark.usefixtures("worker")


async def test_concurrent_sync_now_requests_start_one_run_and_answer_409_to_the_others(
    http: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    sandbox_url: str,
    sandbox_workspaces: list[dict[str, Any]],
) -> None:
    tenant = await create_tenant(sessionmaker)
    segment = await first_segment(http, tenant, sandbox_workspaces[0]["access_token"], "leads")

    # A run that outlasts the requests: one that finished in between would rightly let a
    # later request start the next.
    await set_sandbox_latency(sandbox_url, 300)
    try:
        answers = await asyncio.gather(
            *(
                http.post(
                    f"/v1/segments/{segment['id']}/syncs",
                    json=USE_DEFAULT_MAPPING,
                    headers=tenant.headers,
                )
                for _ in range(8)
            )
        )
    finally:
        await set_sandbox_latency(sandbox_url, 0)

    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [202] + [409] * 7, "\n".join(a.text[:300] for a in answers)
    started = next(a for a in answers if a.status_code == 202).json()
    for conflict in (a for a in answers if a.status_code == 409):
        assert conflict.headers["content-type"] == "application/problem+json"
        assert conflict.json()["active_sync_id"] in (started["id"], None)
    assert (await wait_for_sync(http, tenant, started["id"]))["status"] == "finished"
    async with sessionmaker() as session:
        runs = await session.scalar(
            select(func.count()).select_from(SyncRun).where(SyncRun.account_id == tenant.account_id)
        )
    assert runs == 1


async def test_sync_now_while_redis_is_down_is_accepted_and_runs_once_the_relay_sends_it(
    http: httpx.AsyncClient,
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    sandbox_workspaces: list[dict[str, Any]],
) -> None:
    tenant = await create_tenant(sessionmaker)
    segment = await first_segment(http, tenant, sandbox_workspaces[0]["access_token"], "leads")
    no_redis = settings.model_copy(update={"redis_url": f"redis://127.0.0.1:{free_port()}/0"})

    async with api_server(create_app(no_redis)) as url, httpx.AsyncClient(base_url=url) as client:
        response = await client.post(
            f"/v1/segments/{segment['id']}/syncs", json=USE_DEFAULT_MAPPING, headers=tenant.headers
        )
    assert response.status_code == 202, response.text
    run_id = uuid.UUID(response.json()["id"])
    async with sessionmaker() as session:
        waiting = await session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(
                OutboxMessage.account_id == tenant.account_id,
                OutboxMessage.dispatched_at.is_(None),
            )
        )
    assert waiting == 1

    # The session's worker relays it (its sweeper runs every second here).
    run = await wait_for_sync(http, tenant, str(run_id))
    assert run["status"] == "finished"


async def test_a_client_paging_customers_while_syncs_commit_out_of_order_misses_none(
    http: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    tenant = await create_tenant(sessionmaker)

    def customer(email: str) -> Customer:
        return Customer(account_id=tenant.account_id, email=email, properties={})

    async with sessionmaker() as slow, sessionmaker() as fast:
        # The slow transaction starts first (a lower id), the fast one commits first.
        slow.add(customer("slow@x.io"))
        await slow.flush()
        fast.add(customer("fast@x.io"))
        await fast.commit()
        # A client pages to the end now: the fast row is held back while the slow
        # transaction could still commit rows before it.
        assert await all_customers(http, tenant) == []
        await slow.commit()

    # Both appear once no older transaction is open (other tests' transactions may be).
    for _ in range(100):
        listed = [c["email"] for c in await all_customers(http, tenant)]
        if len(listed) == 2:
            break
        await asyncio.sleep(0.05)
    assert listed == ["slow@x.io", "fast@x.io"]


async def test_arq_keys_and_periodic_job_names_carry_the_deployment_prefix(
    settings: Settings,
) -> None:
    from redis.asyncio import Redis

    prefix = f"isync-prefix-{uuid.uuid4().hex[:6]}"
    mine = settings.model_copy(update={"redis_prefix": prefix})
    redis = Redis.from_url(settings.redis_url)
    try:
        queue = ArqQueue(redis, queue_name=mine.queue_name, prefix=prefix)
        await queue.enqueue("syncs.run", job_id="syncs.run:x:0", sync_id="x", generation=0)
        keys = {key.decode() async for key in redis.scan_iter(match=f"*{prefix}*")}
        assert keys == {f"{prefix}:queue", f"arq:job:{prefix}:syncs.run:x:0"}
        worker = build_worker(mine, handle_signals=False)
        assert sorted(job.name for job in worker.cron_jobs) == [
            f"{prefix}:maintenance.sweep",
            f"{prefix}:refresh.enqueue_due",
            f"{prefix}:schedule.tick",
        ]
        await worker.close()
    finally:
        await redis.delete(*keys)
        await redis.aclose()


def test_a_batch_size_beyond_what_a_transaction_should_hold_is_refused_at_start_up() -> None:
    with pytest.raises(ValidationError, match="sync_batch_size"):
        Settings(_env_file=None, sync_batch_size=40_000)
