"""Schemathesis over the committed openapi.yaml, against the API as deployed (uvicorn in its own
process, a worker process), as an account with a connected workspace, synced lists, customers
and a custom property: no 5xx, no status, content type, header or body outside the schema, bad
input refused and good input accepted, auth not ignored (tests/fuzz/schemathesis.toml).

Bounded for CI: 25 examples per operation and deterministic generation, so a run takes the same
path every time (about a minute). Longer runs: FUZZ_MAX_EXAMPLES, FUZZ_MAX_TIME (seconds: fuzzing
and stateful testing repeat until it is spent) and FUZZ_SEED=random or a seed (`make fuzz`).

The service gets a database, a Redis prefix and an Intercom sandbox of its own: the syncs and
refreshes the run starts, and what it deletes, touch nothing the other tests read, and stop with it.

Webhook notifications go unsigned, so each gets the 401 of a bad signature: that check comes
before the body is read, which is what an attacker reaches; the schema does not describe
Intercom's notification body, so signed fuzzing would only send empty ones (signed notifications:
tests/test_webhooks.py).
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from app.config import Settings
from app.db import create_engine, create_sessionmaker
from tests.conftest import INTERNAL_API_TOKEN, migrated_database
from tests.fixtures.factories import (
    USE_DEFAULT_MAPPING,
    Tenant,
    connect_workspace,
    create_tenant,
    segments_of,
)
from tests.servers import api_process, sandbox_process, worker_process

ROOT = Path(__file__).resolve().parent.parent
FUZZ_DIR = ROOT / "tests" / "fuzz"

MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "25"))
MAX_TIME_S = os.environ.get("FUZZ_MAX_TIME")
# Unset: deterministic generation (CI); "random": a new seed, printed at the end; a number: that
# seed again.
SEED = os.environ.get("FUZZ_SEED")
# The deadline: past it the run is stopped and the test fails with what it printed so far (a
# CI run takes about a minute here).
RUN_TIMEOUT_S = int(MAX_TIME_S or 0) + 180


@dataclass(frozen=True)
class FuzzTarget:
    url: str
    tenant: Tenant
    real_ids: dict[str, dict[str, list[str]]]


@pytest.fixture(scope="module")
def fuzz_database_url(run_id: str) -> Iterator[str]:
    with migrated_database(f"isync_fuzz_{run_id}") as url:
        yield url


@pytest.fixture(scope="module")
def fuzz_sandbox_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    recording = tmp_path_factory.mktemp("fuzz-sandbox") / "responses.jsonl"
    with sandbox_process("--seed", "5", "--contacts", "120", recording=recording) as url:
        yield url


@pytest.fixture(scope="module")
async def fuzz_target(
    settings: Settings, fuzz_database_url: str, fuzz_sandbox_url: str, redis_cleanup: None
) -> AsyncIterator[FuzzTarget]:
    own = settings.model_copy(
        update={
            "database_url": fuzz_database_url,
            "intercom_base_url": fuzz_sandbox_url,
            # Under the session's prefix, which redis_cleanup deletes at the end.
            "redis_prefix": f"{settings.redis_prefix}-fuzz",
        }
    )
    with worker_process(own), api_process(own) as url:
        tenant, real_ids = await set_up_account(own, url, fuzz_sandbox_url)
        yield FuzzTarget(url, tenant, real_ids)


async def set_up_account(
    settings: Settings, api_url: str, sandbox_url: str
) -> tuple[Tenant, dict[str, dict[str, list[str]]]]:
    """An account as a customer would have it after a first sync, and the ids of what it holds:
    `kept` ones for the operations that read or change, `disposable` ones for those that delete."""
    engine = create_engine(settings.database_url)
    try:
        tenant = await create_tenant(create_sessionmaker(engine), name="Fuzzed NPS")
    finally:
        await engine.dispose()
    async with (
        httpx.AsyncClient(base_url=sandbox_url) as sandbox,
        httpx.AsyncClient(base_url=api_url, headers=tenant.headers, timeout=30) as http,
    ):
        workspaces = (await sandbox.get("/_sandbox/workspaces")).json()
        integration = await connect_workspace(http, tenant, workspaces[0]["access_token"])
        doomed_integration = await connect_workspace(http, tenant, workspaces[1]["access_token"])
        segments = await segments_of(http, tenant, integration["id"])
        synced = [s for s in segments if s["kind"] in ("users", "leads")]
        syncs = [await sync_and_wait(http, segment["id"]) for segment in synced]
        custom = [await create_custom_segment(http, integration["id"], n) for n in range(2)]
        customers = (await http.get("/v1/customers", params={"limit": 15})).json()["data"]
        assert len(customers) == 15, customers
        properties = [await create_property(http, key) for key in ("plan_tier", "doomed_tier")]
    return tenant, {
        "kept": {
            "integration_id": [integration["id"]],
            "segment_id": [s["id"] for s in synced] + [custom[0]],
            "sync_id": syncs,
            "customer_id": [c["id"] for c in customers[:10]],
            "property_key": [properties[0]],
            "account_id": [str(tenant.account_id)],
        },
        "disposable": {
            "integration_id": [doomed_integration["id"]],
            "segment_id": [custom[1]],
            "customer_id": [c["id"] for c in customers[10:]],
            "property_key": [properties[1]],
        },
    }


async def sync_and_wait(http: httpx.AsyncClient, segment_id: str) -> str:
    response = await http.post(f"/v1/segments/{segment_id}/syncs", json=USE_DEFAULT_MAPPING)
    assert response.status_code == 202, response.text
    sync_id: str = response.json()["id"]
    for _ in range(600):
        sync = (await http.get(f"/v1/syncs/{sync_id}")).json()
        if sync["status"] in ("finished", "failed"):
            assert sync["status"] == "finished", sync
            return sync_id
        await asyncio.sleep(0.05)
    raise AssertionError(f"sync {sync_id} did not finish")


async def create_custom_segment(http: httpx.AsyncClient, integration_id: str, number: int) -> str:
    body = {"name": f"Fuzzed segment {number}", "source": "users"}
    response = await http.post(f"/v1/integrations/{integration_id}/segments", json=body)
    assert response.status_code == 201, response.text
    segment_id: str = response.json()["id"]
    return segment_id


async def create_property(http: httpx.AsyncClient, key: str) -> str:
    body = {"key": key, "label": key.replace("_", " ").capitalize(), "type": "text"}
    response = await http.post("/v1/properties", json=body)
    assert response.status_code == 201, response.text
    return key


def schemathesis_command(api_url: str) -> list[str]:
    command = [
        str(Path(sys.executable).parent / "st"),
        "--config-file",
        str(FUZZ_DIR / "schemathesis.toml"),
        "run",
        str(ROOT / "openapi.yaml"),
        "--url",
        api_url,
        "--max-examples",
        str(MAX_EXAMPLES),
        "--no-color",
    ]
    if SEED is None:
        command.append("--generation-deterministic")
    elif SEED != "random":
        command += ["--seed", SEED]
    if MAX_TIME_S:
        command += ["--max-time", MAX_TIME_S]
    return command


def test_every_fuzzed_request_gets_an_answer_the_schema_allows(
    fuzz_target: FuzzTarget, tmp_path: Path
) -> None:
    environment = {
        **os.environ,
        "FUZZ_API_KEY": fuzz_target.tenant.api_key,
        "FUZZ_INTERNAL_TOKEN": INTERNAL_API_TOKEN,
        "FUZZ_REAL_IDS": json.dumps(fuzz_target.real_ids),
        "SCHEMATHESIS_HOOKS": str(FUZZ_DIR / "hooks.py"),
    }
    try:
        result = subprocess.run(
            schemathesis_command(fuzz_target.url),
            cwd=tmp_path,  # for its cache folder
            env=environment,
            capture_output=True,
            text=True,
            timeout=RUN_TIMEOUT_S,
        )
    except subprocess.TimeoutExpired as exc:
        output = exc.stdout.decode() if isinstance(exc.stdout, bytes) else exc.stdout
        pytest.fail(f"Schemathesis ran over {RUN_TIMEOUT_S} s:\n{output or ''}")
    assert result.returncode == 0, result.stdout + result.stderr
