"""The partitioned reader against the sandbox: exact coverage, real concurrency, faults, resume."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.intercom.client import IntercomClient, RetryPolicy, WorkspaceClient
from app.intercom.errors import IntercomAuthError
from app.intercom.paging import Checkpoint
from tests.fixtures.sandbox import Sandbox

ALL = {"field": "role", "operator": "IN", "value": ["user", "lead"]}
FAST_RETRIES = RetryPolicy(attempts=8, backoff_initial_s=0.01, backoff_max_s=0.05)


@pytest.fixture
async def intercom(sandbox: Sandbox) -> AsyncIterator[WorkspaceClient]:
    async with httpx.AsyncClient(timeout=httpx.Timeout(2.0, connect=2.0)) as http:
        client = IntercomClient(http, base_url_override=sandbox.url, retry=FAST_RETRIES)
        yield client.workspace(sandbox.workspace["access_token"])


async def sequential_ids(workspace: WorkspaceClient, query: dict[str, Any]) -> list[str]:
    return [c.id async for page in workspace.search_contact_pages(query) for c in page.data]


async def partitioned_ids(
    workspace: WorkspaceClient, query: dict[str, Any], timezone: str, **options: Any
) -> list[str]:
    reader = workspace.reader(query, timezone=timezone, **options)
    return [c.id async for page in reader.pages() for c in page.contacts]


def load(sandbox: Sandbox, created_at: list[int], timezone: str) -> None:
    response = httpx.put(
        f"{sandbox.url}/_sandbox/workspaces/{sandbox.workspace['app_id']}/contacts",
        json={"created_at": created_at, "timezone": timezone},
    )
    assert response.status_code == 200, response.text


TIMEZONES = [
    "UTC",
    "Pacific/Kiritimati",
    "Pacific/Pago_Pago",
    "Asia/Kathmandu",
    "America/St_Johns",
    "Europe/Dublin",
    "America/Los_Angeles",
]
BASE = int(datetime(2023, 3, 26, tzinfo=UTC).timestamp())  # Europe's DST change is near


def distributions() -> st.SearchStrategy[list[int]]:
    """Dense days, empty years, instants near midnight somewhere, spread over a decade."""
    dense_day = st.tuples(st.integers(-3000, 300), st.integers(1, 60)).map(
        lambda day_count: [BASE + day_count[0] * 86_400 + i * 7 for i in range(day_count[1])]
    )
    near_midnight = st.lists(
        st.integers(-3000, 300).flatmap(
            lambda day: st.integers(-900, 900).map(lambda s: BASE + day * 86_400 + s)
        ),
        max_size=40,
    )
    anywhere = st.lists(st.integers(BASE - 10 * 365 * 86_400, BASE + 200 * 86_400), max_size=60)
    return st.tuples(st.lists(dense_day, max_size=3), near_midnight, anywhere).map(
        lambda parts: [t for group in parts[0] for t in group] + parts[1] + parts[2]
    )


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(created_at=distributions(), timezone=st.sampled_from(TIMEZONES))
async def test_partitions_return_exactly_what_one_cursor_returns(
    sandbox: Sandbox, intercom: WorkspaceClient, created_at: list[int], timezone: str
) -> None:
    load(sandbox, created_at, timezone)
    expected = await sequential_ids(intercom, ALL)

    found = await partitioned_ids(intercom, ALL, timezone, concurrency=4, max_partition_size=7)

    assert len(found) == len(set(found)), "a contact was read twice"
    assert sorted(found) == sorted(expected)
    assert len(expected) == len(created_at)


async def test_a_dense_day_is_read_sequentially_and_completely(
    sandbox: Sandbox, intercom: WorkspaceClient
) -> None:
    day = [BASE + i for i in range(400)]
    load(sandbox, [*day, BASE - 400 * 86_400, BASE + 40 * 86_400], "Asia/Kathmandu")
    reader = intercom.reader(ALL, timezone="Asia/Kathmandu", concurrency=4, max_partition_size=50)
    ids = [c.id async for page in reader.pages() for c in page.contacts]
    assert len(ids) == len(set(ids)) == 402
    single_days = [p for p in reader.checkpoint().partitions if p.single_day]
    assert single_days  # the dense day ended in a partition of its own


async def test_partitions_are_fetched_concurrently(
    sandbox: Sandbox, intercom: WorkspaceClient
) -> None:
    sandbox.control("PUT", "/faults", {"latency_ms": 40})
    sandbox.control("POST", "/stats/reset")
    ids = await partitioned_ids(intercom, ALL, "UTC", concurrency=6, max_partition_size=100)
    assert len(ids) == len(set(ids)) == 400
    assert sandbox.control("GET", "/stats")["max_in_flight"] > 1


async def test_a_full_read_is_exact_through_errors_html_stalls_and_dropped_connections(
    sandbox: Sandbox, intercom: WorkspaceClient
) -> None:
    expected = await sequential_ids(intercom, ALL)
    sandbox.control(
        "PUT",
        "/faults",
        {"error_rate": 0.05, "drop_rate": 0.03, "stall_rate": 0.02, "stall_s": 3.0},
    )
    found = await partitioned_ids(intercom, ALL, "UTC", concurrency=4, max_partition_size=60)
    faults = sandbox.control("GET", "/stats")["faults"]
    assert sorted(found) == sorted(expected)
    assert len(found) == len(set(found))
    assert faults  # faults really happened


async def test_a_revoked_token_fails_fast_with_the_typed_error(
    sandbox: Sandbox, intercom: WorkspaceClient
) -> None:
    sandbox.control("PUT", "/faults", {"revoked": True})
    sandbox.control("POST", "/stats/reset")
    started = datetime.now(UTC)
    with pytest.raises(IntercomAuthError):
        await partitioned_ids(intercom, ALL, "UTC", concurrency=4)
    assert datetime.now(UTC) - started < timedelta(seconds=1)
    assert sandbox.control("GET", "/stats")["total_requests"] == 1


async def test_a_read_resumed_from_its_checkpoint_is_exact_and_skips_finished_partitions(
    sandbox: Sandbox, intercom: WorkspaceClient
) -> None:
    expected = await sequential_ids(intercom, ALL)
    first = intercom.reader(ALL, timezone="UTC", concurrency=3, max_partition_size=60)
    seen: list[str] = []
    async with contextlib.aclosing(first.pages()) as pages:
        async for page in pages:
            seen.extend(c.id for c in page.contacts)
            if len(seen) >= len(expected) // 2:
                break
    saved = json.dumps(first.checkpoint().to_json())  # what a job would persist
    checkpoint = Checkpoint.from_json(json.loads(saved))
    finished = [p for p in checkpoint.partitions if p.done]
    assert finished
    assert not checkpoint.finished

    sandbox.control("POST", "/stats/reset")
    async with httpx.AsyncClient(timeout=5) as http:  # a new process would have a new client
        fresh = IntercomClient(http, base_url_override=sandbox.url).workspace(
            sandbox.workspace["access_token"]
        )
        resumed = fresh.reader(ALL, timezone="UTC", concurrency=3, checkpoint=checkpoint)
        rest = [c.id async for page in resumed.pages() for c in page.contacts]

    assert sorted(seen + rest) == sorted(expected)
    assert len(seen + rest) == len(expected)
    assert resumed.checkpoint().finished
    searched = sandbox.control("GET", "/stats")["searches"]

    def canonical(partition: Any) -> str:
        query = first.query_for(partition)
        return json.dumps(query, sort_keys=True, separators=(",", ":"), ensure_ascii=False)

    for partition in finished:
        assert canonical(partition) not in searched, f"finished {partition} was read again"
    unfinished = [p for p in checkpoint.partitions if not p.done]
    assert any(canonical(partition) in searched for partition in unfinished), (
        [canonical(p) for p in unfinished][:2],
        list(searched)[:2],
    )
