"""The partitioned reader against the sandbox: exact coverage, real concurrency, faults, resume."""

from __future__ import annotations

import contextlib
import json
import math
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.intercom.client import IntercomClient, RetryPolicy, WorkspaceClient
from app.intercom.errors import IntercomAuthError
from app.intercom.paging import Checkpoint, Partition, PartitionedReader, parse_query
from tests.fixtures.sandbox import Sandbox

ALL = {"field": "role", "operator": "IN", "value": ["user", "lead"]}
ALL_QUERY = parse_query(ALL)
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


def searched(sandbox: Sandbox) -> tuple[int, int]:
    """Search requests the sandbox served since its stats were reset, and contacts it sent."""
    stats = sandbox.control("GET", "/stats")
    endpoint = "POST /contacts/search"
    return stats["requests"].get(endpoint, 0), stats["contacts_returned"].get(endpoint, 0)


def range_of(query: Any) -> str:
    """A search's `created_at` filters, whatever else it holds (exclusions change as ranges
    finish, the range a query reads does not)."""
    found: list[Any] = []

    def walk(node: Any) -> None:
        if node.get("operator") in ("AND", "OR"):
            for child in node["value"]:
                walk(child)
        elif node.get("field") == "created_at":
            found.append([node["operator"], node["value"]])

    walk(query)
    return json.dumps(sorted(found))


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
    sandbox.control("POST", "/stats/reset")

    found = await partitioned_ids(intercom, ALL, timezone, concurrency=4, max_partition_size=7)

    assert len(found) == len(set(found)), "a contact was delivered twice"
    assert sorted(found) == sorted(expected)
    assert len(expected) == len(created_at)
    assert searched(sandbox)[1] == len(expected), "a contact was fetched twice"


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
    assert not any(p.excluded for p in finished)  # nothing kept that no search will use

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
    ranges_read = {
        range_of(json.loads(query)) for query in sandbox.control("GET", "/stats")["searches"]
    }

    for partition in finished:
        assert range_of(first.query_for(partition)) not in ranges_read, f"{partition} read again"
    unfinished = [p for p in checkpoint.partitions if not p.done]
    assert any(range_of(first.query_for(p)) in ranges_read for p in unfinished)


# Six years of sparse contacts and two dense days: ranges split over several rounds, and the
# dense days end up single-day ranges paged in several pages.
SPREAD = (
    [BASE - i * 61_751 for i in range(3000)]
    + [BASE + 40 * 86_400 + i * 11 for i in range(900)]
    + [BASE - 700 * 86_400 + i * 13 for i in range(650)]
)


async def test_a_clean_read_fetches_every_contact_once_in_about_n_over_150_requests(
    sandbox: Sandbox, intercom: WorkspaceClient
) -> None:
    load(sandbox, SPREAD, "Asia/Kathmandu")
    sandbox.control("POST", "/stats/reset")
    reader = intercom.reader(ALL, timezone="Asia/Kathmandu", concurrency=4, max_partition_size=300)
    ids = [c.id async for page in reader.pages() for c in page.contacts]

    requests, returned = searched(sandbox)
    ranges = len(reader.checkpoint().partitions)
    assert len(ids) == len(set(ids)) == len(SPREAD)
    assert returned == len(SPREAD), "a contact was fetched twice"
    assert reader.stats.splits >= 3
    # Every split page is full (ranges split only beyond 300 > 150 contacts) and delivered, so
    # the pages of a final range hold all it has but the last; one page each at worst is lost.
    # That is the bound exactly: no slack needed.
    assert requests <= math.ceil(len(SPREAD) / 150) + ranges, (requests, ranges)


@pytest.mark.parametrize("max_excluded", [0, 40, 200])
async def test_children_that_cannot_hold_their_exclusions_read_their_share_again_exactly(
    sandbox: Sandbox, intercom: WorkspaceClient, max_excluded: int
) -> None:
    load(sandbox, SPREAD, "Pacific/Kiritimati")
    sandbox.control("POST", "/stats/reset")
    reader = PartitionedReader(
        fetch=intercom.search_page,
        query=ALL_QUERY,
        timezone="Pacific/Kiritimati",
        concurrency=4,
        max_partition_size=300,
        max_excluded=max_excluded,
    )
    ids = [c.id async for page in reader.pages() for c in page.contacts]

    assert len(ids) == len(set(ids)) == len(SPREAD)
    # What was fetched beyond each contact once is exactly what the reader chose to re-read.
    assert searched(sandbox)[1] == len(SPREAD) + reader.stats.reread_contacts
    if max_excluded == 0:  # the old behaviour: every split page left to the children
        assert reader.stats.dropped_pages == reader.stats.splits
    assert reader.stats.reread_contacts > 0


@pytest.mark.parametrize("stop_after", [1, 2, 3, 5, 8, 13])
async def test_a_read_resumed_from_a_checkpoint_taken_mid_split_is_exact(
    sandbox: Sandbox, intercom: WorkspaceClient, stop_after: int
) -> None:
    load(sandbox, SPREAD, "America/St_Johns")
    first = intercom.reader(ALL, timezone="America/St_Johns", concurrency=3, max_partition_size=300)
    seen: list[str] = []
    async with contextlib.aclosing(first.pages()) as pages:
        received = 0
        async for page in pages:
            seen.extend(c.id for c in page.contacts)
            received += 1
            if received == stop_after:
                break
    checkpoint = Checkpoint.from_json(json.loads(json.dumps(first.checkpoint().to_json())))
    # Split pages were delivered, and the children that would return them exclude them.
    assert any(p.excluded for p in checkpoint.partitions)

    sandbox.control("POST", "/stats/reset")
    resumed = intercom.reader(
        ALL,
        timezone="America/St_Johns",
        concurrency=3,
        max_partition_size=300,
        checkpoint=checkpoint,
    )
    rest = [c.id async for page in resumed.pages() for c in page.contacts]

    assert len(seen + rest) == len(set(seen + rest)) == len(SPREAD)
    assert searched(sandbox)[1] == len(rest), "the resumed read fetched a contact twice"


async def test_a_version_1_checkpoint_of_a_run_in_flight_still_resumes_exactly(
    sandbox: Sandbox, intercom: WorkspaceClient
) -> None:
    load(sandbox, SPREAD, "UTC")
    contacts = sandbox.contacts()
    pivot = date(2022, 6, 30).toordinal()
    later = sorted(
        c["id"]
        for c in contacts
        if datetime.fromtimestamp(c["created_at"], UTC).date().toordinal() > pivot
    )
    # As the previous reader wrote it: no exclusions; the first range done, the second one
    # past its first page.
    reader = PartitionedReader(fetch=intercom.search_page, query=ALL_QUERY, timezone="UTC")
    second = Partition(pivot + 1, None)
    first_page = await intercom.search_page(reader.query_for(second))
    v1 = {
        "version": 1,
        "partitions": [
            {"first_day": None, "last_day": pivot, "cursor": None, "done": True},
            {
                "first_day": pivot + 1,
                "last_day": None,
                "cursor": first_page.next_cursor,
                "done": False,
            },
        ],
    }

    resumed = intercom.reader(ALL, timezone="UTC", checkpoint=Checkpoint.from_json(v1))
    rest = [c.id async for page in resumed.pages() for c in page.contacts]

    assert sorted(rest + [c.id for c in first_page.data]) == later
    assert resumed.checkpoint().to_json()["version"] == 2
    with pytest.raises(ValueError, match="unknown checkpoint version"):
        Checkpoint.from_json({**v1, "version": 3})
