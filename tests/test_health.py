from __future__ import annotations

import httpx
import pytest
from pydantic import SecretStr

from app.config import Settings
from app.crypto import generate_key
from app.main import create_app
from tests.servers import api_server, free_port


async def test_healthz_and_readyz_answer_when_everything_is_up(http: httpx.AsyncClient) -> None:
    assert (await http.get("/healthz")).json() == {"status": "ok"}
    ready = await http.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready"}


@pytest.mark.parametrize("down", ["postgresql", "redis"])
async def test_readyz_is_a_503_naming_what_is_down(settings: Settings, down: str) -> None:
    unreachable = free_port()
    broken = settings.model_copy(
        update={
            "database_url": f"postgresql+asyncpg://postgres@127.0.0.1:{unreachable}/down"
            if down == "postgresql"
            else settings.database_url,
            "redis_url": f"redis://127.0.0.1:{unreachable}/0"
            if down == "redis"
            else settings.redis_url,
            "encryption_keys": [SecretStr(generate_key())],
        }
    )
    app = create_app(broken)
    async with api_server(app) as url, httpx.AsyncClient(base_url=url) as client:
        response = await client.get("/readyz")
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["down"] == [down]
