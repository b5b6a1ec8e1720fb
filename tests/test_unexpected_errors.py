"""An unexpected error answers a 500 problem with an error id, and logs one short line with that
id: no chained traceback, no SQL parameters, no customer email, nothing logged twice."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

import httpx

from app.config import Settings
from app.crypto import generate_key
from tests.servers import free_port, wait_until_up

EMAIL = "ann.customer@example.com"
# What an IntegrityError says about a customer row, then a long statement.
MESSAGE = (
    f"duplicate key value violates unique constraint; DETAIL: Key (email)=({EMAIL}) already "
    "exists. [SQL: INSERT INTO customers (account_id, email, name) VALUES "
    + ", ".join(f"(${i}, ${i + 1}, ${i + 2})" for i in range(1, 6000, 3))
    + "]"
)

# The app as `uvicorn app.main:create_app --factory` runs it, plus one route that fails. In a
# process of its own, so that what is checked is exactly what lands on stderr.
SERVER = """
import sys
import uvicorn
from app.main import create_app

app = create_app()


async def explode() -> None:
    raise RuntimeError(sys.argv[2])


app.add_api_route("/explode", explode)
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="info", access_log=False)
"""


async def test_an_unexpected_error_logs_one_short_line_with_the_error_id_of_the_answer(
    settings: Settings, tmp_path: Path
) -> None:
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "REDIS_URL": settings.redis_url,
        "ENCRYPTION_KEYS": generate_key(),
        "LOG_LEVEL": "INFO",
    }
    stderr_path = tmp_path / "stderr.log"
    with stderr_path.open("wb") as stderr:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-c", SERVER, str(port), MESSAGE, env=env, stderr=stderr
        )
        try:
            url = f"http://127.0.0.1:{port}"
            await asyncio.to_thread(wait_until_up, f"{url}/healthz")
            async with httpx.AsyncClient(base_url=url) as client:
                response = await client.get("/explode")
        finally:
            process.terminate()
            await process.wait()

    assert response.status_code == 500
    body = response.json()
    assert body["code"] == "internal_error"
    assert EMAIL not in response.text
    logged = stderr_path.read_text()
    assert EMAIL not in logged
    assert "Traceback" not in logged
    assert "Exception in ASGI application" not in logged
    lines = [line for line in logged.splitlines() if "api.unhandled_error" in line]
    assert len(lines) == 1, logged
    assert len(lines[0].encode()) < 2048
    entry = json.loads(lines[0])
    assert entry["error_id"] == body["error_id"]
    assert entry["error"] == "builtins.RuntimeError"
    assert entry["path"] == "/explode"
    assert "<email>" in entry["message"]
    assert 0 < len(entry["frames"]) <= 5
