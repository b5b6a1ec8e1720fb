"""The sandbox must never be the bottleneck of a benchmark: it serves at least 200 pages of 150
contacts per second on one core. Starts a sandbox pinned to one CPU, pages it from another
process, prints the pages per second of list and search, and exits non-zero below the goal.

    .venv/bin/python bench/sandbox_speed.py [--contacts 30000] [--seconds 5]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time

import httpx

from bench.common import pinned_sandbox

GOAL_PAGES_PER_S = 200.0


async def cursors(
    client: httpx.AsyncClient, method: str, query: dict[str, object]
) -> list[str | None]:
    """Every page's cursor, found by one walk (not timed)."""
    found: list[str | None] = [None]
    while True:
        page = await fetch(client, method, query, found[-1])
        next_page = page.json()["pages"].get("next")
        if not next_page:
            return found
        found.append(next_page["starting_after"])


async def fetch(
    client: httpx.AsyncClient, method: str, query: dict[str, object], cursor: str | None
) -> httpx.Response:
    if method == "GET":
        params: dict[str, str | int] = {"per_page": 150}
        if cursor:
            params["starting_after"] = cursor
        response = await client.get("/contacts", params=params)
    else:
        pagination: dict[str, object] = {"per_page": 150}
        if cursor:
            pagination["starting_after"] = cursor
        response = await client.post(
            "/contacts/search", json={"query": query, "pagination": pagination}
        )
    response.raise_for_status()
    return response


async def pages_per_second(
    client: httpx.AsyncClient, method: str, query: dict[str, object], seconds: float, workers: int
) -> float:
    pages = await cursors(client, method, query)
    served = 0
    deadline = time.perf_counter() + seconds

    async def worker(offset: int) -> None:
        nonlocal served
        index = offset
        while time.perf_counter() < deadline:
            await fetch(client, method, query, pages[index % len(pages)])
            served += 1
            index += workers

    started = time.perf_counter()
    await asyncio.gather(*(worker(i) for i in range(workers)))
    return served / (time.perf_counter() - started)


async def measure(url: str, token: str, seconds: float) -> dict[str, float]:
    headers = {"Authorization": f"Bearer {token}", "Intercom-Version": "2.14"}
    limits = httpx.Limits(max_connections=16, max_keepalive_connections=16)
    async with httpx.AsyncClient(
        base_url=url, headers=headers, limits=limits, timeout=30
    ) as client:
        return {
            "GET /contacts": await pages_per_second(client, "GET", {}, seconds, 8),
            "POST /contacts/search": await pages_per_second(
                client, "POST", {"field": "role", "operator": "=", "value": "user"}, seconds, 8
            ),
        }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--contacts", type=int, default=30_000)
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()

    with pinned_sandbox(
        "--workspaces", "1", "--contacts", str(args.contacts), "--rate-limit", "1000000"
    ) as url:
        token = httpx.get(f"{url}/_sandbox/workspaces").json()[0]["access_token"]
        results = asyncio.run(measure(url, token, args.seconds))

    failed = False
    for endpoint, rate in results.items():
        ok = rate >= GOAL_PAGES_PER_S
        failed |= not ok
        verdict = "OK" if ok else "MISSED"
        print(
            f"sandbox {endpoint}: {rate:.0f} pages/s of 150 contacts on one core "
            f"(goal >= {GOAL_PAGES_PER_S:.0f}, {rate / GOAL_PAGES_PER_S:.1f}x) {verdict}"
        )
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
