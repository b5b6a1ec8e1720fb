"""The job-queue facade. Features call `enqueue("syncs.run", ...)` and declare `@task(...)`;
only this package knows that the queue is arq, so it can be swapped without touching them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from arq import ArqRedis

JobFunction = Callable[..., Awaitable[Any]]


@dataclass(frozen=True)
class TaskSpec:
    name: str
    function: JobFunction
    max_tries: int
    timeout_s: int


TASKS: dict[str, TaskSpec] = {}


def task(
    name: str, *, max_tries: int = 5, timeout_s: int = 3600
) -> Callable[[JobFunction], JobFunction]:
    def register(function: JobFunction) -> JobFunction:
        TASKS[name] = TaskSpec(name, function, max_tries, timeout_s)
        return function

    return register


class ArqQueue:
    """The `JobQueue` port on arq."""

    def __init__(self, redis: ArqRedis, queue_name: str) -> None:
        self._redis = redis
        self._queue_name = queue_name

    async def enqueue(self, name: str, *, job_id: str | None = None, **kwargs: Any) -> None:
        # arq answers None when a job with this id is already queued or running: the duplicate
        # collapses, which is what deterministic job ids are for.
        await self._redis.enqueue_job(name, _job_id=job_id, _queue_name=self._queue_name, **kwargs)
