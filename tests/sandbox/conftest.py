from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

from tests.servers import sandbox_process


class Sandbox:
    """A sandbox of the module's own, whose faults and rates the tests may change."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.workspaces: list[dict[str, Any]] = httpx.get(f"{url}/_sandbox/workspaces").json()
        self.workspace = self.workspaces[0]
        self.headers = {"Authorization": f"Bearer {self.workspace['access_token']}"}

    def control(self, method: str, path: str, body: Any = None) -> Any:
        response = httpx.request(method, f"{self.url}/_sandbox{path}", json=body)
        assert response.status_code == 200, response.text
        return response.json()

    def mutate(
        self, kind: str, contact_id: str | None = None, count: int = 1
    ) -> list[dict[str, Any]]:
        body = {"kind": kind, "count": count, "contact_id": contact_id}
        app_id = self.workspace["app_id"]
        changes: list[dict[str, Any]] = self.control(
            "POST", f"/workspaces/{app_id}/mutations", body
        )["changes"]
        return changes

    def contacts(self) -> list[dict[str, Any]]:
        contacts: list[dict[str, Any]] = self.control(
            "GET", f"/workspaces/{self.workspace['app_id']}/contacts"
        )
        return contacts


@pytest.fixture(scope="module")
def own_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    recording = tmp_path_factory.mktemp("own-sandbox") / "responses.jsonl"
    with sandbox_process("--seed", "7", "--contacts", "400", recording=recording) as url:
        yield Sandbox(url)


@pytest.fixture
def sandbox(own_sandbox: Sandbox) -> Iterator[Sandbox]:
    """The module's sandbox, reset to its seeded data with no fault after each test."""
    yield own_sandbox
    own_sandbox.control("POST", "/reset", {})
    own_sandbox.control("PUT", "/rate-limit", {"limit": 1667, "window_s": 10})
    own_sandbox.control("PUT", "/mutation-rate", {"rate": 0})
    own_sandbox.control("PUT", "/webhooks", {"url": None, "enabled": True})
    own_sandbox.control("POST", "/stats/reset")


@pytest.fixture
async def client(sandbox: Sandbox) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=sandbox.url, headers=sandbox.headers, timeout=5) as http:
        yield http
