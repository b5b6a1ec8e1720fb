"""PostgreSQL or Redis down during a request: a 503 problem with Retry-After, never a 500."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
import redis.exceptions
import sqlalchemy.exc
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.api.problems import unavailable_dependency
from app.config import Settings
from app.main import create_app
from tests.fixtures.factories import create_tenant, integration_count
from tests.servers import api_server, free_port
from tests.test_bad_input import assert_problem


def assert_unavailable(response: httpx.Response, dependency: str) -> None:
    body = assert_problem(response, 503)
    assert body["code"] == "dependency_unavailable"
    assert body["down"] == [dependency]
    assert response.headers["retry-after"] == "5"


async def test_postgresql_down_is_a_503_with_retry_after(settings: Settings) -> None:
    closed_port = str(make_url(settings.database_url).set(port=free_port()))
    app = create_app(settings.model_copy(update={"database_url": closed_port}))
    async with api_server(app) as url, httpx.AsyncClient(base_url=url) as client:
        response = await client.get(
            "/v1/integrations", headers={"Authorization": "Bearer isk_anything"}
        )
    assert_unavailable(response, "postgresql")


async def test_redis_down_is_a_503_with_retry_after_and_nothing_is_written(
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    sandbox_workspaces: list[dict[str, Any]],
) -> None:
    tenant = await create_tenant(sessionmaker)
    dead_redis = f"redis://127.0.0.1:{free_port()}/0"
    app = create_app(settings.model_copy(update={"redis_url": dead_redis}))
    async with api_server(app) as url, httpx.AsyncClient(base_url=url) as client:
        # Connecting asks the workspace's rate budget, kept in Redis, before calling Intercom.
        response = await client.post(
            "/v1/integrations",
            json={"access_token": sandbox_workspaces[0]["access_token"]},
            headers=tenant.headers,
        )
    assert_unavailable(response, "redis")
    assert await integration_count(sessionmaker, tenant) == 0


def raised_in_our_code() -> OSError:
    try:
        Path("/nonexistent/file").read_text()
    except OSError as exc:
        return exc
    raise AssertionError("unreachable")


@pytest.mark.parametrize(
    ("error", "dependency"),
    [
        (redis.exceptions.TimeoutError("read timed out"), "redis"),
        (sqlalchemy.exc.TimeoutError("QueuePool limit reached"), "postgresql"),
        (
            sqlalchemy.exc.DBAPIError(
                "SELECT 1", None, Exception("gone"), connection_invalidated=True
            ),
            "postgresql",
        ),
        (asyncpg.CannotConnectNowError("the database system is starting up"), "postgresql"),
        (asyncpg.TooManyConnectionsError("too many clients"), "postgresql"),
        (sqlalchemy.exc.IntegrityError("INSERT", None, Exception("duplicate key")), None),
        (asyncpg.QueryCanceledError("statement timeout"), None),
        (raised_in_our_code(), None),
        (ValueError("a bug"), None),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, Exception) else str(value),
)
def test_only_errors_reaching_a_dependency_count_as_an_outage(
    error: Exception, dependency: str | None
) -> None:
    assert unavailable_dependency(error) == dependency
