"""The arq worker: `intercom-sync worker` runs it."""

from __future__ import annotations

import functools
from typing import Any

from arq import Retry, Worker, cron
from arq.connections import RedisSettings
from arq.worker import Function, func

import app.workers.tasks  # noqa: F401  (registers the tasks)
from app.adapters import Adapters
from app.config import Settings, get_settings
from app.errors import RetryLater
from app.logging import configure_logging
from app.workers import TASKS, JobFunction


def _with_retry_later(function: JobFunction) -> Any:  # arq's WorkerCoroutine
    @functools.wraps(function)
    async def wrapper(ctx: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        try:
            return await function(ctx, *args, **kwargs)
        except RetryLater as exc:
            raise Retry(defer=exc.delay_s) from exc

    return wrapper


def arq_functions() -> list[Function]:
    return [
        func(
            _with_retry_later(spec.function),
            name=spec.name,
            max_tries=spec.max_tries,
            timeout=spec.timeout_s,
        )
        for spec in TASKS.values()
    ]


async def _startup(ctx: dict[str, Any]) -> None:
    settings: Settings = ctx.get("settings") or get_settings()
    ctx["adapters"] = Adapters.build(settings, ctx["redis"])


async def _shutdown(ctx: dict[str, Any]) -> None:
    adapters: Adapters | None = ctx.get("adapters")
    if adapters is not None:
        await adapters.close()


def build_worker(settings: Settings, **overrides: Any) -> Worker:
    options: dict[str, Any] = {
        "functions": arq_functions(),
        "cron_jobs": [
            cron(
                _with_retry_later(TASKS["syncs.requeue_stale"].function),
                name="syncs.requeue_stale",
                second=0,
                run_at_startup=True,
            )
        ],
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
