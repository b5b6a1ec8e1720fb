"""Structured logs: `feature.event` names with data in fields; JSON when not on a terminal."""

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


def configure_logging(level: str = "INFO") -> None:
    renderer: structlog.typing.Processor = (
        structlog.dev.ConsoleRenderer()
        if sys.stderr.isatty()
        else structlog.processors.JSONRenderer()
    )
    logging.basicConfig(level=level.upper(), format="%(message)s", stream=sys.stderr)
    # httpx logs every request at INFO; our own events say what matters.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    # arq logs every job at INFO, the periodic ticks included (several a minute); our tasks log
    # what they did as events of their own.
    logging.getLogger("arq.worker").setLevel(logging.WARNING)
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            _request_id,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso"),
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=structlog.PrintLoggerFactory(sys.stderr),
        cache_logger_on_first_use=True,
    )
