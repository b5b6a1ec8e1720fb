"""What the benchmarks share: a sandbox on a core of its own."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator

from tests.servers import free_port, wait_until_up


@contextlib.contextmanager
def pinned_sandbox(*args: str) -> Iterator[str]:
    """The sandbox pinned to CPU 0 and this process to the others, so that the client's work
    does not slow the server it measures (and the reverse)."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "intercom_sandbox", "--port", str(port), *args],
        preexec_fn=lambda: os.sched_setaffinity(0, {0}),
    )
    try:
        if len(os.sched_getaffinity(0)) > 1:
            os.sched_setaffinity(0, os.sched_getaffinity(0) - {0})
        url = f"http://127.0.0.1:{port}"
        wait_until_up(f"{url}/_sandbox/health", timeout_s=120)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def report(results: list[tuple[str, bool]]) -> bool:
    """Prints one line per figure, OK or MISSED; true when every goal is met."""
    for line, ok in results:
        print(f"{line} {'OK' if ok else 'MISSED'}", flush=True)
    return all(ok for _, ok in results)
