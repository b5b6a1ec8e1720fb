"""A separate process calling Intercom through the shared Redis budget, for the rate tests.

    python -m tests.intercom.budget_client URL TOKEN APP_ID REDIS_URL PREFIX \\
        --requests N --concurrency C --window-s W

Prints one JSON line: the epoch time of each request it sent."""

from __future__ import annotations

import argparse
import asyncio
import json
import time

import httpx
from redis.asyncio import Redis

from app.intercom.client import IntercomClient, RetryPolicy
from app.intercom.ratelimit import RateBudget

QUERY = {"field": "role", "operator": "=", "value": "user"}


async def run(args: argparse.Namespace) -> list[float]:
    redis = Redis.from_url(args.redis_url)
    sent: list[float] = []

    class Recording(httpx.AsyncBaseTransport):
        def __init__(self) -> None:
            self.inner = httpx.AsyncHTTPTransport()

        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            sent.append(time.time())
            return await self.inner.handle_async_request(request)

    budget = RateBudget(redis, prefix=args.prefix, window_s=args.window_s, default_limit=1000)
    async with httpx.AsyncClient(transport=Recording(), timeout=10) as http:
        client = IntercomClient(
            http,
            base_url_override=args.url,
            budget=budget,
            retry=RetryPolicy(attempts=10, backoff_initial_s=0.01),
        )
        workspace = client.workspace(args.token, app_id=args.app_id)
        remaining = args.requests

        async def worker() -> None:
            nonlocal remaining
            while remaining > 0:
                remaining -= 1
                await workspace.search_page(QUERY, per_page=1)

        await asyncio.gather(*(worker() for _ in range(args.concurrency)))
    await redis.aclose()
    return sent


def main() -> None:
    parser = argparse.ArgumentParser()
    for name in ("url", "token", "app_id", "redis_url", "prefix"):
        parser.add_argument(name)
    parser.add_argument("--requests", type=int, default=1)
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--window-s", type=int, default=10)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(args))))


if __name__ == "__main__":
    main()
