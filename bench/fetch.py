"""How fast, how politely and in how much memory this client reads a workspace, measured in one
run against the sandbox (100,000 contacts, 200 ms per page):

1. contacts per second of the sequential cursor walk that public connectors do, and of this
   client's partitioned read; the ratio (goal: at least 10x);
2. under a rate limit the machine can serve (300 requests per 10 s), the share of the budget the
   read used and its share of 429s (goals: at least 90 %, under 1 %);
3. peak RSS of the reading process for 20,000 and for 100,000 contacts (goal: under 30 MB apart);
4. search requests the 100,000-contact read of (1) made, against ceil(N/150) plus one per final
   range, and contacts the sandbox sent, against N (goals: within the bound, each contact once).

    .venv/bin/python -m bench.fetch          (make bench-fetch)

It prints one line per figure and exits non-zero when a goal is missed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import resource
import subprocess
import sys
import time
import uuid
from typing import Any

import httpx
from redis.asyncio import Redis

from app.intercom.client import IntercomClient, WorkspaceClient
from app.intercom.paging import PartitionedReader
from app.intercom.ratelimit import RateBudget
from bench.common import pinned_sandbox, report

EVERYONE = {"field": "role", "operator": "IN", "value": ["user", "lead"]}
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")


def sandbox(contacts: int, latency_ms: float) -> contextlib.AbstractContextManager[str]:
    return pinned_sandbox(
        "--workspaces",
        "1",
        "--contacts",
        str(contacts),
        "--latency-ms",
        str(latency_ms),
        "--rate-limit",
        "1000000",
    )


def control(url: str, method: str, path: str, body: Any = None) -> Any:
    response = httpx.request(method, f"{url}/_sandbox{path}", json=body, timeout=120)
    response.raise_for_status()
    return response.json()


@contextlib.asynccontextmanager
async def workspace_client(url: str, prefix: str) -> Any:
    workspace = control(url, "GET", "/workspaces")[0]
    redis = Redis.from_url(REDIS_URL)
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    async with httpx.AsyncClient(timeout=30, limits=limits) as http:
        client = IntercomClient(
            http, base_url_override=url, budget=RateBudget(redis, prefix=prefix)
        )
        yield client.workspace(workspace["access_token"], app_id=workspace["app_id"]), workspace
    await redis.aclose()


async def sequential_walk(workspace: WorkspaceClient, seconds: float) -> float:
    """Contacts per second of one cursor after the other (the rate is steady, so a slice of the
    walk measures it)."""
    started = time.perf_counter()
    read = 0
    async for page in workspace.list_contact_pages():
        read += len(page.data)
        if time.perf_counter() - started > seconds:
            break
    return read / (time.perf_counter() - started)


async def partitioned_read(
    workspace: WorkspaceClient, timezone: str, concurrency: int
) -> tuple[int, float, PartitionedReader]:
    started = time.perf_counter()
    reader = workspace.reader(EVERYONE, timezone=timezone, concurrency=concurrency)
    read = 0
    async for page in reader.pages():
        read += len(page.contacts)
    return read, time.perf_counter() - started, reader


def full_window_share(stats: dict[str, Any], budget: int) -> float:
    """Mean use of the windows the read spanned entirely (the first and last are partial)."""
    windows = sorted(
        (int(key.rsplit(":", 1)[1]), count) for key, count in stats["per_window"].items()
    )
    inner = [count for _, count in windows[1:-1]] or [count for _, count in windows]
    return float(sum(inner)) / (len(inner) * budget)


def read_in_subprocess(url: str) -> tuple[int, float]:
    output = subprocess.run(
        [sys.executable, "-m", "bench.fetch", "--read-only", url],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    result = json.loads(output.splitlines()[-1])
    return int(result["contacts"]), float(result["peak_rss_mb"])


async def read_only(url: str) -> None:
    async with workspace_client(url, f"bench-{uuid.uuid4().hex[:8]}") as (client, workspace):
        read, _, _ = await partitioned_read(client, workspace["timezone"], concurrency=16)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"contacts": read, "peak_rss_mb": peak_mb}))


async def benchmark(args: argparse.Namespace) -> bool:
    results: list[tuple[str, bool]] = []
    with sandbox(args.contacts, args.latency_ms) as url:
        prefix = f"bench-{uuid.uuid4().hex[:8]}"
        async with workspace_client(url, prefix) as (client, workspace):
            timezone = workspace["timezone"]
            baseline = await sequential_walk(client, args.baseline_seconds)
            control(url, "POST", "/stats/reset")
            read, elapsed, reader = await partitioned_read(client, timezone, args.concurrency)
            first_read = control(url, "GET", "/stats")
            ours = read / elapsed
            ratio = ours / baseline
            results.append(
                (
                    f"1. read {read} contacts at {args.latency_ms:.0f} ms/page: sequential walk "
                    f"{baseline:,.0f} contacts/s, partitioned {ours:,.0f} contacts/s "
                    f"({elapsed:.1f} s) -> {ratio:.1f}x (goal >= 10x)",
                    ratio >= 10 and read == args.contacts,
                )
            )

        control(url, "PUT", "/rate-limit", {"limit": args.rate_limit})
        control(url, "POST", "/stats/reset")
        async with workspace_client(url, f"{prefix}-limited") as (client, workspace):
            read, elapsed, _ = await partitioned_read(
                client, workspace["timezone"], args.concurrency
            )
        stats = control(url, "GET", "/stats")
        share = full_window_share(stats, args.rate_limit)
        rejected = stats["rate_limited"] / max(1, stats["total_requests"])
        results.append(
            (
                f"2. budget {args.rate_limit} requests/10 s: {stats['total_requests']} requests in "
                f"{elapsed:.1f} s, {share:.1%} of the budget in full windows (goal >= 90%), "
                f"{stats['rate_limited']} x 429 = {rejected:.2%} (goal < 1%)",
                share >= 0.90 and rejected < 0.01 and read == args.contacts,
            )
        )

        control(url, "PUT", "/faults", {"latency_ms": 0})
        control(url, "PUT", "/rate-limit", {"limit": 1_000_000})
        sizes = []
        for size in (args.contacts // 5, args.contacts):
            control(url, "POST", "/reset", {"contacts": size, "workspaces": 1})
            sizes.append((size, *read_in_subprocess(url)))
        (small, small_read, small_mb), (large, large_read, large_mb) = sizes
        results.append(
            (
                f"3. peak RSS of the reader: {small_mb:.0f} MB for {small_read} contacts, "
                f"{large_mb:.0f} MB for {large_read} -> {large_mb - small_mb:+.0f} MB "
                "(goal < 30 MB)",
                large_mb - small_mb < 30 and small_read == small and large_read == large,
            )
        )

    # Every page of a final range holds 150 contacts but its last, and a split range's first page
    # is delivered, not read again: at most ceil(N/150) requests plus one per final range.
    requests = first_read["requests"].get("POST /contacts/search", 0)
    fetched = first_read["contacts_returned"].get("POST /contacts/search", 0)
    ranges = len(reader.checkpoint().partitions)
    bound = math.ceil(args.contacts / 150) + ranges
    results.append(
        (
            f"4. requests of the {args.contacts}-contact read: {requests} searches, bound "
            f"ceil(N/150) + ranges = {math.ceil(args.contacts / 150)} + {ranges} = {bound} "
            f"(goal <= bound; {reader.stats.splits} splits); contacts fetched {fetched} "
            f"(goal {args.contacts}: each once)",
            requests <= bound and fetched == args.contacts,
        )
    )

    return report(results)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--latency-ms", type=float, default=200.0)
    parser.add_argument("--concurrency", type=int, default=24)
    parser.add_argument("--rate-limit", type=int, default=300)
    parser.add_argument("--baseline-seconds", type=float, default=15.0)
    parser.add_argument("--read-only", metavar="URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.read_only:
        asyncio.run(read_only(args.read_only))
        return
    sys.exit(0 if asyncio.run(benchmark(args)) else 1)


if __name__ == "__main__":
    main()
