from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text

from app.api.deps import AdaptersDep
from app.api.problems import problem_response, problem_responses

router = APIRouter(tags=["health"])
READY_TIMEOUT_S = 2.0


def _json_example(example: dict[str, str]) -> dict[int | str, dict[str, Any]]:
    return {200: {"content": {"application/json": {"example": example}}}}


@router.get("/healthz", summary="The process is alive", responses=_json_example({"status": "ok"}))
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/readyz",
    summary="PostgreSQL and Redis are reachable",
    responses={
        **_json_example({"status": "ready"}),
        **problem_responses(503),
        503: {"description": "A dependency is down"},
    },
)
async def readyz(request: Request, adapters: AdaptersDep) -> JSONResponse:
    down: list[str] = []
    try:
        async with asyncio.timeout(READY_TIMEOUT_S):
            async with adapters.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
    except Exception:
        down.append("postgresql")
    try:
        async with asyncio.timeout(READY_TIMEOUT_S):
            await adapters.redis.ping()
    except Exception:
        down.append("redis")
    if down:
        return problem_response(
            request,
            status=503,
            code="dependency_unavailable",
            title="Not ready",
            detail=f"Unreachable: {', '.join(down)}.",
            down=down,
        )
    return JSONResponse({"status": "ready"})
