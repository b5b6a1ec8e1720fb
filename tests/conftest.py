"""Session-wide real infrastructure: a fresh PostgreSQL database built by the migrations, a Redis
key prefix of its own, the Intercom sandbox, the API over HTTP and a worker."""

from __future__ import annotations

import asyncio
import contextlib
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from redis.asyncio import Redis
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from app.cli import migrate
from app.config import Settings
from app.crypto import generate_key
from app.db import create_engine, create_sessionmaker
from app.main import create_app
from app.workers.arq_backend import build_worker
from tests.fixtures.factories import Tenant, create_tenant
from tests.servers import api_server, sandbox_process

# A sandbox of each test module's own, for tests that change its faults, rates or data.
INTERNAL_API_TOKEN = "internal-test-token"

pytest_plugins = ["tests.fixtures.sandbox"]

# The machine's servers; `make test` points these at embedded ones when those do not answer
# (scripts/local_services.py).
ADMIN_DATABASE_URL = os.environ.get(
    "TEST_ADMIN_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
)
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
SANDBOX_CONTACTS = 300
JWT_SECRET = "test-jwt-secret-with-enough-entropy-1234"
OAUTH_REDIRECT_URI = "https://nps.example.com/intercom/callback"


@pytest.fixture(scope="session")
def run_id() -> str:
    return uuid.uuid4().hex[:12]


@contextlib.contextmanager
def migrated_database(name: str) -> Iterator[str]:
    """A database built by `alembic upgrade head`, dropped on exit. Outside any event loop."""
    url = str(make_url(ADMIN_DATABASE_URL).set(database=name))
    migrate(url)  # creates the database, then applies every migration
    try:
        yield url
    finally:
        asyncio.run(drop_database(url))


@pytest.fixture(scope="session")
def database_url(run_id: str) -> Iterator[str]:
    """One database per test run, shared by the tests."""
    with migrated_database(f"isync_test_{run_id}") as url:
        yield url


async def drop_database(url: str) -> None:
    name = make_url(url).database
    admin = create_async_engine(ADMIN_DATABASE_URL, isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await admin.dispose()


@pytest.fixture(scope="session")
def sandbox_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The shared sandbox. Every response it sends during the run is recorded and, at the end,
    checked against Intercom's official OpenAPI description (tests/intercom_spec.py)."""
    recording = tmp_path_factory.mktemp("sandbox") / "responses.jsonl"
    with sandbox_process(
        "--seed", "1", "--contacts", str(SANDBOX_CONTACTS), recording=recording
    ) as url:
        yield url


@pytest.fixture(scope="session")
def settings(database_url: str, sandbox_url: str, run_id: str) -> Settings:
    return Settings(
        _env_file=None,
        database_url=database_url,
        redis_url=REDIS_URL,
        redis_prefix=f"isync-test-{run_id}",
        encryption_keys=[SecretStr(generate_key())],
        jwt_hs256_secret=SecretStr(JWT_SECRET),
        internal_api_token=SecretStr(INTERNAL_API_TOKEN),
        intercom_base_url=sandbox_url,
        intercom_timeout_s=10,
        # The sandbox's OAuth app (intercom_sandbox/state.py SandboxConfig).
        intercom_client_id="sandbox-oauth-client",
        intercom_client_secret=SecretStr("sandbox-oauth-secret"),
        oauth_redirect_uris=[OAUTH_REDIRECT_URI],
        oauth_state_secret=SecretStr("test-oauth-state-secret-0123456789abcdef"),
        sync_batch_size=100,
        # Seconds, not minutes: tests watch leases lapse and runs resume.
        sync_lease_s=3,
        sync_slice_s=5,
        sweep_interval_s=1,
        sync_defer_initial_s=0.5,
        # The worker's periodic refresh pass and auto-sync tick run every second too.
        refresh_tick_s=1,
        schedule_tick_s=1,
        # Workers of many tests share the machine: each metrics test names a free port.
        worker_metrics_port=0,
    )


@pytest.fixture(scope="session")
async def engine(settings: Settings) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(settings.database_url, pool_size=5)
    yield engine
    await engine.dispose()


@pytest.fixture(scope="session")
def sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return create_sessionmaker(engine)


@pytest.fixture(scope="session")
async def redis_cleanup(settings: Settings) -> AsyncIterator[None]:
    yield
    redis = Redis.from_url(settings.redis_url)
    keys = [key async for key in redis.scan_iter(match=f"{settings.redis_prefix}*")]
    if keys:
        await redis.delete(*keys)
    await redis.aclose()


@pytest.fixture(scope="session")
async def api_url(settings: Settings, redis_cleanup: None) -> AsyncIterator[str]:
    async with api_server(create_app(settings)) as url:
        yield url


@pytest.fixture(scope="session")
async def worker(settings: Settings, redis_cleanup: None) -> AsyncIterator[None]:
    worker = build_worker(settings, handle_signals=False, poll_delay=0.05)
    task = asyncio.create_task(worker.async_run())
    yield
    task.cancel()  # polls for no new job
    with contextlib.suppress(asyncio.CancelledError):
        await task
    # Jobs in flight (a sweep runs every second) finish instead of being cancelled half-way by
    # close(): a cancelled arq job leaves its bookkeeping coroutine never awaited.
    in_flight = [job for job in worker.tasks.values() if not job.done()]
    if in_flight:
        await asyncio.wait(in_flight, timeout=30)
    await worker.close()


@pytest.fixture
async def http(api_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=api_url, timeout=30) as client:
        yield client


@pytest.fixture
async def tenant(sessionmaker: async_sessionmaker[AsyncSession]) -> Tenant:
    """A fresh account with an API key, for tests that act as one."""
    return await create_tenant(sessionmaker)


@pytest.fixture(scope="session")
def sandbox_workspaces(sandbox_url: str) -> list[dict[str, Any]]:
    workspaces: list[dict[str, Any]] = httpx.get(f"{sandbox_url}/_sandbox/workspaces").json()
    return workspaces
