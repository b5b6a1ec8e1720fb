"""Prometheus metrics of this API process (`GET /metrics`), and the deployment's backlogs read
from the database at each scrape. Left out of the OpenAPI document: operators scrape it, partners
do not call it."""

from __future__ import annotations

import asyncio
import hmac
import time
from collections.abc import Iterable, Mapping

import structlog
from fastapi import APIRouter, Request, Response
from fastapi.routing import APIRoute
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, Counter, Histogram, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app import metrics
from app.adapters import Adapters
from app.domain.operations import backlogs
from app.errors import Unauthenticated

log = structlog.get_logger(__name__)

router = APIRouter(include_in_schema=False)

# A scrape must answer within Prometheus' own timeout (10 s by default), database down or not.
BACKLOG_TIMEOUT_S = 2.0


# Labels take known values only: a method or path a client makes up is `other` / `none`.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

HTTP_REQUESTS = Counter(
    "http_requests",
    "Requests answered, by method, route template (`none`: no route) and status.",
    ["method", "handler", "status"],
)
HTTP_REQUEST_SECONDS = Histogram(
    "http_request_duration_seconds",
    "Time to answer a request, by method and route template.",
    ["method", "handler"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)


def route_templates(included: Iterable[tuple[APIRouter, str]]) -> dict[int, str]:
    """Each route's full path template by the route object's id (what `scope["route"]` holds
    once a request was routed): the path within its router after the prefix the router was
    included under."""
    return {
        id(route): prefix + route.path
        for router, prefix in included
        for route in router.routes
        if isinstance(route, APIRoute)
    }


class RequestMetrics:
    """Counts each request by route template, method and status, and times it.

    Not prometheus-fastapi-instrumentator: it matches every request against every route again
    to find its template, 105 µs of CPU a request here (45% of `/healthz`'s). The router has
    already matched it: the route is in the scope afterwards, and its template is looked up."""

    def __init__(self, app: ASGIApp, templates: Mapping[int, str]) -> None:
        self.app = app
        self.templates = templates

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # unless a response starts: an exception ends as the 500 it becomes

        async def send_noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_noting_status)
        finally:
            route = scope.get("route")
            handler = "none" if route is None else self.templates.get(id(route), "none")
            if handler != "/metrics":
                method = scope["method"] if scope["method"] in METHODS else "other"
                HTTP_REQUESTS.labels(method, handler, str(status)).inc()
                HTTP_REQUEST_SECONDS.labels(method, handler).observe(time.perf_counter() - started)


@router.get("/metrics")
async def scrape(request: Request) -> Response:
    adapters: Adapters = request.app.state.adapters
    token = adapters.settings.metrics_token
    if token is not None:
        given = request.headers.get("authorization", "")
        expected = f"Bearer {token.get_secret_value()}"
        if not hmac.compare_digest(given.encode(), expected.encode()):
            raise Unauthenticated("Send `Authorization: Bearer <METRICS_TOKEN>`.")
    await _read_backlogs(adapters)
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)


async def _read_backlogs(adapters: Adapters) -> None:
    try:
        async with asyncio.timeout(BACKLOG_TIMEOUT_S), adapters.sessionmaker() as session:
            found = await backlogs.read(session)
    except Exception as exc:
        # No figure rather than a stale one; /readyz says why.
        log.warning("metrics.backlogs_unreadable", error=type(exc).__name__)
        metrics.BACKLOG_ITEMS.clear()
        metrics.BACKLOG_OLDEST_SECONDS.clear()
        return
    for backlog in found:
        metrics.BACKLOG_ITEMS.labels(backlog.queue).set(backlog.items)
        metrics.BACKLOG_OLDEST_SECONDS.labels(backlog.queue).set(backlog.oldest_s)
