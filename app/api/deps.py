from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession

from app.adapters import Adapters
from app.api.auth import authenticate
from app.domain.scope import AccountScope


def get_adapters(request: Request) -> Adapters:
    adapters: Adapters = request.app.state.adapters
    return adapters


ResourcesDep = Annotated[Adapters, Depends(get_adapters)]


async def get_session(resources: ResourcesDep) -> AsyncIterator[AsyncSession]:
    # Routes that write commit explicitly before answering; anything left open rolls back.
    async with resources.sessionmaker() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session)]


bearer = HTTPBearer(
    auto_error=False,
    scheme_name="bearerAuth",
    description="An account API key (`isk_…`) or a JWT signed by the NPS product.",
)


async def require_account(
    resources: ResourcesDep,
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> AccountScope:
    token = credentials.credentials if credentials else None
    return await authenticate(session, resources.settings, token)


AccountDep = Annotated[AccountScope, Depends(require_account)]
