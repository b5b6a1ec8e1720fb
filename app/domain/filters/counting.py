"""How many contacts of a list a filter set selects.

When every condition runs in Intercom's search, Intercom's `total_count` of the pushed query is
the answer: one request. Otherwise the pushed query's contacts are read and the whole filter set
evaluated on each, with the sync's own mapping and evaluator (app/domain/syncs/mapping.py). Both
count what the filters select, a contact without a usable email included (a sync skips it as
`no_email`). A preview stops after a bounded read and extrapolates; a refresh reads to the end.
"""

from __future__ import annotations

import contextlib
import enum
from collections.abc import Awaitable, Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any

from app.domain.filters import apply, pushdown
from app.domain.mapping.config import RunConfig
from app.domain.ports import IntercomWorkspace
from app.domain.syncs.mapping import Mapper
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
    keys = filtered_properties(config)
    estimate = read_limit is not None and total > read_limit
    # Estimating, several ranges read at once also spread the share over more of the list.
    reader = workspace.reader(
        query, timezone=timezone, concurrency=concurrency, custom_attribute_types=custom_types
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
                if selects(mapper, accept, keys, contact):
                    selected.add(contact.id)
            if on_page is not None:
                await on_page(len(read))
            if estimate and read_limit is not None and len(read) >= read_limit:
                break
    if estimate:
        share = len(selected) / len(read) if read else 0.0
        return Count(round(total * share), CountMethod.ESTIMATED, total)
    return Count(len(selected), CountMethod.LOCAL, total)


def filtered_properties(config: RunConfig) -> frozenset[str]:
    filters = config.filters
    if filters is None:
        return frozenset()
    return frozenset(condition.property for group in filters.groups for condition in group)


def selects(
    mapper: Mapper, accept: apply.Predicate | None, keys: Collection[str], contact: Contact
) -> bool:
    """Whether the filters, which name properties `keys`, select the contact (what a count
    counts)."""
    return accept is None or accept(mapper.filter_values(contact, keys))
