from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession

from app.api.auth import authenticate
from app.api.resources import ApiResources
from app.domain.scope import AccountScope


def get_resources(request: Request) -> ApiResources:
    resources: ApiResources = request.app.state.resources
    return resources


ResourcesDep = Annotated[ApiResources, Depends(get_resources)]


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
    request: Request,
) -> AccountScope:
    return await authenticate(session, resources.settings, request.headers.get("Authorization"))


AccountDep = Annotated[AccountScope, Depends(require_account)]
