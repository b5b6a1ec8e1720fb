"""When Intercom fails a call made for an API request, the API answers a problem, never a 500,
and writes nothing."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.config import Settings
from app.main import create_app
from tests.fixtures.factories import Tenant, create_tenant, integration_count
from tests.fixtures.sandbox import Sandbox
from tests.servers import api_server


@pytest.fixture
async def api(settings: Settings, sandbox: Sandbox) -> AsyncIterator[httpx.AsyncClient]:
    """The API talking to this module's sandbox, whose faults the tests set."""
    # A rate budget of its own: the pause a 429 leaves in Redis must not reach other tests.
    isolated = {"intercom_base_url": sandbox.url, "redis_prefix": f"test-{uuid.uuid4().hex}"}
    app = create_app(settings.model_copy(update=isolated))
    async with api_server(app) as url, httpx.AsyncClient(base_url=url, timeout=30) as client:
        yield client


async def connect(api: httpx.AsyncClient, tenant: Tenant, sandbox: Sandbox) -> httpx.Response:
    return await api.post(
        "/v1/integrations",
        json={"access_token": sandbox.workspace["access_token"]},
        headers=tenant.headers,
    )


async def test_intercom_failing_is_a_502_problem_and_nothing_is_written(
    api: httpx.AsyncClient, sandbox: Sandbox, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    tenant = await create_tenant(sessionmaker)
    sandbox.control("PUT", "/faults", {"error_rate": 1.0})

    response = await connect(api, tenant, sandbox)

    assert response.status_code == 502
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "intercom_unavailable"
    assert await integration_count(sessionmaker, tenant) == 0


async def test_a_spent_rate_limit_is_a_503_with_retry_after(
    api: httpx.AsyncClient, sandbox: Sandbox, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    tenant = await create_tenant(sessionmaker)
    sandbox.control("PUT", "/rate-limit", {"limit": 1, "window_s": 3600})
    sandbox.control("POST", f"/workspaces/{sandbox.workspace['app_id']}/rate-limit/consume", {})

    response = await connect(api, tenant, sandbox)

    assert response.status_code == 503
    assert response.json()["code"] == "intercom_rate_limited"
    assert int(response.headers["retry-after"]) > 15
    assert await integration_count(sessionmaker, tenant) == 0
