"""`make run` on a machine whose PostgreSQL and Redis do not answer (the configured URLs point
at closed ports): it starts embedded ones, the demo works on them (a Users sync imports
customers), and they stop with it."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import httpx
import psutil

from app.crypto import generate_key
from tests.servers import free_port

ROOT = Path(__file__).resolve().parent.parent


def lines_of(process: subprocess.Popen[str]) -> queue.Queue[str]:
    lines: queue.Queue[str] = queue.Queue()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.put(line)

    threading.Thread(target=read, daemon=True).start()
    return lines


def wait_for_line(lines: queue.Queue[str], prefix: str, timeout_s: float) -> str:
    seen = []
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=0.5)
        except queue.Empty:
            continue
        seen.append(line)
        if line.startswith(prefix):
            return line
    raise AssertionError(f"no line starting {prefix!r}; the output was:\n{''.join(seen)}")


def servers_under(folder: Path) -> list[psutil.Process]:
    found = []
    for process in psutil.process_iter(attrs=["cmdline"]):
        if any(str(folder) in part for part in process.info["cmdline"] or []):
            found.append(process)
    return found


def test_make_run_starts_embedded_servers_when_the_configured_ones_do_not_answer(
    tmp_path: Path,
) -> None:
    closed = free_port()
    api_port, sandbox_port = free_port(), free_port()
    local = tmp_path / "local"
    environment = {
        **os.environ,
        "DATABASE_URL": f"postgresql+asyncpg://postgres@127.0.0.1:{closed}/intercom_sync_demo",
        "REDIS_URL": f"redis://127.0.0.1:{closed}/0",
        "REDIS_PREFIX": f"isync-test-local-{uuid.uuid4().hex[:8]}",
        "LOCAL_SERVICES_DIR": str(local),
        "API_PORT": str(api_port),
        "SANDBOX_PORT": str(sandbox_port),
        "INTERCOM_BASE_URL": f"http://127.0.0.1:{sandbox_port}",
        "ENCRYPTION_KEYS": generate_key(),
        "INTERCOM_CLIENT_ID": "sandbox-oauth-client",
        "INTERCOM_CLIENT_SECRET": "sandbox-oauth-secret",
        "OAUTH_REDIRECT_URIS": "http://localhost:5173/intercom/callback",
    }
    process = subprocess.Popen(
        [sys.executable, "scripts/run_dev.py"],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        lines = lines_of(process)
        key = wait_for_line(lines, "Demo API key: ", timeout_s=120).split(": ", 1)[1].strip()
        assert servers_under(local), "no embedded server runs"
        api = httpx.Client(
            base_url=f"http://127.0.0.1:{api_port}",
            headers={"Authorization": f"Bearer {key}"},
            timeout=30,
        )
        [integration] = api.get("/v1/integrations").json()["data"]
        segments = api.get(f"/v1/integrations/{integration['id']}/segments").json()["data"]
        users = next(segment for segment in segments if segment["kind"] == "users")
        started = api.post(f"/v1/segments/{users['id']}/syncs", json={"use_default_mapping": True})
        assert started.status_code in (200, 201, 202), started.text
        deadline = time.monotonic() + 90
        while (run := api.get(f"/v1/syncs/{started.json()['id']}").json())["status"] in (
            "pending",
            "running",
        ):
            assert time.monotonic() < deadline, run
            time.sleep(0.5)
        assert run["status"] == "finished", run
        assert api.get("/v1/customers", params={"limit": 5}).json()["data"]
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)
    deadline = time.monotonic() + 15
    while servers_under(local) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not servers_under(local), "the embedded servers outlived make run"
