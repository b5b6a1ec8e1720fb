"""What pushing a sync's filters into Intercom's search saves, and how fast a preview answers,
measured in one run against the sandbox (100,000 contacts, 200 ms per page), for the Users list
filtered `plan is "Free Trial" OR country is "Ireland"` (an `any` set of two one-condition
groups, which pushdown.py pushes whole as an OR under the list's query):

1. wall time of the list's partitioned read (8 partitions at once) of the query narrowed by the
   filters (pushdown.search_query), against the read of the list's query alone (what a sync did
   before filters were pushed), every contact fetched evaluated here by the sync's mapping and
   filters in both; the ratio (goal: at least 1.8x); the contacts, search requests and final
   ranges of each, and whether both select exactly the same contacts (goal: the same ids);
2. a preview's count (count_selected, reading at most 1,500 contacts): (a) of those filters,
   which Intercom counts whole (one request), (b) of the same with `country is set` added to the
   first group, which runs here, so the preview reads and extrapolates; the time and search
   requests of each (goal: under 5 s); the estimate of (b) against the exact count, from figure
   1's selection with that condition applied (informational).

Every plan matches a quarter of the sandbox's users, so no `plan` condition selects fewer: the
set selects about 30 % of the list, and fetches about a third of it.

    .venv/bin/python -m bench.filters          (make bench-filters)

It prints one line per figure and exits non-zero when a goal is missed. It needs the local Redis
(the client's rate budget).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from app.domain.filters import apply, pushdown
from app.domain.filters.counting import (
    Count,
    CountMethod,
    count_selected,
    filtered_properties,
    selects,
)
from app.domain.filters.language import Combination, Condition, FilterSet, Operator
from app.domain.filters.preview import PREVIEW_CONCURRENCY
from app.domain.mapping.config import MappedAttribute, RunConfig
from app.domain.mapping.conversions import Conversion
from app.domain.properties.catalog import Target
from app.domain.syncs.mapping import Fail, Mapper, Skip
from app.domain.syncs.pipeline import filter_values
from app.intercom.client import WorkspaceClient
from app.intercom.models import Contact
from bench.common import report
from bench.fetch import control, sandbox, workspace_client

GOAL = 1.8  # the pushed read at least this many times faster
PREVIEW_GOAL_S = 5.0
# The Users list's own query (app/domain/segments/service.py).
USERS = {"field": "role", "operator": "=", "value": "user"}
# The sandbox gives each user one of four plans and each contact one of eleven locations, three
# of them in the United States (intercom_sandbox/data.py): 25 % + 75 % x 1/11 = 32 % of users
# match, 30 % with an email.
PLAN = Condition(property="plan", operator=Operator.IS, value="Free Trial")
COUNTRY = Condition(property="country", operator=Operator.IS, value="Ireland")
COUNTRY_SET = Condition(property="country", operator=Operator.IS_SET)
PUSHED = FilterSet(combine=Combination.ANY, groups=[[PLAN], [COUNTRY]])
PARTLY_LOCAL = FilterSet(combine=Combination.ANY, groups=[[PLAN, COUNTRY_SET], [COUNTRY]])
MAPPING = (
    MappedAttribute(
        attribute="email",
        property="email",
        conversion=Conversion.TEXT,
        target=Target.EMAIL,
        attribute_type="string",
    ),
    MappedAttribute(
        attribute="location.country",
        property="country",
        conversion=Conversion.TEXT,
        target=Target.PROPERTIES,
        attribute_type="string",
    ),
    MappedAttribute(
        attribute="custom_attributes.plan",
        property="plan",
        conversion=Conversion.TEXT,
        target=Target.PROPERTIES,
        attribute_type="string",
    ),
)


def run_config(filters: FilterSet, timezone: str) -> RunConfig:
    return RunConfig(
        mapping=MAPPING, filters=filters, timezone=timezone, started_at=datetime.now(UTC)
    )


@dataclass
class Read:
    seconds: float
    fetched: int
    searches: int
    ranges: int
    # The contacts a sync imports, by id.
    selected: dict[str, Contact] = field(default_factory=dict)
    # Every contact read, by id (kept to evaluate other filters on afterwards).
    read: dict[str, Contact] = field(default_factory=dict)


def imports(mapper: Mapper, accept: apply.Predicate | None, contact: Contact) -> bool:
    """What a sync imports: mapped (with a usable email), and selected by the filters."""
    try:
        mapped = mapper.map(contact)
    except (Skip, Fail):
        return False
    return accept is None or accept(filter_values(mapped))


async def read_and_filter(
    url: str,
    workspace: WorkspaceClient,
    query: Mapping[str, Any],
    custom_types: Mapping[str, str],
    config: RunConfig,
    concurrency: int,
) -> Read:
    """A sync's read of `query`, every contact evaluated by `config`'s mapping and filters."""
    mapper = Mapper(config)
    accept = apply.predicate(config)
    selected: dict[str, Contact] = {}
    read: dict[str, Contact] = {}
    fetched = 0
    control(url, "POST", "/stats/reset")
    started = time.perf_counter()
    reader = workspace.reader(
        query,
        timezone=config.timezone,
        concurrency=concurrency,
        custom_attribute_types=custom_types,
    )
    async with contextlib.aclosing(reader.pages()) as pages:
        async for page in pages:
            for contact in page.contacts:
                fetched += 1
                if not isinstance(contact, Contact):
                    continue
                read[contact.id] = contact
                if imports(mapper, accept, contact):
                    selected[contact.id] = contact
    seconds = time.perf_counter() - started
    stats = control(url, "GET", "/stats")
    return Read(
        seconds,
        fetched,
        searches(stats),
        len(reader.checkpoint().partitions),
        selected,
        read,
    )


def in_searches(count: int) -> str:
    return "1 search" if count == 1 else f"{count} searches"


def searches(stats: Mapping[str, Any]) -> int:
    return int(stats["requests"].get("POST /contacts/search", 0))


async def timed_count(
    url: str, workspace: WorkspaceClient, config: RunConfig, read_limit: int
) -> tuple[Count, float, int]:
    """A preview's count, its seconds and its search requests."""
    control(url, "POST", "/stats/reset")
    started = time.perf_counter()
    count = await count_selected(
        workspace,
        USERS,
        config,
        timezone=config.timezone,
        read_limit=read_limit,
        concurrency=PREVIEW_CONCURRENCY,
    )
    seconds = time.perf_counter() - started
    return count, seconds, searches(control(url, "GET", "/stats"))


