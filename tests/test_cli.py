from __future__ import annotations

import asyncio
import os
import sys
import time
import uuid
from collections.abc import Iterator

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.config import Settings
from app.crypto import SecretBox, generate_key
from app.db import create_engine, create_sessionmaker, transaction
from app.domain.models import Integration
from app.main import create_app
from tests.conftest import migrated_database
from tests.fixtures.factories import create_integration, create_tenant
from tests.servers import api_server


async def run_cli(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "app.cli",
        *args,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await process.communicate()
    assert process.returncode is not None
    return process.returncode, stdout.decode(), stderr.decode()


async def test_accounts_create_prints_an_api_key_that_authenticates(
    settings: Settings, http: httpx.AsyncClient
) -> None:
    env = {**os.environ, "DATABASE_URL": settings.database_url}
    code, stdout, _ = await run_cli(
        "accounts", "create", "From the CLI", "--nps-campaigns", "4", env=env
    )
    assert code == 0
    lines = dict(line.split(": ", 1) for line in stdout.splitlines())
    assert lines["API key"].startswith("isk_")

    response = await http.get(
        "/v1/integrations", headers={"Authorization": f"Bearer {lines['API key']}"}
    )
    assert response.status_code == 200
    assert response.json() == {"data": [], "next_cursor": None}


async def test_a_key_issued_then_revoked_by_its_prefix_stops_authenticating(
    settings: Settings,
) -> None:
    """Within API_KEY_CACHE_S of its revocation (the API trusts a key it verified that long)."""
    cache_s = 1.0
    quick = settings.model_copy(update={"api_key_cache_s": cache_s})
    async with api_server(create_app(quick)) as url, httpx.AsyncClient(base_url=url) as http:
        await revoke_and_see_it_refused(settings, http, cache_s)


async def revoke_and_see_it_refused(
    settings: Settings, http: httpx.AsyncClient, cache_s: float
) -> None:
    env = {**os.environ, "DATABASE_URL": settings.database_url}
    _, created, _ = await run_cli("accounts", "create", "Keys", env=env)
    account_id = dict(line.split(": ", 1) for line in created.splitlines())["Account"]
    code, issued, _ = await run_cli("accounts", "issue-key", account_id, env=env)
    assert code == 0
    key = issued.split(": ", 1)[1].strip()

    async def status() -> int:
        response = await http.get("/v1/account", headers={"Authorization": f"Bearer {key}"})
        return response.status_code

    assert await status() == 200
    code, revoked, _ = await run_cli("accounts", "revoke-key", key[:10], env=env)
    assert (code, revoked.strip()) == (0, "Revoked: 1")
    revoked_at = time.monotonic()
    while await status() == 200:
        assert time.monotonic() - revoked_at < cache_s + 1, "still accepted"
        await asyncio.sleep(0.05)
    assert await status() == 401
    code, _, _ = await run_cli("accounts", "revoke-key", key, env=env)
    assert code == 1, "nothing left to revoke"
    code, _, _ = await run_cli("accounts", "issue-key", str(uuid.uuid4()), env=env)
    assert code == 1


async def test_accounts_set_campaigns_changes_the_auto_sync_quota(
    settings: Settings, http: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    tenant = await create_tenant(sessionmaker, nps_campaigns=0)
    env = {**os.environ, "DATABASE_URL": settings.database_url}

    code, stdout, _ = await run_cli(
        "accounts", "set-campaigns", str(tenant.account_id), "4", env=env
    )

    assert code == 0, stdout
    account = (await http.get("/v1/account", headers=tenant.headers)).json()
    assert account["nps_campaigns"] == 4
    assert account["auto_sync"]["allowed"] == 4 * settings.auto_sync_per_campaign
    code, _, stderr = await run_cli(
        "accounts", "set-campaigns", "00000000-0000-0000-0000-000000000000", "1", env=env
    )
    assert code == 1
    assert "No account" in stderr


async def test_accounts_create_refuses_a_negative_campaign_count() -> None:
    code, _, stderr = await run_cli("accounts", "create", "X", "--nps-campaigns", "-1")
    assert code == 2
    assert "the NPS campaign count must be between 0 and 1,000,000" in stderr


@pytest.fixture(scope="module")
def keys_database_url(run_id: str) -> Iterator[str]:
    """A database of its own: rotation reads every integration, other tests' included."""
    with migrated_database(f"isync_test_{run_id}_keys") as url:
        yield url


async def test_rotate_keys_moves_every_token_to_the_first_key_and_reports_the_lost_ones(
    keys_database_url: str,
) -> None:
    old, new, lost = generate_key(), generate_key(), generate_key()
    engine = create_engine(keys_database_url, pool_size=1)
    sessionmaker = create_sessionmaker(engine)
    try:
        tenant = await create_tenant(sessionmaker)
        other = await create_tenant(sessionmaker)
        old_box = SecretBox([SecretStr(old)])
        tokens = {
            await create_integration(sessionmaker, tenant, old_box.encrypt("tok_a")): "tok_a",
            await create_integration(sessionmaker, other, old_box.encrypt("tok_b")): "tok_b",
        }
        orphan = SecretBox([SecretStr(lost)]).encrypt("tok_lost")
        orphan_id = await create_integration(sessionmaker, tenant, orphan, slot=2)

        env = {**os.environ, "DATABASE_URL": keys_database_url, "ENCRYPTION_KEYS": f"{new},{old}"}
        code, stdout, stderr = await run_cli("rotate-keys", env=env)

        assert code == 1, stderr
        assert "Rotated: 2" in stdout
        assert "Undecryptable: 1" in stdout
        assert str(orphan_id) in stdout
        async with sessionmaker() as session:
            rows = await session.execute(select(Integration.id, Integration.access_token_encrypted))
        stored = {row.id: row.access_token_encrypted for row in rows}
        new_box = SecretBox([SecretStr(new)])
        assert {id_: new_box.decrypt(stored[id_]) for id_ in tokens} == tokens
        assert stored[orphan_id] == orphan  # left as it was, for its key to be found again

        async with transaction(sessionmaker) as session:
            await session.execute(delete(Integration).where(Integration.id == orphan_id))
        code, stdout, stderr = await run_cli("rotate-keys", env={**env, "ENCRYPTION_KEYS": new})
        assert (code, stdout.splitlines()[:2]) == (0, ["Rotated: 2", "Undecryptable: 0"]), stderr
    finally:
        await engine.dispose()
