from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Enqueued:
    name: str
    job_id: str
    defer_until: datetime | None
    kwargs: dict[str, Any]


@dataclass
class RecordingQueue:
    """The JobQueue port, keeping what it was asked instead of running it: the test runs the
    jobs it wants, in the order it wants."""

    jobs: list[Enqueued] = field(default_factory=list)
    down: bool = False

    async def enqueue(
        self, name: str, *, job_id: str, defer_until: datetime | None = None, **kwargs: Any
    ) -> None:
        if self.down:
            raise ConnectionError("the queue is down")
        if any(job.job_id == job_id for job in self.jobs):
            return  # like arq: one job per id
        self.jobs.append(Enqueued(name, job_id, defer_until, kwargs))

    def last(self) -> Enqueued:
        return self.jobs[-1]
