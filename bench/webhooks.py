"""Webhook acknowledgement under load, measured in one run: 64 concurrent senders post signed
Intercom notifications to one API process (uvicorn, as deployed), and the same senders call a
bare endpoint (`/healthz`, no database) the same way, so that the client's own cost shows too.

For each: requests per second and the p50 / p99 latency; then the webhook's p99 against its goal
(100 ms) and against the bare endpoint's. Every notification is new (an insert each); one in
five is a redelivery of an earlier one (acknowledged, nothing stored); the topics are handled
ones, for a workspace no account connected (so the worker's processing costs nothing here: this
measures the answer Intercom waits for).

    .venv/bin/python -m bench.webhooks          (make bench-webhooks)

It needs the local PostgreSQL and Redis; it creates a database of its own and drops it at the end.
The senders are httpx clients in this process: on a 2-core machine they cost as much CPU as the
server, which the bare endpoint's figures show; an efficient load generator (wrk, issue 13's
bench-api) is the next step.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
import uuid
from collections.abc import Awaitable, Callable

import httpx
import orjson
from pydantic import SecretStr

from app.config import Settings
from app.crypto import generate_key
from bench.common import report
from bench.sync import REDIS_URL, database
from intercom_sandbox.webhooks import notification, sign
from tests.servers import api_process

SECRET = "bench-webhook-secret"
GOAL_P99_MS = 100.0


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def load(
    senders: int, requests: int, call: Callable[[httpx.AsyncClient, int], Awaitable[int]], url: str
) -> tuple[float, list[float], int]:
    """`requests` calls by `senders` concurrent clients: (requests per second, latencies in ms,
    answers other than 200)."""
    latencies: list[float] = []
    failures = 0
    counter = iter(range(requests))
    limits = httpx.Limits(max_connections=senders, max_keepalive_connections=senders)
    async with httpx.AsyncClient(base_url=url, timeout=30, limits=limits) as client:

        async def sender() -> None:
            nonlocal failures
            for number in counter:
                started = time.perf_counter()
                try:
                    status = await call(client, number)
                except httpx.HTTPError:
                    status = 0  # a connection the server dropped: a failure, as for Intercom
                latencies.append((time.perf_counter() - started) * 1000)
                failures += status != 200

        started = time.perf_counter()
        await asyncio.gather(*(sender() for _ in range(senders)))
        elapsed = time.perf_counter() - started
    return requests / elapsed, latencies, failures


def signed_bodies(count: int) -> list[tuple[bytes, dict[str, str]]]:
    app_id = f"bench-{uuid.uuid4().hex[:8]}"
    bodies: list[tuple[bytes, dict[str, str]]] = []
    for number in range(count):
        if number % 5 == 4 and bodies:  # a redelivery of the previous notification
            bodies.append(bodies[-1])
            continue
        event = notification(
            app_id,
            "contact.user.updated",
            {"type": "contact", "id": f"c{number}", "role": "user", "name": "Ada é ✓"},
        )
        body = orjson.dumps(event)
        headers = {"Content-Type": "application/json", "X-Hub-Signature": sign(body, SECRET)}
        bodies.append((body, headers))
    return bodies


async def benchmark(args: argparse.Namespace, database_url: str) -> bool:
    settings = Settings(
        _env_file=None,
        database_url=database_url,
        redis_url=REDIS_URL,
        redis_prefix=f"bench-webhooks-{uuid.uuid4().hex[:8]}",
        encryption_keys=[SecretStr(generate_key())],
        intercom_client_secret=SecretStr(SECRET),
    )
    bodies = signed_bodies(args.requests)

    async def webhook(client: httpx.AsyncClient, number: int) -> int:
        body, headers = bodies[number]
        response = await client.post("/v1/webhooks/intercom", content=body, headers=headers)
        return response.status_code

    async def bare(client: httpx.AsyncClient, number: int) -> int:
        return (await client.get("/healthz")).status_code

    with api_process(settings) as url:
        await load(args.senders, 200, bare, url)  # warm-up: connections, imports, the pool
        bare_rate, bare_ms, bare_failed = await load(args.senders, args.requests, bare, url)
        hook_rate, hook_ms, hook_failed = await load(args.senders, args.requests, webhook, url)

    hook_p99, bare_p99 = percentile(hook_ms, 0.99), percentile(bare_ms, 0.99)
    results = [
        (
            f"1. bare endpoint (/healthz), {args.senders} senders: {bare_rate:,.0f} req/s, "
            f"p50 {statistics.median(bare_ms):.1f} ms, p99 {bare_p99:.1f} ms, "
            f"{bare_failed} not 200",
            bare_failed == 0,
        ),
        (
            f"2. webhook (verify, store once, answer), {args.senders} senders: "
            f"{hook_rate:,.0f} req/s, p50 {statistics.median(hook_ms):.1f} ms, p99 "
            f"{hook_p99:.1f} ms ({hook_p99 / bare_p99:.1f}x the bare endpoint's), "
            f"{hook_failed} not 200 (goal: p99 <= {GOAL_P99_MS:.0f} ms, all 200)",
            hook_p99 <= GOAL_P99_MS and hook_failed == 0,
        ),
    ]
    return report(results)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--senders", type=int, default=64)
    parser.add_argument("--requests", type=int, default=5000)
    args = parser.parse_args()
    with database() as url:
        ok = asyncio.run(benchmark(args, url))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
