"""The sandbox's HTTP surface: Intercom's endpoints, and a control API under /_sandbox/."""

from __future__ import annotations

import asyncio
import base64
import binascii
import random
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from intercom_sandbox.search import InvalidQuery
from intercom_sandbox.state import (
    Sandbox,
    SandboxConfig,
    SortKey,
    Workspace,
    page_after,
    render_contact,
)

MAX_PER_PAGE = 150
LIST_DEFAULT_PER_PAGE = 10  # INTERCOM.md §2.1: what GET /contacts really returns (PR #639)
SEARCH_DEFAULT_PER_PAGE = 50

Handler = Callable[[Request, Workspace], Awaitable[Response]]


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        orjson.dumps(body), status_code=status, media_type="application/json", headers=headers
    )


def error_response(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> Response:
    body = {
        "type": "error.list",
        "request_id": str(uuid.uuid4()),
        "errors": [{"code": code, "message": message}],
    }
    return json_response(body, status, headers)


def encode_cursor(key: SortKey) -> str:
    # Looks like Intercom's ("Wz..." is base64 of "["): base64 of a JSON array.
    return base64.b64encode(orjson.dumps(list(key))).decode()


def decode_cursor(cursor: str) -> SortKey:
    try:
        created_at, contact_id = orjson.loads(base64.b64decode(cursor.encode(), validate=True))
        return int(created_at), str(contact_id)
    except (binascii.Error, ValueError, TypeError):
        raise InvalidQuery("Invalid starting_after param") from None


def pages(start: int, per_page: int, total: int, next_key: SortKey | None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": "pages",
        "page": start // per_page + 1 if per_page else 1,
        "per_page": per_page,
        "total_pages": max(1, -(-total // per_page)),
    }
    if next_key is not None:
        body["next"] = {"page": start // per_page + 2, "starting_after": encode_cursor(next_key)}
    return body


def create_app(sandbox: Sandbox) -> Starlette:
    def intercom(endpoint: str, handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        """Authentication, rate limit, latency and statistics around one Intercom endpoint."""

        async def wrapped(request: Request) -> Response:
            stats = sandbox.stats
            stats.requests[endpoint] += 1
            stats.in_flight += 1
            stats.max_in_flight = max(stats.max_in_flight, stats.in_flight)
            try:
                config = sandbox.config
                if config.latency_ms or config.jitter_ms:
                    delay = config.latency_ms + random.uniform(0, config.jitter_ms)
                    await asyncio.sleep(delay / 1000)
                auth = request.headers.get("authorization", "")
                scheme, _, token = auth.partition(" ")
                workspace = (
                    sandbox.by_token.get(token.strip()) if scheme.lower() == "bearer" else None
                )
                if workspace is None:
                    # No X-RateLimit-* without valid credentials (INTERCOM.md §6).
                    return error_response(401, "unauthorized", "Access Token Invalid")
                if workspace.rate.told_exhausted and workspace.rate.window == _window_now():
                    stats.sent_into_exhausted_window += 1
                allowed, remaining, reset = workspace.take_request(config.rate_limit)
                headers = {
                    "X-RateLimit-Limit": str(config.rate_limit),
                    "X-RateLimit-Remaining": str(remaining),
                    "X-RateLimit-Reset": str(reset),
                }
                if not allowed:
                    stats.rate_limited += 1
                    workspace.rate.told_exhausted = True
                    return error_response(
                        429,
                        "rate_limit_exceeded",
                        f"Exceeded rate limit of {config.rate_limit} in 10_seconds",
                        headers,
                    )
                if remaining == 0:
                    workspace.rate.told_exhausted = True
                try:
                    response = await handler(request, workspace)
                except InvalidQuery as exc:
                    response = error_response(400, "bad_request", str(exc))
                response.headers.update(headers)
                return response
            finally:
                stats.in_flight -= 1

        return wrapped

    async def me(request: Request, workspace: Workspace) -> Response:
        data = workspace.data
        return json_response(
            {
                "type": "admin",
                "id": data.admin_id,
                "email": data.admin_email,
                "name": "Sandbox Admin",
                "email_verified": True,
                "app": {
                    "type": "app",
                    "id_code": data.app_id,
                    "name": data.name,
                    "created_at": 1546300800,
                    "secure": False,
                    "identity_verification": False,
                    "timezone": data.timezone,
                    "region": data.region,
                },
                "avatar": {"type": "avatar", "image_url": None},
                "has_inbox_seat": True,
            }
        )

    def _per_page(raw: Any, default: int) -> int:
        if raw is None:
            return default
        try:
            value = int(raw)
        except (TypeError, ValueError):
            raise InvalidQuery("per_page must be an integer") from None
        if not 1 <= value <= MAX_PER_PAGE:
            raise InvalidQuery(f"per_page must be between 1 and {MAX_PER_PAGE}")
        return value

    def _contact_page(
        workspace: Workspace,
        items: list[dict[str, Any]],
        keys: list[SortKey],
        cursor: str | None,
        per_page: int,
    ) -> Response:
        cursor_key = decode_cursor(cursor) if cursor else None
        page, start = page_after(items, keys, cursor_key, per_page)
        has_more = start + len(page) < len(items)
        next_key = keys[start + len(page) - 1] if has_more and page else None
        return json_response(
            {
                "type": "list",
                "data": [render_contact(workspace, c) for c in page],
                "total_count": len(items),
                "pages": pages(start, per_page, len(items), next_key),
            }
        )

    async def list_contacts(request: Request, workspace: Workspace) -> Response:
        per_page = _per_page(request.query_params.get("per_page"), LIST_DEFAULT_PER_PAGE)
        cursor = request.query_params.get("starting_after") or None
        return _contact_page(workspace, workspace.ordered, workspace.keys, cursor, per_page)

    async def search_contacts(request: Request, workspace: Workspace) -> Response:
        try:
            body = orjson.loads(await request.body())
        except orjson.JSONDecodeError:
            raise InvalidQuery("Request body is not valid JSON") from None
        if not isinstance(body, dict) or "query" not in body:
            raise InvalidQuery("query is required")
        pagination = body.get("pagination") or {}
        if not isinstance(pagination, dict):
            raise InvalidQuery("pagination must be an object")
        per_page = _per_page(pagination.get("per_page"), SEARCH_DEFAULT_PER_PAGE)
        # INTERCOM.md §11.4: only the cursor in the body counts; one in the URL is ignored.
        cursor = pagination.get("starting_after") or None
        items, keys = workspace.search(body["query"])
        return _contact_page(workspace, items, keys, cursor, per_page)

    async def list_segments(request: Request, workspace: Workspace) -> Response:
        include_count = request.query_params.get("include_count") == "true"
        segments = []
        for segment in workspace.data.segments:
            item: dict[str, Any] = {
                "type": "segment",
                "id": segment.id,
                "name": segment.name,
                "created_at": segment.created_at,
                "updated_at": segment.updated_at,
                "person_type": segment.person_type,
            }
            if include_count:
                item["count"] = len(workspace.segment_members(segment.id))
            segments.append(item)
        return json_response({"type": "segment.list", "segments": segments, "pages": {}})

    async def sandbox_workspaces(request: Request) -> Response:
        return json_response(
            [
                {
                    "app_id": w.data.app_id,
                    "name": w.data.name,
                    "region": w.data.region,
                    "timezone": w.data.timezone,
                    "access_token": w.data.access_token,
                    "client_secret": w.data.client_secret,
                    "contacts": len(w.data.contacts),
                }
                for w in sandbox.workspaces
            ]
        )

    async def sandbox_contacts(request: Request) -> Response:
        workspace = sandbox.workspace_by_app_id(request.path_params["app_id"])
        if workspace is None:
            return json_response({"error": "unknown workspace"}, 404)
        return json_response([render_contact(workspace, c) for c in workspace.ordered])

    async def sandbox_stats(request: Request) -> Response:
        return json_response(sandbox.stats.as_json())

    async def sandbox_reset(request: Request) -> Response:
        body = orjson.loads(await request.body() or b"{}")
        sandbox.reset(seed=body.get("seed"), contacts=body.get("contacts"))
        return json_response({"status": "reset"})

    async def sandbox_reset_stats(request: Request) -> Response:
        sandbox.stats.__init__()  # type: ignore[misc]
        return json_response({"status": "reset"})

    async def sandbox_health(request: Request) -> Response:
        return json_response({"status": "ok"})

    routes = [
        Route("/me", intercom("GET /me", me), methods=["GET"]),
        Route("/contacts", intercom("GET /contacts", list_contacts), methods=["GET"]),
        Route(
            "/contacts/search", intercom("POST /contacts/search", search_contacts), methods=["POST"]
        ),
        Route("/segments", intercom("GET /segments", list_segments), methods=["GET"]),
        Route("/_sandbox/health", sandbox_health, methods=["GET"]),
        Route("/_sandbox/workspaces", sandbox_workspaces, methods=["GET"]),
        Route("/_sandbox/workspaces/{app_id}/contacts", sandbox_contacts, methods=["GET"]),
        Route("/_sandbox/stats", sandbox_stats, methods=["GET"]),
        Route("/_sandbox/stats/reset", sandbox_reset_stats, methods=["POST"]),
        Route("/_sandbox/reset", sandbox_reset, methods=["POST"]),
    ]
    app = Starlette(routes=routes)
    app.state.sandbox = sandbox
    return app


def _window_now() -> int:
    import time

    return int(time.time() // 10)


def build(config: SandboxConfig) -> Starlette:
    return create_app(Sandbox(config))
