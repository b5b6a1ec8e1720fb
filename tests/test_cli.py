from __future__ import annotations

import asyncio
import os
import sys

import httpx

from app.config import Settings


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
    assert response.json() == []


async def test_accounts_create_refuses_a_negative_campaign_count() -> None:
    code, _, stderr = await run_cli("accounts", "create", "X", "--nps-campaigns", "-1")
    assert code == 2
    assert "--nps-campaigns must be 0 or more" in stderr
