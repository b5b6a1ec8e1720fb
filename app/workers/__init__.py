"""The job-queue facade. Features declare `@task(...)` and enqueue through the `JobQueue` port
(via the outbox); tasks receive a small `JobContext`. Only `app/workers/arq_backend.py` knows
the queue is arq, so it can be swapped without touching features."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.adapters import Adapters


@dataclass(frozen=True)
class JobContext:
    """What a task may know of the queue: the process's adapters, who it is, which try."""

    adapters: Adapters
    job_id: str
    attempt: int
    # Names this worker process in leases, so a run shows who holds it.
    worker_id: str


JobFunction = Callable[..., Awaitable[Any]]


class PassOn(Exception):
    """Raised by a task that this worker should not run now (it is busy with its share): the
    job goes back to the queue, due in `defer_s`, for whichever worker is free first."""

    def __init__(self, defer_s: float) -> None:
        super().__init__(f"passed on for {defer_s} s")
        self.defer_s = defer_s


@dataclass(frozen=True)
class TaskSpec:
    name: str
    function: JobFunction
    max_tries: int
    timeout_s: int
    # Run every SWEEP_INTERVAL_S by the worker itself (the sweeper), not enqueued.
    periodic: bool = False
    # The Settings field holding a periodic task's interval in seconds (1 to 60).
    interval_setting: str = "sweep_interval_s"


TASKS: dict[str, TaskSpec] = {}


def task(
    name: str,
    *,
    max_tries: int = 3,
    timeout_s: int = 300,
    periodic: bool = False,
    interval_setting: str = "sweep_interval_s",
) -> Callable[[JobFunction], JobFunction]:
    def register(function: JobFunction) -> JobFunction:
        TASKS[name] = TaskSpec(name, function, max_tries, timeout_s, periodic, interval_setting)
        return function

    return register
