"""An API process trusts a credential it verified for API_KEY_CACHE_S: a revoked key works that
much longer and no more; a wrong key is looked up every time; 0 trusts nothing."""

from __future__ import annotations

import asyncio
import time
import uuid

import httpx
from sqlalchemy import func, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.config import Settings
from app.db import transaction
from app.domain.accounts.credentials import KnownCredentials
from app.domain.models import ApiKey
from app.main import create_app
from tests.fixtures.factories import create_tenant
from tests.servers import api_server


async def revoke(sessionmaker: async_sessionmaker[AsyncSession], account_id: uuid.UUID) -> None:
    async with transaction(sessionmaker) as session:
        await session.execute(
            update(ApiKey).where(ApiKey.account_id == account_id).values(revoked_at=func.now())
        )


async def test_a_revoked_key_works_for_the_cache_time_then_no_more(
    settings: Settings, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    cache_s = 2.0
    tenant = await create_tenant(sessionmaker)
    app = create_app(settings.model_copy(update={"api_key_cache_s": cache_s}))
    async with api_server(app) as url, httpx.AsyncClient(base_url=url) as http:
        assert (await http.get("/v1/account", headers=tenant.headers)).status_code == 200
        verified = time.monotonic()
        await revoke(sessionmaker, tenant.account_id)
        trusted = await http.get("/v1/account", headers=tenant.headers)
        assert time.monotonic() - verified < cache_s, "too slow to tell"
        assert trusted.status_code == 200
        await asyncio.sleep(cache_s - (time.monotonic() - verified) + 0.1)
        assert (await http.get("/v1/account", headers=tenant.headers)).status_code == 401


async def test_without_a_cache_a_revoked_key_is_refused_at_once(
    settings: Settings, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    tenant = await create_tenant(sessionmaker)
    app = create_app(settings.model_copy(update={"api_key_cache_s": 0}))
    async with api_server(app) as url, httpx.AsyncClient(base_url=url) as http:
        assert (await http.get("/v1/account", headers=tenant.headers)).status_code == 200
        await revoke(sessionmaker, tenant.account_id)
        assert (await http.get("/v1/account", headers=tenant.headers)).status_code == 401


def test_only_successes_are_kept_and_a_zero_time_keeps_nothing() -> None:
    known = KnownCredentials(ttl_s=60)
    account_id = uuid.uuid4()
    assert known.get("hash") is None  # a miss is not remembered as anything
    known.remember("hash", account_id)
    assert known.get("hash") == account_id
    assert known.get("other") is None
    off = KnownCredentials(ttl_s=0)
    off.remember("hash", account_id)
    assert off.get("hash") is None


def test_the_cache_is_bounded() -> None:
    known = KnownCredentials(ttl_s=60, max_entries=3)
    for number in range(10):
        known.remember(f"hash{number}", uuid.uuid4())
    assert sum(known.get(f"hash{number}") is not None for number in range(10)) == 3
