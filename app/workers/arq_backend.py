"""The one module that knows the queue is arq: the `JobQueue` adapter, and the worker that runs
the tasks of app/workers/tasks.py with a `JobContext` instead of arq's context dict.

Every key arq writes carries the deployment's `REDIS_PREFIX`: the queue name, the job ids (so
`arq:job:<prefix>:…`, `arq:in-progress:<prefix>:…`) and the periodic jobs' names, so that
deployments sharing one Redis never see each other's work."""

from __future__ import annotations

import functools
import os
import socket
import uuid
from datetime import datetime
from typing import Any

import structlog
from arq import ArqRedis, Retry, Worker, cron
from arq.connections import RedisSettings
from arq.worker import Function, func
from prometheus_client import start_http_server
from redis.asyncio import Redis

from app.adapters import Adapters
from app.config import Settings, get_settings
from app.logging import configure_logging
from app.runtime import tune_garbage_collector
from app.workers import TASKS, JobContext, PassOn, TaskSpec


class ArqQueue:
    """The `JobQueue` port on arq."""

    def __init__(self, redis: Redis, *, queue_name: str, prefix: str) -> None:
        self._arq = ArqRedis(connection_pool=redis.connection_pool)
        self._queue_name = queue_name
        self._prefix = prefix

    async def enqueue(
        self, name: str, *, job_id: str, defer_until: datetime | None = None, **kwargs: Any
    ) -> None:
        # arq answers None when a job with this id is queued, running or has a kept result:
        # the duplicate collapses, which is what deterministic job ids are for.
        await self._arq.enqueue_job(
            name,
            _job_id=f"{self._prefix}:{job_id}",
            _queue_name=self._queue_name,
            _defer_until=defer_until,
            **kwargs,
        )


def _as_arq(spec: TaskSpec) -> Any:  # arq's WorkerCoroutine
    @functools.wraps(spec.function)
    async def run(ctx: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        job = JobContext(
            adapters=ctx["adapters"],
            job_id=str(ctx.get("job_id", "")),
            attempt=int(ctx.get("job_try", 1)),
            worker_id=ctx["worker_id"],
        )
        try:
            return await spec.function(job, *args, **kwargs)
        except PassOn as passed:
            raise Retry(defer=passed.defer_s) from None

    return run


def _functions() -> list[Function]:
    return [
        func(_as_arq(spec), name=spec.name, max_tries=spec.max_tries, timeout=spec.timeout_s)
        for spec in TASKS.values()
        if not spec.periodic
    ]


def _periodic(settings: Settings) -> list[Any]:
    jobs = []
    for spec in TASKS.values():
        if not spec.periodic:
            continue
        every = max(1, min(60, int(getattr(settings, spec.interval_setting))))
        jobs.append(
            cron(
                _as_arq(spec),
                # The name is the job id arq dedupes periodic runs by: prefixed, so two
                # deployments on one Redis each run their own.
                name=f"{settings.redis_prefix}:{spec.name}",
                second=set(range(0, 60, every)),
                run_at_startup=True,
                timeout=spec.timeout_s,
            )
        )
    return jobs


def _worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"[:64]


log = structlog.get_logger(__name__)


async def _startup(ctx: dict[str, Any]) -> None:
    tune_garbage_collector()
    settings: Settings = ctx.get("settings") or get_settings()
    if settings.worker_metrics_port:
        ctx["metrics_server"] = _serve_metrics(settings.worker_metrics_port)
    redis = ctx["redis"]
    queue = ArqQueue(redis, queue_name=settings.queue_name, prefix=settings.redis_prefix)
    ctx["adapters"] = Adapters.build(settings, redis, queue)
    ctx["worker_id"] = _worker_id()


async def _shutdown(ctx: dict[str, Any]) -> None:
    adapters: Adapters | None = ctx.get("adapters")
    if adapters is not None:
        await adapters.close()
    server = ctx.get("metrics_server")
    if server is not None:
        server.shutdown()
        server.server_close()


def _serve_metrics(port: int) -> Any:
    """This worker's metrics on `port` (prometheus_client's own server, on a thread). A port
    already taken (a second worker on the host with the same setting) costs the metrics, not
    the worker."""
    try:
        server, _thread = start_http_server(port)
    except OSError as exc:
        log.warning("metrics.port_unavailable", port=port, error=str(exc))
        return None
    log.info("metrics.serving", port=port)
    return server


def build_worker(settings: Settings, **overrides: Any) -> Worker:
    import app.workers.tasks  # noqa: F401  (registers the tasks)

    options: dict[str, Any] = {
        "functions": _functions(),
        "cron_jobs": _periodic(settings),
        "queue_name": settings.queue_name,
        "redis_settings": RedisSettings.from_dsn(settings.redis_url),
        "on_startup": _startup,
        "on_shutdown": _shutdown,
        "ctx": {"settings": settings},
        "keep_result": 60,
        "max_jobs": 10,
        "handle_signals": True,
    }
    options.update(overrides)
    return Worker(**options)


def run_worker() -> None:
    settings = get_settings()
    configure_logging(settings.log_level)
    build_worker(settings).run()
