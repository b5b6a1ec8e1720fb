"""RFC 9457 problem details for every error the API answers, validation and routing included."""

from __future__ import annotations

import math
import re
import time
import traceback
import uuid
from pathlib import Path
from typing import Any

import asyncpg
import redis.exceptions
import sqlalchemy.exc
import structlog
from asgi_correlation_id import correlation_id
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import AppError
from app.intercom.errors import IntercomAuthError, IntercomError, IntercomRateLimited

log = structlog.get_logger(__name__)

PROBLEM_MEDIA_TYPE = "application/problem+json"
# PostgreSQL and Redis outages are mostly restarts and failovers: seconds, not minutes.
DEPENDENCY_RETRY_AFTER_S = 5


class FieldError(BaseModel):
    field: str = Field(description="Where the error is, e.g. `body.access_token` or `query.limit`.")
    message: str
    type: str | None = None


class Problem(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "type": "/problems/sync_already_active",
                    "title": "A sync of this segment is already pending or running",
                    "status": 409,
                    "detail": "Sync 5d41402a-bc4b-4a76-9719-d911017c592a of this segment has not "
                    "finished yet.",
                    "instance": "/v1/segments/8f14e45f-ceea-4e7a-9b1a-1f0b6a1c2d3e/syncs",
                    "code": "sync_already_active",
                    "request_id": "4d6f1c0e9b2a4f7d8e3c5b1a0f9e8d7c",
                    "active_sync_id": "5d41402a-bc4b-4a76-9719-d911017c592a",
                }
            ]
        }
    )

    type: str = Field(description="A URI reference naming the kind of problem.")
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    code: str = Field(
        description="A stable machine-readable code, e.g. `not_found` or `sync_already_active`."
    )
    errors: list[FieldError] | None = Field(
        default=None, description="The fields at fault, for invalid input."
    )
    error_id: str | None = Field(
        default=None, description="For an internal error: quote it to find the error in our logs."
    )
    request_id: str | None = Field(
        default=None,
        description="The request's `X-Request-ID` (the client's, or one made for it): every log "
        "line of the request carries it.",
    )


def problem_type(code: str) -> str:
    return f"/problems/{code}"


