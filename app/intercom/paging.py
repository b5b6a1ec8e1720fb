"""Reading every contact of a search, fast and exactly once, by concurrent partitions.

Intercom has no bulk export and one cursor pages 150 contacts at a time (INTERCOM.md §10). The
reader splits a query into disjoint `created_at` day ranges in the workspace's timezone (the unit
Intercom's search compares dates in, §2.2), pages each range with its own cursor, several at
once, and streams the pages through a bounded queue: a slow consumer stops the fetching, and
memory stays flat whatever the size of the workspace.

Splitting is adaptive: a range whose first page reports more contacts than `max_partition_size`
is split into smaller day ranges (its page is dropped, so nothing is delivered twice); a single
day cannot be split and is paged sequentially. The first and last ranges are open-ended, so the
union of the ranges is exactly the query's result, whatever the dates.

The reader's progress is a `Checkpoint`: a plain value (`to_json`/`from_json`) of the ranges,
their cursors and which are done, as of the pages the consumer has received. A reader built from
a checkpoint re-reads nothing that was finished.
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

from app.intercom.models import Contact, ContactList
from app.intercom.query import Filter, Group, Query, QueryBuilder, and_with

CHECKPOINT_VERSION = 1
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
        }

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Partition:
        return cls(raw["first_day"], raw["last_day"], raw.get("cursor"), bool(raw.get("done")))


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
        if raw.get("version") != CHECKPOINT_VERSION:
            raise ValueError(f"unknown checkpoint version {raw.get('version')!r}")
        return cls([Partition.from_json(item) for item in raw["partitions"]])

    @property
    def finished(self) -> bool:
        return all(partition.done for partition in self.partitions)


@dataclass(frozen=True)
class ContactPage:
    contacts: list[Contact]
    partition: Partition
    next_cursor: str | None


@dataclass
class ReadStats:
    requests: int = 0
    splits: int = 0
    dropped_pages: int = 0
    partitions: int = 0


@dataclass
class _Failure:
    error: BaseException


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
            self._partitions = [Partition(**p.to_json()) for p in self.checkpoint_in.partitions]
        else:
            self._partitions = [Partition(None, None)]

    def checkpoint(self) -> Checkpoint:
        """Progress as of the pages handed to the consumer (copied: safe to keep)."""
        return Checkpoint([Partition(**p.to_json()) for p in self._partitions])

    async def pages(self) -> AsyncGenerator[ContactPage, None]:
        """The pages, as they arrive. Use it under `contextlib.aclosing` when the loop may stop
        early, so the fetching tasks stop with it."""
        # Work is one page at a time, longest job first: new partitions (whose first page may
        # split them) before continuations, and among those the partition with the most pages
        # left, so that a dense day starts early and does not finish the read alone.
        work: asyncio.PriorityQueue[tuple[tuple[int, float], int, _Step]] = asyncio.PriorityQueue()
        out: asyncio.Queue[ContactPage | _Failure | object] = asyncio.Queue(
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
                assert isinstance(item, ContactPage)
                item.partition.cursor = item.next_cursor
                item.partition.done = item.next_cursor is None
                yield item
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
            children = self._split(partition, page.total_count)
            self.stats.splits += 1
            self.stats.dropped_pages += 1
            index = self._partitions.index(partition)
            self._partitions[index : index + 1] = children
            first, last = self._span(partition)
            density = page.total_count / (last - first + 1)
            return [_Step(child, None, True, density) for child in children]
        pages_left = step.weight - 1
        if step.first:
            self.stats.partitions += 1
            pages_left = math.ceil(page.total_count / max(1, len(page.data))) - 1
        cursor = page.next_cursor
        await out.put(ContactPage(list(page.data), partition, cursor))
        return [_Step(partition, cursor, False, pages_left)] if cursor is not None else []

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

    def _split(self, partition: Partition, total: int) -> list[Partition]:
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
        """The search of one partition: the query AND its `created_at` range."""
        filters = self._range_filters(partition)
        combined = and_with(self.query, filters) if filters else self.query
        assert combined is not None
        return combined.to_json()

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


def parse_query(raw: Mapping[str, Any] | Query) -> Query:
    return raw if isinstance(raw, Filter | Group) else QueryBuilder().parse(raw)
