"""Real servers for the tests: the Intercom sandbox as a subprocess, the API on uvicorn and an arq
worker in the test's event loop."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import IO

import httpx
import uvicorn
from pydantic import SecretStr
from starlette.types import ASGIApp

from app.config import Settings
from tests.intercom_spec import check_recording


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_up(url: str, timeout_s: float = 20.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=1).status_code == 200:
                return
        time.sleep(0.05)
    raise RuntimeError(f"{url} did not come up")


@contextlib.contextmanager
def sandbox_process(*args: str, recording: Path | None = None) -> Iterator[str]:
    """A sandbox on a free port. With `recording`, every response it sends is checked against
    Intercom's OpenAPI description when it stops (tests/intercom_spec.py)."""
    port = free_port()
    extra = ["--record-responses", str(recording)] if recording else []
    process = subprocess.Popen(
        [sys.executable, "-m", "intercom_sandbox", "--port", str(port), *args, *extra],
        stdout=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{url}/_sandbox/health")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
    if recording is not None:
        _, problems = check_recording(recording)
        assert not problems, "sandbox responses that break the Intercom spec:\n" + "\n".join(
            problems
        )


def settings_environment(settings: Settings) -> dict[str, str]:
    """The environment a child process needs to read `settings` back (every field, so a new
    setting cannot be forgotten): secrets unwrapped, lists comma separated, unset ones left out."""
    environment = dict(os.environ)
    for name in type(settings).model_fields:
        value = getattr(settings, name)
        if value is None:
            continue
        if isinstance(value, list):
            value = ",".join(_plain(item) for item in value)
        environment[name.upper()] = _plain(value)
    return environment


def _plain(value: object) -> str:
    return value.get_secret_value() if isinstance(value, SecretStr) else str(value)


@contextlib.contextmanager
def worker_process(
    settings: Settings, *, log: Path | None = None
) -> Iterator[subprocess.Popen[bytes]]:
    """`intercom-sync worker` as its own process, configured by `settings`; stopped on exit.
    With `log`, its output (both streams) goes there at `settings.log_level`."""
    with _output(log) as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "worker"],
            env={
                **settings_environment(settings),
                "LOG_LEVEL": settings.log_level if log else "WARNING",
            },
            stdout=output,
            stderr=output,
        )
        try:
            yield process
        finally:
            _stop(process)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        process.wait(timeout=30)


@contextlib.contextmanager
def _output(log: Path | None) -> Iterator[int | IO[bytes]]:
    if log is None:
        yield subprocess.DEVNULL
        return
    with log.open("ab") as file:
        yield file


@contextlib.contextmanager
def api_process(
    settings: Settings, *, cpus: set[int] | None = None, log: Path | None = None
) -> Iterator[str]:
    """The API as its own process (uvicorn, as deployed), configured by `settings`; on `cpus`
    only when given (a benchmark keeps its load generator apart). With `log`, its output (both
    streams) goes there at `settings.log_level`; without, only its warnings reach stderr."""
    port = free_port()
    level = settings.log_level if log else "WARNING"
    with _output(log) as output:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "app.main:create_app",
                "--factory",
                "--port",
                str(port),
                "--log-level",
                level.lower(),
            ],
            env={**settings_environment(settings), "LOG_LEVEL": level},
            stdout=output,
            stderr=output if log else None,
            preexec_fn=(lambda: os.sched_setaffinity(0, cpus)) if cpus else None,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            wait_until_up(f"{url}/healthz")
            yield url
        finally:
            _stop(process)


@contextlib.asynccontextmanager
async def api_server(app: ASGIApp) -> AsyncIterator[str]:
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
