from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

import structlog
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession

from app.adapters import Adapters
from app.api.auth import authenticate
from app.db import ReadOnlySessionWrote
from app.domain.outbox import service as outbox
from app.domain.scope import AccountScope


async def get_adapters(request: Request) -> Adapters:
    adapters: Adapters = request.app.state.adapters
    return adapters


AdaptersDep = Annotated[Adapters, Depends(get_adapters)]


async def get_session(adapters: AdaptersDep) -> AsyncIterator[AsyncSession]:
    """The request's unit of work: it commits once, when the route returns (before the
    response is sent, so a failed commit is the client's error answer, not a lie), and rolls
    back on any error. Routes, services and repositories never commit. Outbox messages the
    request wrote are dispatched after the commit."""
    # First come, first served: SQLAlchemy's pool lets a newcomer take a connection a waiter
    # was woken for, and under load some requests waited for seconds.
    async with adapters.request_turns, adapters.sessionmaker() as session:
        async with session.begin():
            yield session
        pending = outbox.take_pending(session)
    await outbox.dispatch_quietly(adapters.sessionmaker, adapters.queue, pending)


# scope="function": the dependency exits when the route returns, before the response is sent.
SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]


async def get_read_session(adapters: AdaptersDep) -> AsyncIterator[AsyncSession]:
    """For routes that only read: no transaction, each statement its own (the snapshot per
    statement that READ COMMITTED gives anyway), which spares the BEGIN and COMMIT round trips,
    a third of a short read's. The session refuses writes (app.db.ReadOnlySession); a change
    merely left in it, never flushed, would be lost: an error too."""
    async with adapters.request_turns, adapters.read_sessionmaker() as session:
        yield session
        if session.new or session.dirty or session.deleted or outbox.take_pending(session):
            raise ReadOnlySessionWrote("a route on a read-only session changed something")


ReadSessionDep = Annotated[AsyncSession, Depends(get_read_session, scope="function")]


bearer = HTTPBearer(
    auto_error=False,
    scheme_name="bearerAuth",
    description="An account API key (`isk_…`) or a JWT signed by the NPS product.",
)


async def require_account(
    adapters: AdaptersDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> AccountScope:
    """Before, and apart from, the route's session: a credential this process verified lately
    needs no database (KnownCredentials); another takes one statement on the direct pool (an API
    key's lookup, or the idempotent provisioning of a JWT's account)."""
    token = credentials.credentials if credentials else None
    account = await authenticate(adapters, token)
    structlog.contextvars.bind_contextvars(account_id=str(account.id))
    return account


AccountDep = Annotated[AccountScope, Depends(require_account)]
