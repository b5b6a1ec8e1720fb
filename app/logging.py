"""Structured logs: `feature.event` names with data in fields; JSON lines when not on a terminal.

Our own events go through structlog straight to stderr. Lines of the libraries' standard loggers
(uvicorn, arq, alembic, httpcore at DEBUG) go through the same processors, so that every line of
a process is JSON with its level, time and request id. What never goes into a line: secrets,
tokens, emails, SQL or its parameters (tested by grepping the logs of a demo run,
tests/test_logs.py)."""

from __future__ import annotations

import logging
import sys

import structlog
from asgi_correlation_id import correlation_id


def acceptable_request_id(value: str) -> bool:
    """A client's `X-Request-ID` is kept when it is short and printable ASCII (it goes into
    every log line and header); any other is replaced by one of ours."""
    return 0 < len(value) <= 128 and value.isascii() and value.isprintable()


def _request_id(
    logger: object, method: str, event: structlog.typing.EventDict
) -> structlog.typing.EventDict:
    request_id = correlation_id.get()
    if request_id is not None:
        event.setdefault("request_id", request_id)
    return event


# Loggers that would say too much: every HTTP call to Intercom (httpx, at INFO), every arq job
# and periodic tick (several a minute; our tasks log what they did), and SQL with its
# parameters (SQLAlchemy echoes at INFO when its logger allows it).
_QUIETER = {
    "httpx": logging.WARNING,
    "arq.worker": logging.WARNING,
    "sqlalchemy": logging.WARNING,
    "asyncpg": logging.WARNING,
    "alembic.runtime.plugins": logging.WARNING,
}
# uvicorn's own handlers write plain text; its access log prints query strings (emails in a
# customer filter). Our `http.request` event replaces it (app/api/observe.py).
_UVICORN = ("uvicorn", "uvicorn.error", "uvicorn.access")


class _OurHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Marks the handler this module installs, so that configuring again replaces it."""


def configure_logging(level: str = "INFO") -> None:
    """Idempotent: the API configures logging when its app is made (before uvicorn's first
    line), workers when they start."""
    level = level.upper()
    on_terminal = sys.stderr.isatty()
    renderer: structlog.typing.Processor = (
        structlog.dev.ConsoleRenderer() if on_terminal else structlog.processors.JSONRenderer()
    )
    timestamper = structlog.processors.TimeStamper(fmt="iso", utc=True)
    shared: list[structlog.typing.Processor] = [
        structlog.contextvars.merge_contextvars,
        _request_id,
        structlog.processors.add_log_level,
        timestamper,
    ]
    structlog.configure(
        processors=[*shared, structlog.processors.format_exc_info, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level)),
        logger_factory=structlog.PrintLoggerFactory(sys.stderr),
        cache_logger_on_first_use=True,
    )

    handler = _OurHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[*shared, structlog.stdlib.add_logger_name],
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                renderer,
            ],
        )
    )
    root = logging.getLogger()
    root.handlers = [h for h in root.handlers if not isinstance(h, _OurHandler)] + [handler]
    root.setLevel(level)
    for name, quieter in _QUIETER.items():
        logging.getLogger(name).setLevel(max(quieter, logging.getLevelName(level)))
    for name in _UVICORN:
        uvicorn_logger = logging.getLogger(name)
        uvicorn_logger.handlers = []
        uvicorn_logger.propagate = True
    logging.getLogger("uvicorn.access").disabled = True
