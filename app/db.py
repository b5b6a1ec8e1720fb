"""Declarative base with a naming convention, and the engine and session factories."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Protocol, TypeAlias

import asyncpg
import orjson
from asyncpg import Record
from asyncpg.pool import PoolConnectionProxy
from sqlalchemy import MetaData, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase, ORMExecuteState, Session, SessionTransaction
from sqlalchemy.pool import ConnectionPoolEntry, PoolProxiedConnection

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _json_dumps(value: object) -> str:
    return orjson.dumps(value).decode()


def create_engine(
    database_url: str, *, pool_size: int = 10, max_overflow: int = 10, pool_timeout_s: float = 30
) -> AsyncEngine:
    # hide_parameters: an error message must not carry the values bound to its SQL (emails).
    # orjson for JSONB: a sync writes its reader's checkpoint with every batch, and the standard
    # library's json was a measurable share of a worker's CPU.
    engine = create_async_engine(
        database_url,
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_timeout=pool_timeout_s,
        hide_parameters=True,
        json_serializer=_json_dumps,
        json_deserializer=orjson.loads,
    )
    event.listen(engine.sync_engine, "checkout", _refuse_closed)
    return engine


def _refuse_closed(
    dbapi_connection: object, record: ConnectionPoolEntry, proxy: PoolProxiedConnection
) -> None:
    """Instead of `pool_pre_ping`, whose round trip on every checkout was a large share of a
    short request: a connection the server closed (a restart, an idle timeout) is known closed
    by asyncpg as soon as its socket is, and the pool replaces it. A connection that breaks in
    use still fails that one statement, as it would after a ping."""
    driver = record.driver_connection
    if driver is not None and driver.is_closed():
        raise DisconnectionError("the server closed this pooled connection")


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


class ReadOnlySessionWrote(RuntimeError):
    pass


class ReadOnlySession(Session):
    """Refuses to write: every statement it runs must be a SELECT, and it flushes nothing. On
    an AUTOCOMMIT engine (no transaction: no BEGIN and COMMIT round trips) a write would commit
    at once, statement by statement; here it fails instead."""


@event.listens_for(ReadOnlySession, "before_flush")
def _refuse_flush(session: Session, flush_context: object, instances: object) -> None:
    if session.new or session.dirty or session.deleted:
        raise ReadOnlySessionWrote("a read-only session was asked to write")


@event.listens_for(ReadOnlySession, "do_orm_execute")
def _refuse_writes(state: ORMExecuteState) -> None:
    if not state.is_select:
        raise ReadOnlySessionWrote("a read-only session was asked to run a statement that writes")


def create_read_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions for work that only reads: on the same pool, without a transaction (each
    statement its own, the snapshot per statement READ COMMITTED gives anyway)."""
    return async_sessionmaker(
        engine.execution_options(isolation_level="AUTOCOMMIT"),
        expire_on_commit=False,
        sync_session_class=ReadOnlySession,
    )


@asynccontextmanager
async def transaction(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncSession]:
    """A unit of work for jobs and scripts: commits on success, rolls back on error."""
    async with sessionmaker() as session, session.begin():
        yield session


class Countable(Protocol):
    def inc(self, amount: float = 1) -> None: ...


_COUNT_ON_COMMIT = "count_on_commit"


def count_on_commit(session: AsyncSession | Session, metric: Countable, amount: float = 1) -> None:
    """Adds `amount` to `metric` when the session's transaction commits: work rolled back (a
    lost lease, a conflict retried, a savepoint given up) counts nothing, and work retried
    counts once."""
    if amount:
        plain = session.sync_session if isinstance(session, AsyncSession) else session
        pending = plain.info.setdefault(_COUNT_ON_COMMIT, [])
        pending.append((plain.get_nested_transaction() or plain.get_transaction(), metric, amount))


@event.listens_for(Session, "after_commit")
def _count_committed(session: Session) -> None:
    # Also fired when a savepoint is released: only the outermost commit counts.
    if session.in_nested_transaction():
        return
    for _, metric, amount in session.info.pop(_COUNT_ON_COMMIT, ()):
        metric.inc(amount)


@event.listens_for(Session, "after_soft_rollback")
def _forget_rolled_back(session: Session, previous_transaction: SessionTransaction) -> None:
    """Forgets what a rolled-back savepoint (and those within it) counted."""
    pending = session.info.get(_COUNT_ON_COMMIT)
    if pending:
        pending[:] = [entry for entry in pending if not _within(entry[0], previous_transaction)]


@event.listens_for(Session, "after_transaction_end")
def _forget_at_the_end(session: Session, transaction: SessionTransaction) -> None:
    """Whatever the outermost transaction did not commit (a rollback, a close) counts nothing,
    and holds no transaction alive."""
    if transaction.parent is None:
        session.info.pop(_COUNT_ON_COMMIT, None)


def _within(transaction: SessionTransaction | None, outer: SessionTransaction) -> bool:
    while transaction is not None:
        if transaction is outer:
            return True
        transaction = transaction.parent
    return False


if TYPE_CHECKING:
    DirectConnection: TypeAlias = PoolConnectionProxy[Record]
else:  # not subscriptable at run time
    DirectConnection = PoolConnectionProxy


async def _keep_session(connection: asyncpg.Connection) -> None:
    """asyncpg resets a released connection by default (a round trip each: RESET ALL, UNLISTEN
    *...); the direct pool's statements change no session state, so there is none to reset."""


class DirectPool:
    """asyncpg's own pool, for the statements of a hot path that are each their own transaction
    (the webhook intake: one insert per notification). Through SQLAlchemy's async engine a
    checkout and one statement cost ~720 µs of CPU; here ~200 µs (measured, bench/webhooks.py).
    Opened on first use, so that a process starts while PostgreSQL is down."""

    def __init__(self, database_url: str, *, size: int, acquire_timeout_s: float) -> None:
        self._dsn = make_url(database_url).set(drivername="postgresql").render_as_string(False)
        self._size = size
        self._acquire_timeout_s = acquire_timeout_s
        self._pool: asyncpg.Pool | None = None
        self._opening = asyncio.Lock()
        # Callers wait here, first come first served: asyncpg's own queue lets a newcomer take a
        # connection a waiter was woken for, and under load some waited for seconds (p99 243
        # ms against a p50 of 55).
        self._turns = asyncio.Semaphore(size)

    async def _opened(self) -> asyncpg.Pool:
        if self._pool is None:
            async with self._opening:
                if self._pool is None:
                    self._pool = await asyncpg.create_pool(
                        self._dsn, min_size=0, max_size=self._size, reset=_keep_session
                    )
        return self._pool

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[DirectConnection]:
        pool = await self._opened()
        try:
            async with asyncio.timeout(self._acquire_timeout_s):
                await self._turns.acquire()
        except TimeoutError as exc:  # the same answer as the engine's full pool: 503
            raise PoolTimeoutError("no free connection in the direct pool") from exc
        try:
            connection = await pool.acquire(timeout=self._acquire_timeout_s)
            try:
                yield connection
            finally:
                await pool.release(connection)
        finally:
            self._turns.release()

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
