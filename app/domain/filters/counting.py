"""How many contacts of a list a filter set selects.

When every condition runs in Intercom's search, Intercom's `total_count` of the pushed query is
the answer: one request. Otherwise the pushed query's contacts are read and the whole filter set
evaluated on each (the sync's own mapping and evaluator, app/domain/syncs/mapping.py), which
counts the contacts a sync would import: selected, and with a usable email. A preview stops
after a bounded read and extrapolates; a refresh reads to the end.
"""

from __future__ import annotations

import contextlib
import enum
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from app.domain.filters import apply, pushdown
from app.domain.mapping.config import RunConfig
from app.domain.ports import IntercomWorkspace
from app.domain.syncs.mapping import Fail, Mapper, Skip
from app.domain.syncs.pipeline import filter_values
from app.intercom.models import Contact


class CountMethod(enum.StrEnum):
    """Where a count comes from."""

    INTERCOM = "intercom"  # Intercom's total_count: the list, or filters it evaluates whole
    LOCAL = "local"  # every contact of the pushed query read and evaluated here
    ESTIMATED = "estimated"  # the first contacts read, extrapolated to Intercom's total


@dataclass(frozen=True)
class Count:
    count: int
    method: CountMethod
    # Intercom's total_count of the pushed query: what the filters select at most.
    upper_bound: int

    @property
    def exact(self) -> bool:
        return self.method != CountMethod.ESTIMATED


OnPage = Callable[[int], Awaitable[None]]


async def count_selected(
    workspace: IntercomWorkspace,
    base_query: Mapping[str, Any],
    config: RunConfig,
    *,
    timezone: str | None,
    read_limit: int | None = None,
    concurrency: int = 1,
    on_page: OnPage | None = None,
) -> Count:
    """Counts the contacts of `base_query` that `config`'s filters select. With `read_limit`,
    a count that would read more contacts than that is estimated from the first ones read.
    `on_page` hears how many contacts were read so far (a job renews its lease there)."""
    query, custom_types = pushdown.search_query(base_query, config)
    total = await workspace.count_contacts(query)
    if total == 0 or pushdown.fully_pushed(base_query, config):
        return Count(total, CountMethod.INTERCOM, total)
    accept = apply.predicate(config)
    mapper = Mapper(config)
    estimate = read_limit is not None and total > read_limit
    reader = workspace.reader(
        query,
        timezone=timezone,
        concurrency=1 if estimate else concurrency,
        custom_attribute_types=custom_types,
    )
    # By id: a partitioned read may deliver a contact twice.
    read: set[str] = set()
    selected: set[str] = set()
    async with contextlib.aclosing(reader.pages()) as pages:
        async for page in pages:
            for contact in page.contacts:
                if not isinstance(contact, Contact) or contact.id in read:
                    continue
                read.add(contact.id)
                if _selects(mapper, accept, contact):
                    selected.add(contact.id)
            if on_page is not None:
                await on_page(len(read))
            if estimate and read_limit is not None and len(read) >= read_limit:
                break
    if estimate:
        share = len(selected) / len(read) if read else 0.0
        return Count(round(total * share), CountMethod.ESTIMATED, total)
    return Count(len(selected), CountMethod.LOCAL, total)


def _selects(mapper: Mapper, accept: apply.Predicate | None, contact: Contact) -> bool:
    try:
        mapped = mapper.map(contact)
    except (Skip, Fail):
        return False
    return accept is None or accept(filter_values(mapped))
