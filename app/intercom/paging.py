"""Reading every contact of a search, fast and exactly once, by concurrent partitions.

Intercom has no bulk export and one cursor pages 150 contacts at a time (INTERCOM.md §10). The
reader splits a query into disjoint `created_at` day ranges in the workspace's timezone (the unit
Intercom's search compares dates in, §2.2), pages each range with its own cursor, several at
once, and streams the pages through a bounded queue: a slow consumer stops the fetching, and
memory stays flat whatever the size of the workspace.

Splitting is adaptive: a range whose first page reports more contacts than `max_partition_size`
is split into smaller day ranges; a single day cannot be split and is paged sequentially. The
first and last ranges are open-ended, so the union of the ranges is exactly the query's result,
whatever the dates.

The first page of a range that splits is used, not read again: its contacts are delivered, and
each child range leaves out those that fall in it with `id NIN [...]` (INTERCOM.md §2.2: `id` is a
string field, NIN allowed). Search compares dates by day only and its order is not documented in
2.14, so a page cannot be cut at an instant or a position; but each contact carries its exact
`created_at`, so the reader knows which child would return it. A child whose exclusions cannot be
expressed (too many ids, or no room left in the query) drops its share of the page instead, to
read it again: never a contact missed or delivered twice. A clean read of N contacts thus takes
at most N/150 requests plus one per final range (every split page being full, as ranges split
only beyond `max_partition_size` contacts: 1,500 by default).

The reader's progress is a `Checkpoint`: a plain value (`to_json`/`from_json`) of the ranges,
their cursors, their exclusions and which are done, as of the pages the consumer has received. A
reader built from a checkpoint re-reads nothing that was finished.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import math
from collections.abc import AsyncGenerator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from app.intercom.models import Contact, ContactList, MalformedContact
from app.intercom.query import Filter, Group, Query, QueryBuilder, and_with

# Version 2 added each range's exclusions; version 1 (written before) has none and reads as is.
CHECKPOINT_VERSION = 2
READABLE_VERSIONS = (1, 2)
# Intercom was founded in 2011: no contact was created before; the first range is open anyway.
EARLIEST_DAY = date(2011, 1, 1).toordinal()

FetchPage = Callable[[Mapping[str, Any], str | None], Awaitable[ContactList]]


@dataclass
class Partition:
    """Contacts created on days `first_day`..`last_day` (ordinals, inclusive; None: open)."""

    first_day: int | None
    last_day: int | None
    cursor: str | None = None
    done: bool = False
    # Contacts delivered already (from the first page of a range this one was split from) that
    # its query leaves out with `id NIN`: id -> created_at day (ordinal, workspace timezone).
    # The day tells which child inherits each one when this range splits in turn.
    excluded: dict[str, int] = field(default_factory=dict)

    @property
    def started(self) -> bool:
        return self.cursor is not None or self.done

    @property
    def single_day(self) -> bool:
        return self.first_day is not None and self.first_day == self.last_day

    def to_json(self) -> dict[str, Any]:
        return {
            "first_day": self.first_day,
            "last_day": self.last_day,
            "cursor": self.cursor,
            "done": self.done,
            "excluded": dict(self.excluded),
        }

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Partition:
        excluded = {str(key): int(day) for key, day in (raw.get("excluded") or {}).items()}
        return cls(
            raw["first_day"], raw["last_day"], raw.get("cursor"), bool(raw.get("done")), excluded
        )

    def copy(self) -> Partition:
        return Partition.from_json(self.to_json())


@dataclass
class Checkpoint:
    partitions: list[Partition]

    def to_json(self) -> dict[str, Any]:
        return {
            "version": CHECKPOINT_VERSION,
            "partitions": [partition.to_json() for partition in self.partitions],
        }

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Checkpoint:
        if raw.get("version") not in READABLE_VERSIONS:
            raise ValueError(f"unknown checkpoint version {raw.get('version')!r}")
        return cls([Partition.from_json(item) for item in raw["partitions"]])

    @property
    def finished(self) -> bool:
        return all(partition.done for partition in self.partitions)


@dataclass(frozen=True)
class ContactPage:
    contacts: list[Contact | MalformedContact]
    partition: Partition
    next_cursor: str | None


@dataclass
class ReadStats:
    requests: int = 0
    splits: int = 0
    # Contacts of split pages left to their child to read again (exclusions that did not fit),
    # and split pages of which nothing could be delivered.
    reread_contacts: int = 0
    dropped_pages: int = 0
    partitions: int = 0


@dataclass
class _Failure:
    error: BaseException


@dataclass
class _Delivery:
    page: ContactPage
    # Set for the first page of a range that split: the ranges that replace it. They replace it
    # in the checkpoint when the consumer receives the page, not before: until then a resumed
    # read must read the range again, exclusions and all.
    children: list[Partition] | None = None


@dataclass
class _Step:
    """The next page to fetch of one partition."""

    partition: Partition
    cursor: str | None
    first: bool
    # What orders the work: a new partition's parent density (contacts per day), or the pages
    # a started one has left; infinite when unknown (resumed from a checkpoint).
    weight: float


_DONE = object()


@dataclass
class PartitionedReader:
    fetch: FetchPage
    query: Query
    timezone: str
    concurrency: int = 8
    max_partition_size: int = 1500
    max_fanout: int = 16
    # Ids one range may leave out with `id NIN`. Intercom documents no limit on an array value;
    # this keeps a search body under about 25 KB (four pages' worth of ids).
    max_excluded: int = 600
    checkpoint_in: Checkpoint | None = None
    today: date | None = None
    stats: ReadStats = field(default_factory=ReadStats)

    def __post_init__(self) -> None:
        self._zone = ZoneInfo(self.timezone)
        # Range filters must fit Intercom's limits around the query; if they cannot, one
        # sequential cursor reads it.
        self._splittable = and_with(self.query, _PROBE_FILTERS) is not None
        if self.checkpoint_in is not None:
            # Copied: the reader advances its own partitions, never the caller's checkpoint.
            self._partitions = [p.copy() for p in self.checkpoint_in.partitions]
        else:
            self._partitions = [Partition(None, None)]

    def checkpoint(self) -> Checkpoint:
        """Progress as of the pages handed to the consumer (copied: safe to keep)."""
        return Checkpoint([p.copy() for p in self._partitions])

    async def pages(self) -> AsyncGenerator[ContactPage, None]:
        """The pages, as they arrive. Use it under `contextlib.aclosing` when the loop may stop
        early, so the fetching tasks stop with it."""
        # Work is one page at a time, longest job first: new partitions (whose first page may
        # split them) before continuations, and among those the partition with the most pages
        # left, so that a dense day starts early and does not finish the read alone.
        work: asyncio.PriorityQueue[tuple[tuple[int, float], int, _Step]] = asyncio.PriorityQueue()
        out: asyncio.Queue[_Delivery | _Failure | object] = asyncio.Queue(
            maxsize=max(2, self.concurrency)
        )
        order = itertools.count()

        def schedule(step: _Step) -> None:
            # New partitions go densest first (by their parent's contacts per day): a dense
            # spot then reaches the single day it is, whose long sequential read should start
            # as early as possible.
            rank = (0, -step.weight) if step.first else (1, -step.weight)
            work.put_nowait((rank, next(order), step))

        pending = [p for p in self._partitions if not p.done]
        for partition in pending:
            started = partition.started
            # A resumed partition's size is unknown: rank it as long.
            schedule(_Step(partition, partition.cursor, not started, math.inf))
        outstanding = len(pending)
        if outstanding == 0:
            return

        async def worker() -> None:
            nonlocal outstanding
            while True:
                _, _, step = await work.get()
                try:
                    following = await self._step(step, out)
                except Exception as exc:  # handed to the consumer, who raises it
                    await out.put(_Failure(exc))
                    return
                for next_step in following:
                    schedule(next_step)
                if not following:  # the partition is finished
                    outstanding -= 1
                elif following[0].partition is not step.partition:  # split into children
                    outstanding += len(following) - 1
                if outstanding == 0:
                    await out.put(_DONE)
                    return

        workers = [asyncio.create_task(worker()) for _ in range(max(1, self.concurrency))]
        try:
            while True:
                item = await out.get()
                if item is _DONE:
                    return
                if isinstance(item, _Failure):
                    raise item.error
                assert isinstance(item, _Delivery)
                page = item.page
                if item.children is not None:
                    # The queue is FIFO and children are scheduled only once this is queued, so
                    # no page of a child arrives before the child is in the checkpoint.
                    self._replace(page.partition, item.children)
                    if not page.contacts:
                        continue
                else:
                    page.partition.cursor = page.next_cursor
                    page.partition.done = page.next_cursor is None
                    if page.partition.done:
                        # A finished range is never searched again: its exclusions are dead
                        # weight in every checkpoint written from now on.
                        page.partition.excluded.clear()
                yield page
        finally:
            for task in workers:
                task.cancel()
            for task in workers:
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    async def _step(self, step: _Step, out: asyncio.Queue[Any]) -> list[_Step]:
        """Fetches one page: returns the partition's next step, its children if it was split,
        or nothing when it is finished."""
        partition = step.partition
        self.stats.requests += 1
        page = await self.fetch(self.query_for(partition), step.cursor)
        if step.first and self._should_split(partition, page.total_count):
            plan = self._plan_split(partition, page.data)
            if plan is not None:
                children, delivered = plan
                self.stats.splits += 1
                self.stats.reread_contacts += len(page.data) - len(delivered)
                if page.data and not delivered:
                    self.stats.dropped_pages += 1
                await out.put(_Delivery(ContactPage(delivered, partition, None), children))
                first, last = self._span(partition)
                density = page.total_count / (last - first + 1)
                return [_Step(child, None, True, density) for child in children]
        pages_left = step.weight - 1
        if step.first:
            self.stats.partitions += 1
            pages_left = math.ceil(page.total_count / max(1, len(page.data))) - 1
        cursor = page.next_cursor
        await out.put(_Delivery(ContactPage(list(page.data), partition, cursor)))
        return [_Step(partition, cursor, False, pages_left)] if cursor is not None else []

    def _replace(self, partition: Partition, children: list[Partition]) -> None:
        # By identity: two ranges may be equal as values (both empty, unstarted).
        index = next(i for i, p in enumerate(self._partitions) if p is partition)
        self._partitions[index : index + 1] = children

    def _plan_split(
        self, partition: Partition, contacts: list[Contact | MalformedContact]
    ) -> tuple[list[Partition], list[Contact | MalformedContact]] | None:
        """The children of a range and the contacts of its first page that can be delivered
        now, each left out of the child that would return it; None when the range cannot be
        split without losing exclusions it already carries (it is then paged as it is)."""
        children = self._split(partition)
        inherited: list[dict[str, int]] = [{} for _ in children]
        for contact_id, day in partition.excluded.items():
            for index in _owners(children, day):
                inherited[index][contact_id] = day
        if not all(self._fits(child, inherited[i]) for i, child in enumerate(children)):
            return None
        fresh: list[dict[str, int]] = [{} for _ in children]
        owners_of: list[list[int] | None] = []
        for contact in contacts:
            if isinstance(contact, MalformedContact):
                # No date to place it by: not delivered now, read again by its child.
                owners_of.append(None)
                continue
            day = self._day(contact)
            owners = _owners(children, day)
            for index in owners:
                fresh[index][contact.id] = day
            owners_of.append(owners)
        blocked = {
            i for i, child in enumerate(children) if not self._fits(child, inherited[i] | fresh[i])
        }
        # A contact is delivered only if every child that might return it leaves it out; the
        # others stay for their child to read (excluding them anywhere could lose them).
        delivered = [
            c
            for c, owners in zip(contacts, owners_of, strict=True)
            if owners is not None and blocked.isdisjoint(owners)
        ]
        kept = {contact.id for contact in delivered}
        for index, child in enumerate(children):
            child.excluded = inherited[index] | {
                key: day for key, day in fresh[index].items() if key in kept
            }
        return children, delivered

    def _fits(self, partition: Partition, excluded: Mapping[str, int]) -> bool:
        if len(excluded) > self.max_excluded:
            return False
        return and_with(self.query, self._filters(partition, excluded)) is not None

    def _day(self, contact: Contact) -> int:
        # No date (never seen from Intercom, but the field is optional): a search would match
        # it, if at all, as the earliest; as epoch 0 it is left out of the open first range.
        created_at = contact.created_at or 0
        return datetime.fromtimestamp(created_at, self._zone).date().toordinal()

    def _should_split(self, partition: Partition, total: int) -> bool:
        return (
            self._splittable
            and total > self.max_partition_size
            and not partition.single_day
            and self._span(partition)[1] > self._span(partition)[0]
        )

    def _span(self, partition: Partition) -> tuple[int, int]:
        today = (self.today or datetime.now(self._zone).date()).toordinal()
        first = partition.first_day if partition.first_day is not None else EARLIEST_DAY
        last = partition.last_day if partition.last_day is not None else today
        return first, max(first, last)

    def _split(self, partition: Partition) -> list[Partition]:
        first, last = self._span(partition)
        days = last - first + 1
        # As many parts as the fan-out allows: a dense day is isolated in few rounds, and a
        # part that comes out small costs one page whatever its size.
        parts = max(2, min(self.max_fanout, days))
        bounds = [first + round(i * days / parts) for i in range(parts + 1)]
        children = []
        for index in range(parts):
            low, high = bounds[index], bounds[index + 1] - 1
            if high < low:
                continue
            children.append(
                Partition(
                    # The outer ends stay open, so no date falls outside every partition.
                    None if index == 0 and partition.first_day is None else low,
                    None if index == parts - 1 and partition.last_day is None else high,
                )
            )
        return children

    def query_for(self, partition: Partition) -> Mapping[str, Any]:
        """The search of one partition: the query AND its `created_at` range AND, if it has
        exclusions, `id NIN` them."""
        combined = and_with(self.query, self._filters(partition, partition.excluded))
        assert combined is not None
        return combined.to_json()

    def _filters(self, partition: Partition, excluded: Mapping[str, int]) -> list[Filter]:
        filters = self._range_filters(partition)
        if excluded:
            # Sorted: a cursor is bound to its query, and a checkpoint stored as JSONB comes
            # back with its keys in another order.
            filters.append(Filter("id", "NIN", tuple(sorted(excluded))))
        return filters

    def _range_filters(self, partition: Partition) -> list[Filter]:
        # INTERCOM.md §2.2: `>` matches from the next day, `<` before the day, `=` the day, all
        # in the workspace's timezone; noon names a day without daylight-saving ambiguity.
        if partition.single_day:
            assert partition.first_day is not None
            return [Filter("created_at", "=", self._noon(partition.first_day))]
        filters = []
        if partition.first_day is not None:
            filters.append(Filter("created_at", ">", self._noon(partition.first_day - 1)))
        if partition.last_day is not None:
            filters.append(Filter("created_at", "<", self._noon(partition.last_day + 1)))
        return filters

    def _noon(self, day: int) -> int:
        return int(datetime.combine(date.fromordinal(day), time(12), self._zone).timestamp())


_PROBE_FILTERS = [Filter("created_at", ">", 0), Filter("created_at", "<", 0)]
# How many days either side of a contact's own day its id is excluded too. An id in the NIN of a
# range that would not return it excludes nothing; the margin keeps the contact out of the right
# range should Intercom's idea of its day differ from ours by one (a daylight-saving rule in
# another tz database, a workspace timezone changed since it was read).
DAY_MARGIN = 1


def _owners(children: list[Partition], day: int) -> list[int]:
    """The children whose days meet `day` ± DAY_MARGIN."""
    low, high = day - DAY_MARGIN, day + DAY_MARGIN
    return [
        index
        for index, child in enumerate(children)
        if (child.first_day is None or child.first_day <= high)
        and (child.last_day is None or child.last_day >= low)
    ]


def parse_query(
    raw: Mapping[str, Any] | Query, custom_attribute_types: Mapping[str, str] | None = None
) -> Query:
    if isinstance(raw, Filter | Group):
        return raw
    return QueryBuilder(custom_attribute_types).parse(raw)
