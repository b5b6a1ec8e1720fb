from __future__ import annotations

import asyncio
import os
import sys

import httpx

from app.config import Settings


async def test_accounts_create_prints_an_api_key_that_authenticates(
    settings: Settings, http: httpx.AsyncClient
) -> None:
    env = {**os.environ, "DATABASE_URL": settings.database_url}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "app.cli",
        "accounts",
        "create",
        "From the CLI",
        "--nps-campaigns",
        "4",
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, _ = await process.communicate()
    assert process.returncode == 0
    lines = dict(line.split(": ", 1) for line in stdout.decode().splitlines())
    assert lines["API key"].startswith("isk_")

    response = await http.get(
        "/v1/integrations", headers={"Authorization": f"Bearer {lines['API key']}"}
    )
    assert response.status_code == 200
    assert response.json() == []


async def test_accounts_create_refuses_a_negative_campaign_count() -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "app.cli",
        "accounts",
        "create",
        "X",
        "--nps-campaigns",
        "-1",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, stderr = await process.communicate()
    assert process.returncode == 2
    assert b"--nps-campaigns must be 0 or more" in stderr
