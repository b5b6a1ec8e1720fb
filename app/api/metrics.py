"""Prometheus metrics of this API process (`GET /metrics`), and the deployment's backlogs read
from the database at each scrape. Left out of the OpenAPI document: operators scrape it, partners
do not call it."""

from __future__ import annotations

import asyncio

import structlog
from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest

from app import metrics
from app.adapters import Adapters
from app.api.auth import is_bearer_of
from app.domain.operations import backlogs
from app.errors import Unauthenticated

log = structlog.get_logger(__name__)

router = APIRouter(include_in_schema=False)

# A scrape must answer within Prometheus' own timeout (10 s by default), database down or not.
BACKLOG_TIMEOUT_S = 2.0


@router.get("/metrics")
async def scrape(request: Request) -> Response:
    adapters: Adapters = request.app.state.adapters
    token = adapters.settings.metrics_token
    if token is not None:
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not is_bearer_of(given, token):
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