async def benchmark(args: argparse.Namespace) -> bool:
    results: list[tuple[str, bool]] = []
    with sandbox(args.contacts, args.latency_ms) as url:
        prefix = f"bench-filters-{uuid.uuid4().hex[:8]}"
        async with workspace_client(url, prefix) as (client, workspace):
            timezone = workspace["timezone"]
            config = run_config(PUSHED, timezone)
            narrowed, types = pushdown.search_query(USERS, config)
            if narrowed == USERS or not pushdown.fully_pushed(USERS, config):
                raise RuntimeError(f"the filters were not pushed whole: {narrowed}")
            local = await read_and_filter(url, client, USERS, types, config, args.concurrency)
            pushed = await read_and_filter(url, client, narrowed, types, config, args.concurrency)
            ratio = local.seconds / pushed.seconds
            same = local.selected.keys() == pushed.selected.keys()
            results.append(
                (
                    f"1. Users list, plan is Free Trial OR country is Ireland, read at "
                    f"{args.latency_ms:.0f} ms/page, {args.concurrency} partitions at once, and "
                    f"evaluated here: the list's query alone {local.seconds:.1f} s "
                    f"({local.fetched:,} contacts, {local.searches} searches, {local.ranges} "
                    f"ranges), filters pushed {pushed.seconds:.1f} s ({pushed.fetched:,} "
                    f"contacts, {pushed.searches} searches, {pushed.ranges} ranges) -> "
                    f"{ratio:.1f}x (goal >= {GOAL:g}x); selected {len(local.selected):,} of "
                    f"{local.fetched:,} and {len(pushed.selected):,}: "
                    f"{'the same ids' if same else 'NOT the same ids'} (goal: the same)",
                    ratio >= GOAL and same and len(pushed.selected) > 0,
                )
            )

            whole, whole_s, whole_searches = await timed_count(url, client, config, args.read_limit)
            partly = run_config(PARTLY_LOCAL, timezone)
            estimate, estimate_s, estimate_searches = await timed_count(
                url, client, partly, args.read_limit
            )
            # The exact count of (b): the contacts figure 1's pushed query read (a superset),
            # evaluated by its filters as a count does.
            mapper, accept = Mapper(partly), apply.predicate(partly)
            keys = filtered_properties(partly)
            exact = sum(selects(mapper, accept, keys, c) for c in pushed.read.values())
            error = (estimate.count - exact) / max(1, exact)
            results.append(
                (
                    f"2. preview, read limit {args.read_limit:,}: (a) pushed whole "
                    f"{whole_s:.2f} s ({in_searches(whole_searches)}), {whole.count:,} "
                    f"counted by {whole.method} (a sync imports {len(pushed.selected):,}: those "
                    f"with an email); (b) with country is set in the first group "
                    f"{estimate_s:.2f} s ({in_searches(estimate_searches)}), "
                    f"{estimate.count:,} {estimate.method} (upper bound "
                    f"{estimate.upper_bound:,}) against {exact:,} exact: {error:+.1%} "
                    f"(goal: each < {PREVIEW_GOAL_S:g} s)",
                    whole_s < PREVIEW_GOAL_S
                    and estimate_s < PREVIEW_GOAL_S
                    and whole.method == CountMethod.INTERCOM
                    and estimate.method == CountMethod.ESTIMATED,
                )
            )
    return report(results)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--latency-ms", type=float, default=200.0)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--read-limit", type=int, default=1500)
    args = parser.parse_args()
    sys.exit(0 if asyncio.run(benchmark(args)) else 1)


if __name__ == "__main__":
    main()
