"""What each answered request leaves behind: one `http.request` log line, and (metrics on) its
count and latency by route template, method and status.

Not prometheus-fastapi-instrumentator: it matches every request against every route again to
find its template, 105 µs of CPU a request here (45% of `/healthz`'s), against 20 µs for this.
The router has matched the request already: its route is in the scope afterwards, and the route's
template is looked up by the route object."""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping

import structlog
from fastapi import APIRouter
from fastapi.routing import APIRoute
from prometheus_client import Counter, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = structlog.get_logger("app.api.access")

# Labels take known values only: a method or a path a client makes up is `other` or `none`.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# Scraped every few seconds: neither a line nor a count each.
UNOBSERVED = frozenset({"/metrics"})

# Named as prometheus-fastapi-instrumentator names them (no `intercom_sync_` prefix), so that
# dashboards made for FastAPI services read them as they are.
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


class RequestObserver:
    """Outermost middleware. The log line names the path without its query string (a customer
    filter's query holds emails) and carries the request's id and, once authenticated, its
    account id (both bound in the request's context)."""

    def __init__(self, app: ASGIApp, templates: Mapping[int, str], *, count: bool) -> None:
        self.app = app
        self.templates = templates
        self.count = count

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
            if handler not in UNOBSERVED:
                elapsed = time.perf_counter() - started
                method = scope["method"] if scope["method"] in METHODS else "other"
                log.info(
                    "http.request",
                    method=method,
                    # The path as sent only when it was answered: an error's may hold anything
                    # a client typed (an email where an id goes); its route template says enough.
                    path=scope["path"] if status < 400 else None,
                    route=handler,
                    status=status,
                    duration_ms=round(elapsed * 1000, 1),
                )
                if self.count:
                    HTTP_REQUESTS.labels(method, handler, str(status)).inc()
                    HTTP_REQUEST_SECONDS.labels(method, handler).observe(elapsed)
