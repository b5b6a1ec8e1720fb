"""The rate budget shared by processes through Redis (app/intercom/ratelimit.py)."""

from __future__ import annotations

import asyncio
import json
import sys
import time
import uuid

import httpx
import pytest
from redis.asyncio import Redis

from app.config import Settings
from app.intercom.client import IntercomClient, RetryPolicy
from app.intercom.errors import IntercomRateLimited
from app.intercom.ratelimit import Priority, RateBudget
from tests.fixtures.sandbox import Sandbox


async def start_client(
    sandbox: Sandbox,
    settings: Settings,
    prefix: str,
    *,
    requests: int,
    concurrency: int,
    window_s: int,
) -> asyncio.subprocess.Process:
    workspace = sandbox.workspace
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.intercom.budget_client",
        sandbox.url,
        workspace["access_token"],
        workspace["app_id"],
        settings.redis_url,
        prefix,
        "--requests",
        str(requests),
        "--concurrency",
        str(concurrency),
        "--window-s",
        str(window_s),
        stdout=asyncio.subprocess.PIPE,
    )


async def sent_times(process: asyncio.subprocess.Process) -> list[float]:
    stdout, _ = await process.communicate()
    assert process.returncode == 0
    times: list[float] = json.loads(stdout.decode().splitlines()[-1])
    return times


async def start_of_window(window_s: int) -> None:
    if time.time() % window_s > 0.3:
        await asyncio.sleep(window_s - time.time() % window_s + 0.02)


@pytest.fixture
def prefix(settings: Settings) -> str:
    return f"{settings.redis_prefix}:{uuid.uuid4().hex[:8]}"


async def test_two_processes_sharing_a_small_budget_stay_within_it(
    sandbox: Sandbox, settings: Settings, prefix: str
) -> None:
    sandbox.control("PUT", "/rate-limit", {"limit": 10, "window_s": 1})
    sandbox.control("POST", "/stats/reset")

    processes = [
        await start_client(sandbox, settings, prefix, requests=20, concurrency=3, window_s=1)
        for _ in range(2)
    ]
    sent = [await sent_times(process) for process in processes]

    stats = sandbox.control("GET", "/stats")
    assert sum(len(times) for times in sent) == 40
    assert stats["rate_limited"] == 0
    assert stats["sent_into_exhausted_window"] == 0
    assert max(stats["per_window"].values()) <= 10
    assert len(stats["per_window"]) >= 4  # 40 calls at 10 a window


async def test_after_a_429_every_process_waits_for_the_reset(
    sandbox: Sandbox, settings: Settings, prefix: str
) -> None:
    window_s = 3
    sandbox.control("PUT", "/rate-limit", {"limit": 5, "window_s": window_s})
    await start_of_window(window_s)
    sandbox.control("POST", "/stats/reset")
    reset = (int(time.time()) // window_s + 1) * window_s
    # Another app of the workspace spends the window: our processes are not told.
    app_id = sandbox.workspace["app_id"]
    sandbox.control("POST", f"/workspaces/{app_id}/rate-limit/consume", {"count": 5})

    first = await start_client(
        sandbox, settings, prefix, requests=1, concurrency=1, window_s=window_s
    )
    for _ in range(200):  # until the first process has met the 429
        if sandbox.control("GET", "/stats")["rate_limited"]:
            break
        await asyncio.sleep(0.02)
    assert time.time() < reset - 0.5, "too slow to test inside the window"
    second = await start_client(
        sandbox, settings, prefix, requests=1, concurrency=1, window_s=window_s
    )
    first_sent, second_sent = await sent_times(first), await sent_times(second)

    stats = sandbox.control("GET", "/stats")
    assert stats["rate_limited"] == 1  # only the first process ever met the 429
    assert stats["sent_into_exhausted_window"] == 0
    assert len(first_sent) == 2  # the 429, then the retry after the reset
    assert first_sent[1] >= reset
    assert second_sent == [pytest.approx(second_sent[0])]
    assert second_sent[0] >= reset  # the second process waited without being told by Intercom


async def test_bulk_reads_leave_the_interactive_share_of_each_window(
    sandbox: Sandbox, settings: Settings, prefix: str
) -> None:
    sandbox.control("PUT", "/rate-limit", {"limit": 20, "window_s": 2})
    await start_of_window(2)
    redis = Redis.from_url(settings.redis_url)
    budget = RateBudget(redis, prefix=prefix, interactive_share=0.1, window_s=2, max_wait_s=0.0)
    query = {"field": "role", "operator": "=", "value": "user"}
    async with httpx.AsyncClient() as http:
        # One attempt: the refusal surfaces instead of a wait for the next window.
        client = IntercomClient(
            http, base_url_override=sandbox.url, budget=budget, retry=RetryPolicy(attempts=1)
        )
        workspace = client.workspace(
            sandbox.workspace["access_token"], app_id=sandbox.workspace["app_id"]
        )
        bulk = 0
        refused = None
        while bulk < 100 and refused is None:
            try:
                await workspace.search_page(query, per_page=1, priority=Priority.BULK)
                bulk += 1
            except IntercomRateLimited as exc:
                refused = exc
        assert refused is not None
        assert bulk == 18  # 20 less the 10% held for interactive calls
        await workspace.count_contacts(query)  # interactive: still served
        await workspace.me()
    await redis.aclose()
