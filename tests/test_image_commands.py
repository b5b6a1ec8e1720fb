"""The image's entrypoints, proven without a container engine (none runs here): the commands of
the Dockerfile (CMD, HEALTHCHECK) and of docker-compose.yml (migrate, worker, sandbox) run exactly
as written, from a folder laid out as the image's /srv (its COPY lines), with the compose
environment pointed at this machine's PostgreSQL, Redis and the sandbox the compose command
starts. Only host names and published ports are swapped (free ports: CI runs other things). Then a
sync goes through them end to end."""

from __future__ import annotations

import asyncio
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from sqlalchemy.engine import make_url

from app.config import Settings
from tests.conftest import drop_database
from tests.servers import free_port, wait_until_up

# Their own Redis prefixes start with the session's: flushed with it at the end.
pytestmark = pytest.mark.usefixtures("redis_cleanup")

ROOT = Path(__file__).resolve().parent.parent


class Image:
    """What the Dockerfile's last stage puts in the image and runs."""

    def __init__(self, dockerfile: str) -> None:
        joined = re.sub(r"\\\n\s*", " ", dockerfile)
        final = joined.split("\nFROM ")[-1].splitlines()
        self.copies: list[tuple[str, str]] = []
        self.env: dict[str, str] = {}
        self.workdir = "/"
        self.cmd: list[str] = []
        self.healthcheck: list[str] = []
        for line in final:
            instruction, _, rest = line.strip().partition(" ")
            if instruction == "COPY" and not rest.startswith("--from"):
                *sources, destination = shlex.split(rest)
                self.copies += [(source, destination) for source in sources]
            elif instruction == "ENV":
                for part in shlex.split(rest):
                    name, _, value = part.partition("=")
                    self.env[name] = value
            elif instruction == "WORKDIR":
                self.workdir = rest.strip()
            elif instruction == "CMD":
                self.cmd = json.loads(rest)
            elif instruction == "HEALTHCHECK":
                self.healthcheck = json.loads(rest.split(" CMD ", 1)[1])

    def lay_out(self, srv: Path) -> None:
        """The COPY lines into `srv`, which stands for the WORKDIR."""
        for source, destination in self.copies:
            target = srv / destination.removeprefix("./")
            origin = ROOT / source
            if origin.is_dir():
                shutil.copytree(origin, target, ignore=shutil.ignore_patterns("__pycache__"))
            elif destination.endswith("/"):
                target.mkdir(parents=True, exist_ok=True)
                shutil.copy(origin, target / origin.name)
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(origin, target)


def compose_environment(compose: dict[str, Any]) -> dict[str, str]:
    """The services' shared environment, `${VAR:-default}` resolved to its default."""
    environment: dict[str, str] = compose["services"]["api"]["environment"]
    return {
        name: re.sub(r"\$\{[A-Z_]+:-([^}]*)\}", r"\1", str(value))
        for name, value in environment.items()
    }


def with_port(command: list[str], published: int, port: int) -> list[str]:
    return [part.replace(str(published), str(port)) for part in command]


def run_background(command: list[str], env: dict[str, str], cwd: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        command, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def test_the_image_commands_run_as_written_and_sync(
    settings: Settings, database_url: str, tmp_path: Path
) -> None:
    image = Image((ROOT / "Dockerfile").read_text())
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert image.cmd[0] == "uvicorn"
    assert image.healthcheck
    assert {"migrate", "api", "worker", "sandbox"} <= services.keys()

    srv = tmp_path / "srv"
    image.lay_out(srv)
    # Created by the compose `migrate` command itself; dropped afterwards.
    database = f"{make_url(database_url).database}_image_{uuid.uuid4().hex[:6]}"
    database_url_here = str(make_url(database_url).set(database=database))
    sandbox_port, api_port = free_port(), free_port()
    bin_dir = str(Path(sys.executable).parent)
    env = {
        "PATH": f"{bin_dir}:{os.environ['PATH']}",
        "HOME": str(tmp_path),
        **{k: v.replace("/srv", str(srv)) for k, v in image.env.items()},
        **compose_environment(compose),
        "DATABASE_URL": database_url_here,
        "REDIS_URL": settings.redis_url,
        "REDIS_PREFIX": f"{settings.redis_prefix}-image-{uuid.uuid4().hex[:8]}",
        "INTERCOM_BASE_URL": f"http://127.0.0.1:{sandbox_port}",
        "WORKER_METRICS_PORT": "0",
    }

    processes: list[subprocess.Popen[bytes]] = []
    try:
        migrate = subprocess.run(
            services["migrate"]["command"], env=env, cwd=srv, capture_output=True, timeout=120
        )
        assert migrate.returncode == 0, migrate.stderr.decode()[-2000:]
        processes = [
            run_background(with_port(services["sandbox"]["command"], 8010, sandbox_port), env, srv),
            run_background(with_port(image.cmd, 8000, api_port), env, srv),
            run_background(services["worker"]["command"], env, srv),
        ]
        wait_until_up(f"http://127.0.0.1:{sandbox_port}/_sandbox/health")
        wait_until_up(f"http://127.0.0.1:{api_port}/healthz")
        health = subprocess.run(
            with_port(image.healthcheck, 8000, api_port), env=env, cwd=srv, timeout=10
        )
        assert health.returncode == 0
        sync_users(f"http://127.0.0.1:{api_port}", f"http://127.0.0.1:{sandbox_port}", env)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)
        asyncio.run(drop_database(str(make_url(database_url).set(database=database))))


def sync_users(api: str, sandbox: str, env: dict[str, str]) -> None:
    """An account made by the image's CLI, a workspace connected, its users synced."""
    issued = subprocess.run(
        ["intercom-sync", "accounts", "create", "Image check"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert issued.returncode == 0, issued.stderr[-2000:]
    api_key = issued.stdout.split("API key: ")[1].split()[0]
    headers = {"Authorization": f"Bearer {api_key}"}
    workspace = httpx.get(f"{sandbox}/_sandbox/workspaces").json()[0]
    with httpx.Client(base_url=api, headers=headers, timeout=30) as http:
        connected = http.post("/v1/integrations", json={"access_token": workspace["access_token"]})
        assert connected.status_code == 201, connected.text
        segments = http.get(f"/v1/integrations/{connected.json()['id']}/segments").json()["data"]
        users = next(s for s in segments if s["kind"] == "users")
        started = http.post(f"/v1/segments/{users['id']}/syncs", json={"use_default_mapping": True})
        assert started.status_code == 202, started.text
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            run: dict[str, Any] = http.get(f"/v1/syncs/{started.json()['id']}").json()
            if run["status"] in ("finished", "failed"):
                break
            time.sleep(0.1)
    assert run["status"] == "finished", run
    assert run["counters"]["created"] > 0
