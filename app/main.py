"""The FastAPI application. `create_app()` wires adapters; the lifespan owns their lifetime."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from asgi_correlation_id import CorrelationIdMiddleware
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi_offline import FastAPIOffline
from redis.asyncio import ConnectionPool, Redis

from app.adapters import Adapters
from app.api import (
    account,
    customers,
    health,
    integration_settings,
    integrations,
    internal,
    mapping,
    problems,
    properties,
    refresh,
    segments,
    syncs,
    webhooks,
)
from app.api import metrics as metrics_api
from app.api.limits import MAX_BODY_BYTES, BodySizeLimit
from app.api.observe import RequestObserver, route_templates
from app.api.openapi_examples import restore_example_nulls
from app.config import Settings, get_settings
from app.intercom.client import RetryPolicy
from app.logging import acceptable_request_id, configure_logging
from app.runtime import tune_garbage_collector
from app.workers.arq_backend import ArqQueue

API_DESCRIPTION = """Imports contacts from Intercom workspaces into the NPS product's customers.

Authenticate with `Authorization: Bearer <token>`: an account API key or a JWT signed by the
NPS product. Errors are RFC 9457 `application/problem+json` documents."""


INTERACTIVE_RETRY = RetryPolicy(attempts=3, max_total_s=10.0, backoff_max_s=2.0)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    # Now, not at start-up: uvicorn's own lines from here on are JSON too.
    configure_logging(settings.log_level)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Connects lazily, so the API starts while Redis is down and /readyz can say so.
        redis = Redis(
            connection_pool=ConnectionPool.from_url(
                settings.redis_url, socket_connect_timeout=2, socket_timeout=5
            )
        )
        queue = ArqQueue(redis, queue_name=settings.queue_name, prefix=settings.redis_prefix)
        # Someone waits on the other end of an API call: retry Intercom briefly, then answer.
        adapters = Adapters.build(settings, redis, queue, retry=INTERACTIVE_RETRY)
        app.state.adapters = adapters
        tune_garbage_collector()
        try:
            yield
        finally:
            await adapters.close()
            await redis.aclose()

    # Swagger UI and ReDoc from the fastapi-offline package (pinned in constraints.txt), not
    # from a CDN at whatever version it serves: the pages work on a machine without internet.
    app = FastAPIOffline(
        docs_url="/docs" if settings.docs_enabled else None,
        redoc_url="/redoc" if settings.docs_enabled else None,
        title="intercom-sync",
        version="1.0.0",
        description=API_DESCRIPTION,
        lifespan=lifespan,
        # Operation ids are the route functions' names: stable and readable in generated clients.
        generate_unique_id_function=lambda route: route.name,
    )
    # Each middleware added wraps those before it: CORS headers reach every answer, the 413 and
    # the 500 problems included, and no body is read past the cap (app/api/limits.py).
    problems.install(app)
    app.add_middleware(BodySizeLimit, max_body_bytes=MAX_BODY_BYTES)
    # Outside the others: every answer, a 413 or a 500 included, carries the request's id.
    app.add_middleware(
        CorrelationIdMiddleware,
        header_name="X-Request-ID",
        validator=acceptable_request_id,
    )
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["*"],
            allow_headers=["Authorization", "Content-Type", "If-Match", "X-Request-ID"],
            expose_headers=["Location", "ETag", "X-Request-ID"],
        )
    # Included flat, each under /v1: every level of nested routers is matched again on each
    # request (a quarter of a short request's CPU with them nested). Webhooks first: Intercom
    # sends the most requests.
    api_routers = [
        module.router
        for module in (
            webhooks,
            account,
            integrations,
            integration_settings,
            refresh,
            segments,
            mapping,
            syncs,
            customers,
            properties,
        )
    ]
    for router in api_routers:
        app.include_router(router, prefix="/v1")
    build_openapi = app.openapi

    def openapi_with_signature() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = build_openapi()
            webhooks.document_signature(document, prefix="/v1")
            restore_example_nulls(document)
        return app.openapi_schema or build_openapi()

    app.openapi = openapi_with_signature  # type: ignore[method-assign]
    app.include_router(internal.router)
    app.include_router(health.router)
    # Outermost: every answer is logged and counted, a CORS preflight's and a 413 included.
    included = [(router, "/v1") for router in api_routers]
    included += [(internal.router, ""), (health.router, ""), (metrics_api.router, "")]
    app.add_middleware(
        RequestObserver,
        templates=route_templates(included),
        count=settings.metrics_enabled,
    )
    if settings.metrics_enabled:
        app.include_router(metrics_api.router)
    return app
