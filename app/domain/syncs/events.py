"""A run's progress as a stream of events, for Server-Sent Events (GET /v1/syncs/{id}/events).

Progress lives in the run's row (written with every batch), so any API process can serve any
client. In each process one poller per run reads the row a few times a second, on a short
session of its own, however many streams follow that run; streams wait on it and send a new
event when the run's `progress_seq` moved on. That number is also the event's id, so a client
that reconnects with `Last-Event-ID` gets only what it has not seen. The last event is the final
report; then the stream ends. A client that goes away stops its stream, and the last stream of a
run stops its poller. An account may follow only so many streams at once in one process.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.domain.models.syncs import ACTIVE_STATUSES
from app.domain.scope import AccountScope
from app.domain.syncs import queries
from app.domain.syncs.repository import SyncRunRepository
from app.domain.syncs.schemas import SyncRead
from app.errors import AppError

log = structlog.get_logger(__name__)

PROGRESS = "progress"
REPORT = "report"
# A few reads a second per run (not per stream): smooth enough for a progress bar, cheap for
# the database (one primary-key read each).
POLL_INTERVAL_S = 0.3
# A stream ends after this long even while its run goes on (a deferred run may wait for
# hours): the client reconnects with Last-Event-ID, and no connection is held forever.
MAX_STREAM_S = 15 * 60
STREAMS_PER_ACCOUNT = 20
# Reads of a run failing in a row (about 3 s) before its streams are ended.
MAX_READ_FAILURES = 10


class TooManyStreams(AppError):
    status = 429
    code = "too_many_streams"
    title = "Too many progress streams open"

    def __init__(self, limit: int) -> None:
        super().__init__(
            f"This account follows {limit} syncs live already; close a stream first.",
            limit=limit,
        )


@dataclass(frozen=True)
class RunEvent:
    id: int
    kind: str  # PROGRESS | REPORT
    run: SyncRead


@dataclass(frozen=True)
class _Snapshot:
    seq: int
    ended: bool
    run: SyncRead


class _Watched:
    """One run as this process's poller last read it; streams wait for a newer snapshot."""

    def __init__(self) -> None:
        self.snapshot: _Snapshot | None = None
        # Bumped with each new snapshot, and once more when the run is gone or polling ends.
        self.version = 0
        self.finished = False
        self.followers = 0
        self.poller: asyncio.Task[None] | None = None
        self._changed = asyncio.Condition()

    async def publish(self, snapshot: _Snapshot | None, *, finished: bool) -> None:
        async with self._changed:
            self.snapshot = snapshot
            self.finished = finished
            self.version += 1
            self._changed.notify_all()

    async def newer_than(self, version: int, timeout_s: float) -> bool:
        """Waits until a snapshot newer than `version` (True) or the timeout (False)."""
        async with self._changed:
            try:
                await asyncio.wait_for(
                    self._changed.wait_for(lambda: self.version > version), timeout_s
                )
            except TimeoutError:
                return False
            return True


class Reservation:
    """One stream of an account; released once, whoever releases it first."""

    def __init__(self, watchers: RunWatchers, account: AccountScope) -> None:
        self._watchers = watchers
        self._account = account
        self._released = False

    def release(self) -> None:
        if not self._released:
            self._released = True
            self._watchers._release(self._account)


class RunWatchers:
    """This process's pollers, one per followed run, shared by the streams that follow it."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        *,
        poll_interval_s: float = POLL_INTERVAL_S,
        streams_per_account: int = STREAMS_PER_ACCOUNT,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._poll_interval_s = poll_interval_s
        self._streams_per_account = streams_per_account
        self._runs: dict[tuple[uuid.UUID, uuid.UUID], _Watched] = {}
        self._streams: Counter[uuid.UUID] = Counter()

    @property
    def polled_runs(self) -> int:
        return len(self._runs)

    def reserve(self, account: AccountScope) -> Reservation:
        """Takes one of the account's streams (TooManyStreams when none is left) until the
        reservation is released. Taken before a response starts, so that a refusal is a 429."""
        if self._streams[account.id] >= self._streams_per_account:
            raise TooManyStreams(self._streams_per_account)
        self._streams[account.id] += 1
        return Reservation(self, account)

    def _release(self, account: AccountScope) -> None:
        self._streams[account.id] -= 1
        if self._streams[account.id] <= 0:
            del self._streams[account.id]

    @contextlib.asynccontextmanager
    async def follow(self, account: AccountScope, sync_id: uuid.UUID) -> AsyncIterator[_Watched]:
        key = (account.id, sync_id)
        watched = self._runs.get(key)
        if watched is None:
            watched = self._runs[key] = _Watched()
            watched.poller = asyncio.create_task(self._poll(key, watched, account, sync_id))
        watched.followers += 1
        try:
            yield watched
        finally:
            watched.followers -= 1
            if watched.followers == 0:
                if self._runs.get(key) is watched:
                    del self._runs[key]
                if watched.poller is not None:
                    watched.poller.cancel()

    async def _poll(
        self,
        key: tuple[uuid.UUID, uuid.UUID],
        watched: _Watched,
        account: AccountScope,
        sync_id: uuid.UUID,
    ) -> None:
        last_seq: int | None = None
        failures = 0
        try:
            while True:
                try:
                    async with self._sessionmaker() as session:
                        run = await SyncRunRepository(session).get_for_account(account, sync_id)
                    if run is None:  # its segment's integration was deleted meanwhile
                        await watched.publish(watched.snapshot, finished=True)
                        return
                    ended = run.status not in ACTIVE_STATUSES
                    if run.progress_seq != last_seq or ended:
                        last_seq = run.progress_seq
                        snapshot = _Snapshot(run.progress_seq, ended, queries.to_read(run))
                        await watched.publish(snapshot, finished=ended)
                    if ended:
                        return
                    failures = 0
                except Exception as exc:  # a database blip: the next read tries again
                    failures += 1
                    log.warning("syncs.progress_read_failed", error=type(exc).__name__)
                    if failures >= MAX_READ_FAILURES:
                        # Its streams end (clients reconnect) rather than wait on a dead poller.
                        await watched.publish(watched.snapshot, finished=True)
                        return
                await asyncio.sleep(self._poll_interval_s)
        finally:
            if self._runs.get(key) is watched and watched.finished:
                # Ended: a stream that starts now reads the final state afresh.
                del self._runs[key]


async def watch(
    watchers: RunWatchers,
    account: AccountScope,
    sync_id: uuid.UUID,
    *,
    last_seen: int | None,
    max_stream_s: float = MAX_STREAM_S,
) -> AsyncIterator[RunEvent]:
    """The run's events after `last_seen` (all from its current state when None), ending
    with its final report; nothing more for a client that already has that report. An id
    this run never gave (ahead of it) is treated as none."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + max_stream_s
    async with watchers.follow(account, sync_id) as watched:
        version = 0
        while True:
            if not await watched.newer_than(version, deadline - loop.time()):
                return  # the stream's time is up
            # Read together: the run may end while this stream waits for its client.
            version, snapshot, finished = watched.version, watched.snapshot, watched.finished
            if snapshot is None:
                return
            if last_seen is not None and last_seen > snapshot.seq:
                last_seen = None
            if last_seen is None or snapshot.seq > last_seen:
                last_seen = snapshot.seq
                kind = REPORT if snapshot.ended else PROGRESS
                yield RunEvent(snapshot.seq, kind, snapshot.run)
            if finished:
                return
