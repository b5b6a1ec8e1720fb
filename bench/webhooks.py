"""Webhook acknowledgement under load, measured in one run: 64 connections post signed Intercom
notifications to one API process (uvicorn, as deployed), and the same load asks a bare endpoint
(`/healthz`, no database) and `/readyz` (one PostgreSQL and one Redis round trip), so that the
webhook's figures read against what the process and the machine give at all.

For each: requests per second and the p50 / p99 latency; then the webhook's p99 against its goal
(100 ms) and against the bare endpoint's. Every notification is new (an insert each); one in
five is a redelivery of an earlier one (acknowledged, nothing stored); the topics are handled
ones, for a workspace no account connected (so the worker's processing costs nothing here: this
measures the answer Intercom waits for).

    .venv/bin/python -m bench.webhooks          (make bench-webhooks)

It needs the local PostgreSQL and Redis, and `wrk` (the load generator: Python senders cost as
much CPU as the server on a 2-core machine); it creates a database of its own and drops it.
"""

from __future__ import annotations

import argparse
import sys
import uuid

import orjson
from pydantic import SecretStr

from app.config import Settings
from app.crypto import generate_key
from bench import wrk
from bench.common import report
from bench.sync import REDIS_URL, database
from intercom_sandbox.webhooks import notification, sign

SECRET = "bench-webhook-secret"
GOAL_P99_MS = 100.0


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


def benchmark(args: argparse.Namespace, database_url: str) -> bool:
    settings = Settings(
        _env_file=None,
        database_url=database_url,
        redis_url=REDIS_URL,
        redis_prefix=f"bench-webhooks-{uuid.uuid4().hex[:8]}",
        encryption_keys=[SecretStr(generate_key())],
        intercom_client_secret=SecretStr(SECRET),
    )
    # More than the run can send: a line sent twice is one more redelivery, no more.
    requests = [
        wrk.request_line("POST", "/v1/webhooks/intercom", headers, body.decode())
        for body, headers in signed_bodies(args.seconds * 4000)
    ]
    with wrk.against_api(settings, connections=args.connections, seconds=args.seconds) as (
        url,
        measure,
    ):
        measure(f"{url}/readyz")  # warm-up: connections, the pools
        bare = measure(f"{url}/healthz")
        ready = measure(f"{url}/readyz")
        hook = measure(url, requests=requests)
    results = [
        (f"1. bare endpoint (/healthz): {bare.describe()}", bare.not_ok + bare.errors == 0),
        (f"2. /readyz (a PostgreSQL and a Redis round trip): {ready.describe()}", True),
        (
            f"3. webhook (verify, store once, answer), {args.connections} connections: "
            f"{hook.describe()}; p99 {hook.p99_ms / bare.p99_ms:.1f}x the bare endpoint's "
            f"(goal: p99 <= {GOAL_P99_MS:.0f} ms, all 2xx)",
            hook.p99_ms <= GOAL_P99_MS and hook.not_ok + hook.errors == 0,
        ),
    ]
    return report(results)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--seconds", type=int, default=10)
    args = parser.parse_args()
    wrk.require()
    with database() as url:
        ok = benchmark(args, url)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