def problem_response(
    request: Request,
    *,
    status: int,
    code: str,
    title: str,
    detail: str | None = None,
    headers: dict[str, str] | None = None,
    **extensions: Any,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": problem_type(code),
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
        "code": code,
        **extensions,
    }
    request_id = correlation_id.get()
    if request_id is not None:
        body["request_id"] = request_id
    return JSONResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` entries for the problems a route may answer."""
    descriptions = {
        400: "Malformed request",
        401: "Missing or invalid credentials",
        404: "Not found in the caller's account",
        409: "Conflict with the current state",
        429: "Too many at once for this account; close some first",
        412: "Saved by someone else since the version If-Match names",
        413: "The body is larger than the API accepts",
        415: "The body is not JSON",
        422: "Invalid input; `errors` names the fields at fault",
        502: "Intercom failed or refused the call",
        503: "Intercom's rate limit is spent, or a dependency is down; see Retry-After",
    }
    return {
        status: {
            "model": Problem,
            "description": descriptions.get(status, "Error"),
            "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for status in statuses
    }


def _location(loc: tuple[Any, ...] | list[Any]) -> str:
    return ".".join(str(part) for part in loc)


async def _app_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AppError)
    headers = {"WWW-Authenticate": exc.challenge} if exc.status == 401 else None
    return problem_response(
        request,
        status=exc.status,
        code=exc.code,
        title=exc.title,
        detail=exc.detail,
        headers=headers,
        **exc.extensions,
    )


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"field": _location(error["loc"]), "message": error["msg"], "type": error["type"]}
        for error in exc.errors()
    ]
    content_type = request.headers.get("content-type", "")
    if request.method in ("POST", "PUT", "PATCH") and content_type and "json" not in content_type:
        return problem_response(
            request,
            status=415,
            code="unsupported_media_type",
            title="Unsupported media type",
            detail=f"Send the body as application/json, not {content_type}.",
        )
    if any(error["type"] == "json_invalid" for error in errors):
        # FastAPI puts the offset of the fault where a field would be ("body.8").
        return _malformed_json(
            request,
            message=next(
                f"{error['message']} at character {error['field'].removeprefix('body.')}"
                for error in errors
                if error["type"] == "json_invalid"
            ),
        )
    fields = ", ".join(error["field"] for error in errors)
    return problem_response(
        request,
        status=422,
        code="validation_failed",
        title="Invalid input",
        detail=f"Invalid input in: {fields}.",
        errors=errors,
    )


def _malformed_json(request: Request, *, message: str) -> JSONResponse:
    return problem_response(
        request,
        status=400,
        code="malformed_json",
        title="Malformed JSON",
        detail="The request body is not valid JSON.",
        errors=[{"field": "body", "message": message, "type": "json_invalid"}],
    )


# FastAPI's answer to a body it could not even decode: bytes that are not UTF-8, or JSON nested
# deeper than the parser's recursion allows.
_UNPARSEABLE_BODY = "There was an error parsing the body"


_HTTP_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def allowed_methods(request: Request) -> list[str]:
    """Every method some route accepts on this path. Starlette's 405 names only the methods of
    the first route whose path matched, so `GET /v1/integrations` hid `POST` on the same path."""
    routes = request.app.router.routes
    allowed = []
    for method in _HTTP_METHODS:
        probe = {
            "type": "http",
            "method": method,
            "path": request.scope["path"],
            "root_path": request.scope.get("root_path", ""),
        }
        if any(route.matches(probe)[0] is Match.FULL for route in routes):
            allowed.append(method)
    return allowed


async def http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 400 and exc.detail == _UNPARSEABLE_BODY:
        return _malformed_json(
            request, message="cannot be decoded: not UTF-8, or nested too deeply"
        )
    codes = {404: "route_not_found", 405: "method_not_allowed", 413: "payload_too_large"}
    titles = {404: "Not found", 405: "Method not allowed", 413: "Payload too large"}
    detail = exc.detail if isinstance(exc.detail, str) else None
    headers = dict(exc.headers) if exc.headers else {}
    if exc.status_code == 404:
        detail = f"No route matches {request.url.path}."
    elif exc.status_code == 405:
        allowed = allowed_methods(request)
        headers["Allow"] = ", ".join(allowed)
        detail = (
            f"{request.method} is not allowed on {request.url.path}; allowed: {', '.join(allowed)}."
        )
    return problem_response(
        request,
        status=exc.status_code,
        code=codes.get(exc.status_code, f"http_{exc.status_code}"),
        title=titles.get(exc.status_code, detail or "Error"),
        detail=detail,
        headers=headers or None,
    )


async def _intercom_error(request: Request, exc: Exception) -> JSONResponse:
    """An Intercom call made for this request failed after its retries."""
    assert isinstance(exc, IntercomError)
    log.warning(
        "api.intercom_error", path=request.url.path, error=type(exc).__name__, status=exc.status
    )
    if isinstance(exc, IntercomRateLimited):
        wait_s = max(1, math.ceil((exc.reset_at or time.time() + 10) - time.time()))
        return problem_response(
            request,
            status=503,
            code="intercom_rate_limited",
            title="Intercom rate limit reached",
            detail=f"Intercom's rate limit for this workspace is spent; retry in {wait_s} s.",
            headers={"Retry-After": str(wait_s)},
        )
    if isinstance(exc, IntercomAuthError):
        return problem_response(
            request,
            status=502,
            code="intercom_token_rejected",
            title="Intercom rejected the workspace's token",
            detail="The Intercom connection must be authorised again.",
        )
    return problem_response(
        request,
        status=502,
        code="intercom_unavailable",
        title="Intercom request failed",
        detail=f"Intercom did not answer as expected ({exc.message}); nothing was changed.",
    )


# Top-level packages whose errors mean a dependency could not be reached, by what they reach.
_DRIVERS = {"asyncpg": "postgresql", "sqlalchemy": "postgresql", "redis": "redis"}
_POSTGRES_UNREACHABLE = (
    asyncpg.PostgresConnectionError,  # SQLSTATE class 08, a lost connection included
    asyncpg.CannotConnectNowError,  # starting up or shutting down
    asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError,
    asyncpg.TooManyConnectionsError,
    asyncpg.ConnectionDoesNotExistError,  # the connection closed under a statement
)


def unavailable_dependency(exc: BaseException | None) -> str | None:
    """The dependency `exc` says cannot be reached now, "postgresql" or "redis"; None for any
    other error, which stays a 500 (a constraint violation, a bug, a file not found)."""
    if isinstance(exc, redis.exceptions.ConnectionError | redis.exceptions.TimeoutError):
        return "redis"
    # The pool had no free connection within its timeout.
    if isinstance(exc, sqlalchemy.exc.TimeoutError):
        return "postgresql"
    if isinstance(exc, sqlalchemy.exc.DBAPIError):
        if exc.connection_invalidated or isinstance(exc, sqlalchemy.exc.OperationalError):
            return "postgresql"
        # asyncpg's own error is the cause of the DB-API error SQLAlchemy wraps.
        return unavailable_dependency(exc.orig.__cause__) if exc.orig is not None else None
    if isinstance(exc, _POSTGRES_UNREACHABLE):
        return "postgresql"
    if isinstance(exc, OSError):
        # Refused, reset, timed out or unresolvable: asyncpg lets the socket's error through
        # unwrapped when it connects. Which dependency it is shows in where it was raised; an
        # OSError raised by anything else is not an outage.
        for frame, _ in reversed(list(traceback.walk_tb(exc.__traceback__))):
            package = str(frame.f_globals.get("__name__", "")).partition(".")[0]
            if package in _DRIVERS:
                return _DRIVERS[package]
    return None


async def _dependency_error(request: Request, exc: Exception) -> JSONResponse:
    dependency = unavailable_dependency(exc)
    if dependency is None:
        return await _unexpected_error(request, exc)
    log.warning(
        "api.dependency_unavailable",
        path=request.url.path,
        dependency=dependency,
        error=type(exc).__name__,
    )
    name = {"postgresql": "PostgreSQL", "redis": "Redis"}[dependency]
    return problem_response(
        request,
        status=503,
        code="dependency_unavailable",
        title="Service temporarily unavailable",
        detail=f"{name} cannot be reached; retry in {DEPENDENCY_RETRY_AFTER_S} s.",
        headers={"Retry-After": str(DEPENDENCY_RETRY_AFTER_S)},
        down=[dependency],
    )


_PROJECT_ROOT = Path(__file__).resolve().parents[2]
_LOGGED_MESSAGE_CHARS = 300
_LOGGED_FRAMES = 5
# Messages of database errors quote the values at fault (`Key (email)=(ann@example.com)`).
_EMAIL = re.compile(r"[^\s@'\"()<>\[\],;:]+@[^\s@'\"()<>\[\],;:]+")


def _where(filename: str) -> str:
    path = Path(filename)
    if path.is_relative_to(_PROJECT_ROOT):
        return str(path.relative_to(_PROJECT_ROOT))
    _, site, inside = filename.rpartition("site-packages/")
    return inside if site else path.name


def _traceback_summary(exc: BaseException) -> list[str]:
    frames = traceback.extract_tb(exc.__traceback__)[-_LOGGED_FRAMES:]
    return [f"{_where(frame.filename)}:{frame.lineno} {frame.name}" for frame in frames]


def _short_message(exc: BaseException) -> str:
    message = " ".join(_EMAIL.sub("<email>", str(exc)).split())
    if len(message) > _LOGGED_MESSAGE_CHARS:
        message = message[: _LOGGED_MESSAGE_CHARS - 1] + "…"
    return message


async def _client_disconnected(request: Request, exc: Exception) -> JSONResponse:
    """The client went away while sending its body (a timeout on its side): nothing was read
    in full, so nothing was stored; no one is left to answer, and it is not our error."""
    log.info("api.client_disconnected", method=request.method, path=request.url.path)
    return problem_response(
        request,
        status=400,
        code="client_disconnected",
        title="Client disconnected",
        detail="The connection closed before the request's body arrived; nothing was done.",
    )


async def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    """One log line, not the chained traceback: with its locals and SQL, that was 40 KB per
    error, customer emails included. The error id joins the line to what the client saw."""
    error_id = uuid.uuid4().hex
    log.error(
        "api.unhandled_error",
        error_id=error_id,
        method=request.method,
        path=request.url.path,
        error=f"{type(exc).__module__}.{type(exc).__qualname__}",
        message=_short_message(exc),
        cause=type(exc.__cause__).__name__ if exc.__cause__ is not None else None,
        frames=_traceback_summary(exc),
    )
    return problem_response(
        request,
        status=500,
        code="internal_error",
        title="Internal server error",
        detail=f"An unexpected error occurred; it has been logged as {error_id}.",
        error_id=error_id,
    )


class UnhandledErrors:
    """Answers the 500 problem for an exception no handler took, and ends it there.

    Starlette's ServerErrorMiddleware re-raises after calling the 500 handler, by design (so
    that the server logs it), and uvicorn then printed the whole chained traceback a second
    time. Installed inside it, this makes `api.unhandled_error` the only line an error logs.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_tracking(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, send_tracking)
        except Exception as exc:
            response = await _unexpected_error(Request(scope), exc)
            # Once a response has started, the server can only cut the connection short.
            if not started:
                await response(scope, receive, send)


_DEPENDENCY_ERRORS: tuple[type[Exception], ...] = (
    sqlalchemy.exc.DBAPIError,
    sqlalchemy.exc.TimeoutError,
    asyncpg.PostgresError,
    asyncpg.InterfaceError,  # the direct pool's: a closed connection (503), or a bug (500)
    OSError,
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
)


def install(app: FastAPI) -> None:
    app.add_exception_handler(AppError, _app_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(IntercomError, _intercom_error)
    app.add_exception_handler(ClientDisconnect, _client_disconnected)
    for error in _DEPENDENCY_ERRORS:
        app.add_exception_handler(error, _dependency_error)
    app.add_middleware(UnhandledErrors)
    # Still the handler of Starlette's ServerErrorMiddleware, for an error raised by a
    # middleware outside UnhandledErrors.
    app.add_exception_handler(Exception, _unexpected_error)
