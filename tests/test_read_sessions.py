"""Routes that only read take a session without a transaction (app/api/deps.py): on it a write
would commit at once, statement by statement, and a change merely left in it would be lost; both
fail the request instead, loudly, and nothing is written."""

from __future__ import annotations

import uuid

import httpx
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.api.deps import AccountDep, ReadSessionDep
from app.config import Settings
from app.domain.models import Account
from app.main import create_app
from tests.fixtures.factories import Tenant
from tests.servers import api_server


async def test_a_read_only_route_that_changes_something_fails_rather_than_lose_it(
    settings: Settings, tenant: Tenant, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    app = create_app(settings)
    made = uuid.uuid4()

    @app.get("/test-only/writes")
    async def writes(account: AccountDep, session: ReadSessionDep) -> dict[str, str]:
        session.add(Account(id=made, name="never written", nps_campaigns=0))
        return {"account": str(account.id)}

    @app.get("/test-only/flushes")
    async def flushes(account: AccountDep, session: ReadSessionDep) -> dict[str, str]:
        session.add(Account(id=made, name="never written", nps_campaigns=0))
        await session.flush()
        return {"account": str(account.id)}

    @app.get("/test-only/updates")
    async def updates(account: AccountDep, session: ReadSessionDep) -> dict[str, str]:
        await session.execute(update(Account).where(Account.id == account.id).values(name="x"))
        return {"account": str(account.id)}

    @app.get("/test-only/reads")
    async def reads(account: AccountDep, session: ReadSessionDep) -> dict[str, str]:
        name = await session.scalar(select(Account.name).where(Account.id == account.id))
        return {"name": str(name)}

    async with api_server(app) as url, httpx.AsyncClient(base_url=url) as http:
        failed = [
            await http.get(f"/test-only/{path}", headers=tenant.headers)
            for path in ("writes", "flushes", "updates")
        ]
        read = await http.get("/test-only/reads", headers=tenant.headers)

    assert [response.status_code for response in failed] == [500, 500, 500]
    assert {response.headers["content-type"] for response in failed} == {"application/problem+json"}
    async with sessionmaker() as session:
        assert await session.get(Account, made) is None
    assert read.status_code == 200
    assert read.json() == {"name": "Acme NPS"}
