"""Load from `wrk` (a C load generator): on a 2-core machine, Python senders cost as much CPU as
the server they measure, so their figures said more about themselves than about the service.

A Lua script makes wrk print its summary as one JSON line; a request file (one request a line,
`METHOD\tPATH\tHEADER: VALUE|...\tBODY`) lets it send prepared requests, such as signed webhooks,
each connection taking its own lines in turn.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.config import Settings
from tests.servers import api_process

REPORT = r"""
local threads = {}
local lines = nil

function setup(thread)
  thread:set("number", #threads)
  table.insert(threads, thread)
end

local function split(line, sep)
  local parts, start = {}, 1
  while true do
    local at = string.find(line, sep, start, true)
    if not at then table.insert(parts, string.sub(line, start)); return parts end
    table.insert(parts, string.sub(line, start, at - 1))
    start = at + #sep
  end
end

function init(args)
  local path = args[1]
  if path == nil then return end
  lines = {}
  local count = tonumber(args[2])
  local index = 0
  for line in io.lines(path) do
    -- Thread k of n takes lines k, k+n, k+2n...: no two threads send the same request.
    if index % count == number then
      local parts = split(line, "\t")
      local headers = {}
      for _, header in ipairs(split(parts[3], "|")) do
        local colon = string.find(header, ": ", 1, true)
        if colon then headers[string.sub(header, 1, colon - 1)] = string.sub(header, colon + 2) end
      end
      table.insert(lines, wrk.format(parts[1], parts[2], headers, parts[4]))
    end
    index = index + 1
  end
  cursor = 0
end

function request()
  if lines == nil then return wrk.request() end
  cursor = cursor + 1
  if cursor > #lines then cursor = 1 end
  return lines[cursor]
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    '\nWRK-JSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "max_us": %d, '
    .. '"connect": %d, "read": %d, "write": %d, "timeout": %d, "status": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    latency.max, errors.connect, errors.read, errors.write, errors.timeout, errors.status))
end
"""


@dataclass(frozen=True)
class Load:
    requests: int
    rate: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    # Socket errors and timeouts, and answers other than 2xx/3xx.
    errors: int
    not_ok: int

    def describe(self) -> str:
        return (
            f"{self.rate:,.0f} req/s, p50 {self.p50_ms:.1f} ms, p99 {self.p99_ms:.1f} ms, "
            f"max {self.max_ms:.0f} ms, {self.not_ok} not 2xx, {self.errors} errors/timeouts"
        )


def require() -> str:
    path = shutil.which("wrk")
    if path is None:
        raise SystemExit("wrk is not installed: apt-get install wrk (Debian), brew install wrk")
    return path


def run(
    url: str,
    *,
    connections: int,
    seconds: int,
    work_dir: Path,
    requests: list[str] | None = None,
    threads: int = 2,
    timeout_s: int = 2,
    headers: dict[str, str] | None = None,
    cpus: set[int] | None = None,
) -> Load:
    """wrk against `url` (a full URL; with `requests`, the base URL and each line's own path),
    on `cpus` when given."""
    script = work_dir / "report.lua"
    script.write_text(REPORT)
    command = [
        require(),
        f"--connections={connections}",
        f"--threads={threads}",
        f"--duration={seconds}s",
        f"--timeout={timeout_s}s",
        "--latency",
        f"--script={script}",
    ]
    for name, value in (headers or {}).items():
        command.append(f"--header={name}: {value}")
    command.append(url)
    if requests is not None:
        request_file = work_dir / "requests.tsv"
        request_file.write_text("\n".join(requests) + "\n")
        command += ["--", str(request_file), str(threads)]
    finished = subprocess.run(
        command,
        capture_output=True,
        text=True,
        check=True,
        preexec_fn=(lambda: os.sched_setaffinity(0, cpus)) if cpus else None,
    )
    marker = next(line for line in finished.stdout.splitlines() if line.startswith("WRK-JSON "))
    figures = json.loads(marker.removeprefix("WRK-JSON "))
    errors = figures["connect"] + figures["read"] + figures["write"] + figures["timeout"]
    return Load(
        requests=figures["requests"],
        rate=figures["requests"] / (figures["duration_us"] / 1e6),
        p50_ms=figures["p50_us"] / 1000,
        p99_ms=figures["p99_us"] / 1000,
        max_ms=figures["max_us"] / 1000,
        errors=errors,
        not_ok=figures["status"],
    )


def pin(pid: int, cpus: set[int]) -> None:
    """Every thread of process `pid` on `cpus` (a server measured apart from its load)."""
    for task in os.listdir(f"/proc/{pid}/task"):
        with contextlib.suppress(ProcessLookupError):
            os.sched_setaffinity(int(task), cpus)


def split_cpus() -> tuple[set[int], set[int]]:
    """(the server's CPUs, the load generator's): apart when the machine has two or more, so
    that neither slows the other, as they would not share a CPU in production."""
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) < 2:
        return set(cpus), set(cpus)
    return {cpus[0]}, set(cpus[1:])


def request_line(method: str, path: str, headers: dict[str, str], body: str = "") -> str:
    for text in (path, *headers, *headers.values()):
        if any(separator in text for separator in "\t\n|"):
            raise ValueError("a request's path and headers cannot hold a tab, a newline or '|'")
    if "\t" in body or "\n" in body:
        raise ValueError("a request's body cannot hold a tab or a newline")
    return "\t".join((method, path, "|".join(f"{k}: {v}" for k, v in headers.items()), body))


Measure = Callable[..., Load]


@contextlib.contextmanager
def against_api(
    settings: Settings, *, connections: int, seconds: int
) -> Iterator[tuple[str, Measure]]:
    """One API process (uvicorn, as deployed) on the first CPU, and `measure(url, **options)`,
    which runs wrk on the others: the two never share a CPU, as in production."""
    server_cpus, load_cpus = split_cpus()
    with api_process(settings, cpus=server_cpus) as url, tempfile.TemporaryDirectory() as work:

        def measure(target: str, **options: Any) -> Load:
            options = {"seconds": seconds, **options}
            return run(
                target,
                connections=connections,
                work_dir=Path(work),
                cpus=load_cpus,
                threads=len(load_cpus),
                **options,
            )

        yield url, measure
    print(
        f"One API process on CPU {sorted(server_cpus)}, wrk on {sorted(load_cpus)}, "
        f"{connections} connections, {seconds} s each:",
        flush=True,
    )
