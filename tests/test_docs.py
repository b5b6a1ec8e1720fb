"""The interactive docs load from the API itself: opened in a real headless browser (Debian's
`chromium`), Swagger UI and ReDoc render the operations with no request leaving the machine.
A setting turns them off."""

from __future__ import annotations

import re
import shutil
import subprocess

import httpx
import pytest
from pydantic import SecretStr

from app.config import Settings
from app.crypto import generate_key
from tests.servers import api_process

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def rendered(url: str) -> str:
    """The page's DOM once its scripts ran (and fetched the OpenAPI document)."""
    assert CHROMIUM is not None
    finished = subprocess.run(
        [
            CHROMIUM,
            *("--headless", "--no-sandbox", "--disable-gpu", "--virtual-time-budget=15000"),
            *("--dump-dom", url),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    return finished.stdout


@pytest.mark.skipif(CHROMIUM is None, reason="no chromium (apt-get install chromium)")
def test_docs_and_redoc_render_the_operations_from_local_assets(settings: Settings) -> None:
    with api_process(settings) as url:
        for page in ("/docs", "/redoc"):
            html = httpx.get(url + page).text
            sources = re.findall(r'(?:src|href)="([^"]+)"', html)
            assert sources, html
            assert all(source.startswith("/") for source in sources), sources
        swagger = rendered(f"{url}/docs")
        assert 'class="opblock-summary-description">Receive an Intercom webhook notification' in (
            swagger
        )
        assert "The caller's account, with its auto-sync quota" in swagger
        assert "Receive an Intercom webhook notification" in rendered(f"{url}/redoc")


async def test_the_docs_can_be_turned_off() -> None:
    from app.main import create_app
    from tests.servers import api_server

    app = create_app(
        Settings(_env_file=None, docs_enabled=False, encryption_keys=[SecretStr(generate_key())])
    )
    async with api_server(app) as url, httpx.AsyncClient(base_url=url) as client:
        assert (await client.get("/docs")).status_code == 404
        assert (await client.get("/redoc")).status_code == 404
        assert (await client.get("/openapi.json")).status_code == 200
