"""The sandbox's HTTP surface: Intercom's endpoints (API 2.14 shapes), and a control API under
/_sandbox/ that no Intercom client would call."""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import math
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any
from urllib.parse import parse_qs, urlencode

import orjson
from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from intercom_sandbox.data import ARCHIVED_ATTRIBUTES, CUSTOM_ATTRIBUTES, STANDARD_ATTRIBUTES
from intercom_sandbox.search import InvalidQuery
from intercom_sandbox.state import (
    ERROR_STATUSES,
    MUTATION_KINDS,
    Change,
    Sandbox,
    SandboxConfig,
    SortKey,
    Workspace,
    page_after,
)
from intercom_sandbox.webhooks import WebhookDispatcher

MAX_PER_PAGE = 150
LIST_DEFAULT_PER_PAGE = 10  # INTERCOM.md §2.1: what GET /contacts really returns (PR #639)
SEARCH_DEFAULT_PER_PAGE = 50
MAX_EVENT_METADATA_KEYS = 10

Handler = Callable[[Request, Workspace], Awaitable[Response]]


class NotFound(Exception):
    def __init__(self, message: str = "Resource Not Found") -> None:
        super().__init__(message)


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return raw_json(orjson.dumps(body), status, headers)


def raw_json(body: bytes, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(body, status_code=status, media_type="application/json", headers=headers)


def error_response(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> Response:
    body = {
        "type": "error.list",
        "request_id": str(uuid.uuid4()),
        "errors": [{"code": code, "message": message}],
    }
    return json_response(body, status, headers)


HTML_ERROR = b"<html><head><title>{status}</title></head><body><h1>{status}</h1></body></html>"


class DroppedConnection(Response):
    """Starts a response and dies mid-body: the client sees the connection close."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", b"4096")],
            }
        )
        await send(
            {"type": "http.response.body", "body": b'{"type": "list", "da', "more_body": True}
        )
        raise ConnectionAbortedError("sandbox fault: dropped connection")


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
        "page": start // per_page + 1,
        "per_page": per_page,
        "total_pages": max(1, -(-total // per_page)),
    }
    if next_key is not None:
        # The spec types `next` as {per_page, starting_after}; real responses carry `page` and
        # `starting_after` (INTERCOM.md §2.1). Both validate.
        body["next"] = {"page": start // per_page + 2, "starting_after": encode_cursor(next_key)}
    return body


def segment_json(workspace: Workspace, segment_id: str, include_count: bool) -> dict[str, Any]:
    segment = workspace.segment(segment_id)
    if segment is None:
        raise NotFound()
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
    return item


def data_attributes(include_archived: bool) -> list[dict[str, Any]]:
    standard = [
        {
            "type": "data_attribute",
            "name": name.split(".")[-1],
            "full_name": name,
            "label": label,
            "description": f"The contact's {label.lower()}.",
            "data_type": data_type,
            "api_writable": name not in ("created_at", "updated_at", "role"),
            "ui_writable": False,
            "messenger_writable": False,
            "custom": False,
            "archived": False,
            "model": "contact",
        }
        for name, label, data_type in STANDARD_ATTRIBUTES
    ]
    custom_sources = [(a, False) for a in CUSTOM_ATTRIBUTES]
    if include_archived:
        custom_sources += [(a, True) for a in ARCHIVED_ATTRIBUTES]
    custom = []
    for number, (attribute, archived) in enumerate(custom_sources, start=1):
        item: dict[str, Any] = {
            "type": "data_attribute",
            "id": 1000 + number,
            "model": "contact",
            "name": attribute["name"],
            "full_name": f"custom_attributes.{attribute['name']}",
            "label": attribute["label"],
            "description": "",
            "data_type": attribute["data_type"],
            "api_writable": True,
            "ui_writable": True,
            "messenger_writable": False,
            "custom": True,
            "archived": archived,
            "created_at": 1_600_000_000 + number,
            "updated_at": 1_600_000_000 + number,
            "admin_id": "1",
        }
        if "options" in attribute:
            item["options"] = attribute["options"]
        custom.append(item)
    return standard + custom


class ResponseRecorder:
    """Appends every Intercom response to a JSON-lines file, so a test suite can check each one
    against the official spec after the fact."""

    def __init__(self, path: str | None) -> None:
        self._file = open(path, "ab") if path else None

    def record(self, request: Request, response: Response) -> None:
        if self._file is None or isinstance(response, DroppedConnection):
            return
        route = request.scope.get("route")
        entry = {
            "method": request.method,
            "path": request.url.path,
            "route": getattr(route, "path", request.url.path),
            "query": dict(request.query_params),
            "status": response.status_code,
            "content_type": response.headers.get("content-type", ""),
            "body": bytes(response.body).decode(errors="replace"),
        }
        self._file.write(orjson.dumps(entry) + b"\n")
        self._file.flush()


def create_app(sandbox: Sandbox) -> Starlette:
    webhooks = WebhookDispatcher(
        url=sandbox.config.webhook_url,
        timeout_s=sandbox.config.webhook_timeout_s,
        retry_delay_s=sandbox.config.webhook_retry_delay_s,
    )
    mutation_rate = {"per_second": sandbox.config.mutation_rate}

    # Webhook subscriptions belong to the app, and its client secret signs every workspace's
    # notifications (INTERCOM.md §7): the OAuth app's here.
    app_secret = sandbox.config.oauth_client_secret

    def deliver(workspace: Workspace, change: Change) -> None:
        webhooks.send(workspace.data.app_id, app_secret, change.topic, change.item)

    sandbox.on_change = deliver

    async def inject_fault() -> Response | None:
        faults = sandbox.faults
        rng = sandbox.fault_rng
        if faults.latency_ms or faults.jitter_ms:
            await asyncio.sleep((faults.latency_ms + rng.uniform(0, faults.jitter_ms)) / 1000)
        if faults.revoked:
            sandbox.stats.faults["revoked"] += 1
            return error_response(401, "token_revoked", "Token revoked")
        roll = rng.random()
        if faults.fail_next > 0 or roll < faults.error_rate:
            faults.fail_next = max(0, faults.fail_next - 1)
            status = faults.error_status or rng.choice(ERROR_STATUSES)
            sandbox.stats.faults[f"http_{status}"] += 1
            headers: dict[str, str] = {}
            if status == 503 and faults.retry_after_s > 0:
                # RFC 9110 §10.2.3: delay-seconds is a whole number.
                headers["Retry-After"] = str(math.ceil(faults.retry_after_s))
            if rng.random() < 0.5:
                html = HTML_ERROR.replace(b"{status}", str(status).encode())
                return Response(html, status_code=status, media_type="text/html", headers=headers)
            return error_response(status, "server_error", "Server Error", headers)
        roll -= faults.error_rate
        if roll < faults.drop_rate:
            sandbox.stats.faults["dropped"] += 1
            return DroppedConnection()
        roll -= faults.drop_rate
        if roll < faults.stall_rate:
            sandbox.stats.faults["stalled"] += 1
            await asyncio.sleep(faults.stall_s)
        return None

    recorder = ResponseRecorder(sandbox.config.record_responses)

    def intercom(endpoint: str, handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        """Authentication, rate limit, faults, statistics and recording around one endpoint."""

        async def wrapped(request: Request) -> Response:
            response = await serve(request)
            recorder.record(request, response)
            return response

        async def serve(request: Request) -> Response:
            stats = sandbox.stats
            stats.requests[endpoint] += 1
            stats.in_flight += 1
            stats.max_in_flight = max(stats.max_in_flight, stats.in_flight)
            try:
                auth = request.headers.get("authorization", "")
                scheme, _, token = auth.partition(" ")
                workspace = (
                    sandbox.by_token.get(token.strip()) if scheme.lower() == "bearer" else None
                )
                if workspace is None:
                    # No X-RateLimit-* without valid credentials (INTERCOM.md §6).
                    return error_response(401, "unauthorized", "Access Token Invalid")
                now = time.time()
                window_s = sandbox.config.rate_window_s
                if workspace.rate.told_exhausted and workspace.rate.window == int(now // window_s):
                    stats.sent_into_exhausted_window += 1
                limit = sandbox.config.rate_limit
                allowed, remaining, reset = workspace.take_request(limit, now, window_s)
                headers = {
                    "X-RateLimit-Limit": str(limit),
                    "X-RateLimit-Remaining": str(remaining),
                    "X-RateLimit-Reset": str(reset),
                }
                if not allowed:
                    stats.rate_limited += 1
                    return error_response(
                        429,
                        "rate_limit_exceeded",
                        f"Exceeded rate limit of {limit} in {window_s}_seconds",
                        headers,
                    )
                stats.per_window[f"{workspace.data.app_id}:{int(now // window_s)}"] += 1
                fault = await inject_fault()
                if fault is not None:
                    fault.headers.update(headers)
                    return fault
                try:
                    response = await handler(request, workspace)
                except InvalidQuery as exc:
                    response = error_response(400, "bad_request", str(exc))
                except NotFound as exc:
                    response = error_response(404, "not_found", str(exc))
                response.headers.update(headers)
                return response
            finally:
                stats.in_flight -= 1

        return wrapped

    # -- Intercom endpoints --------------------------------------------------------------

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

    def per_page_of(raw: Any, default: int) -> int:
        if raw is None:
            return default
        try:
            value = int(raw)
        except (TypeError, ValueError):
            raise InvalidQuery("per_page must be an integer") from None
        if not 1 <= value <= MAX_PER_PAGE:
            raise InvalidQuery(f"per_page must be between 1 and {MAX_PER_PAGE}")
        return value

    def contact_page(
        endpoint: str,
        workspace: Workspace,
        items: list[dict[str, Any]],
        keys: list[SortKey],
        cursor: str | None,
        per_page: int,
    ) -> Response:
        cursor_key = decode_cursor(cursor) if cursor else None
        page, start = page_after(items, keys, cursor_key, per_page)
        sandbox.stats.contacts_returned[endpoint] += len(page)
        has_more = start + len(page) < len(items)
        next_key = keys[start + len(page) - 1] if has_more and page else None
        # Contacts are serialised once and cached, so a page is a join of bytes.
        head = orjson.dumps(
            {
                "type": "list",
                "total_count": len(items),
                "pages": pages(start, per_page, len(items), next_key),
            }
        )
        data = b",".join(workspace.rendered(contact) for contact in page)
        return raw_json(head[:-1] + b',"data":[' + data + b"]}")

    async def list_contacts(request: Request, workspace: Workspace) -> Response:
        per_page = per_page_of(request.query_params.get("per_page"), LIST_DEFAULT_PER_PAGE)
        cursor = request.query_params.get("starting_after") or None
        return contact_page(
            "GET /contacts", workspace, workspace.ordered, workspace.keys, cursor, per_page
        )

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
        per_page = per_page_of(pagination.get("per_page"), SEARCH_DEFAULT_PER_PAGE)
        # INTERCOM.md §11.4: only the cursor in the body counts; one in the URL is ignored.
        cursor = pagination.get("starting_after") or None
        canonical = orjson.dumps(body["query"], option=orjson.OPT_SORT_KEYS).decode()
        sandbox.stats.searches[canonical] += 1
        items, keys = workspace.search(body["query"], index_lag_s=sandbox.faults.search_index_lag_s)
        return contact_page("POST /contacts/search", workspace, items, keys, cursor, per_page)

    def contact_of(request: Request, workspace: Workspace) -> dict[str, Any]:
        contact = workspace.by_id.get(request.path_params["contact_id"])
        if contact is None:
            # Deleted, archived and merged-away contacts are gone (INTERCOM.md §9: 404 in 2.14).
            raise NotFound("User Not Found")
        return contact

    async def get_contact(request: Request, workspace: Workspace) -> Response:
        return raw_json(workspace.rendered(contact_of(request, workspace)))

    async def contact_segments(request: Request, workspace: Workspace) -> Response:
        contact = contact_of(request, workspace)
        data = [segment_json(workspace, s.id, False) for s in workspace.segments_of(contact)]
        return json_response({"type": "list", "data": data})

    async def contact_tags(request: Request, workspace: Workspace) -> Response:
        contact = contact_of(request, workspace)
        return json_response({"type": "list", "data": workspace.tags_of(contact)})

    async def contact_companies(request: Request, workspace: Workspace) -> Response:
        contact = contact_of(request, workspace)
        companies = [
            {**company, "company_id": company["id"], "app_id": workspace.data.app_id}
            for company in workspace.companies_of(contact)
        ]
        return json_response(
            {"type": "list", "data": companies, "total_count": len(companies), "pages": {}}
        )

    async def list_segments(request: Request, workspace: Workspace) -> Response:
        include_count = request.query_params.get("include_count") == "true"
        segments = [segment_json(workspace, s.id, include_count) for s in workspace.data.segments]
        return json_response({"type": "segment.list", "segments": segments, "pages": {}})

    async def get_segment(request: Request, workspace: Workspace) -> Response:
        include_count = request.query_params.get("include_count") == "true"
        return json_response(
            segment_json(workspace, request.path_params["segment_id"], include_count)
        )

    async def list_data_attributes(request: Request, workspace: Workspace) -> Response:
        model = request.query_params.get("model", "contact")
        if model not in ("contact", "company", "conversation"):
            raise InvalidQuery("model must be contact, company or conversation")
        include_archived = request.query_params.get("include_archived") == "true"
        data = data_attributes(include_archived) if model == "contact" else []
        return json_response({"type": "list", "data": data})

    async def create_event(request: Request, workspace: Workspace) -> Response:
        try:
            body = orjson.loads(await request.body())
        except orjson.JSONDecodeError:
            return error_response(400, "bad_request", "Request body is not valid JSON")
        if not isinstance(body, dict):
            return error_response(400, "bad_request", "Request body must be an object")
        name, created_at = body.get("event_name"), body.get("created_at")
        if not isinstance(name, str) or not name.strip():
            return error_response(400, "parameter_invalid", "event_name is required")
        if not isinstance(created_at, int) or isinstance(created_at, bool):
            return error_response(400, "parameter_invalid", "created_at must be a Unix timestamp")
        identifiers = {key: body.get(key) for key in ("id", "user_id", "email") if body.get(key)}
        if not identifiers:
            return error_response(
                400, "parameter_not_found", "One of id, user_id or email is required"
            )
        metadata = body.get("metadata") or {}
        if not isinstance(metadata, dict):
            return error_response(400, "parameter_invalid", "metadata must be an object")
        for key, value in metadata.items():
            if isinstance(value, dict) and not (
                {"url", "value"} == set(value) or {"amount", "currency"} == set(value)
            ):
                return error_response(
                    400, "parameter_invalid", f"metadata.{key}: nested objects are not supported"
                )
            if isinstance(value, list):
                return error_response(
                    400, "parameter_invalid", f"metadata.{key}: arrays are not supported"
                )
        contact = workspace.find(
            contact_id=identifiers.get("id"),
            external_id=identifiers.get("user_id"),
            email=identifiers.get("email"),
        )
        if contact is None:
            # Leads are addressed by id only (INTERCOM.md §5): email and user_id find users.
            return error_response(404, "not_found", "User Not Found")
        # INTERCOM.md §5: keys past the first 10 are ignored, not refused.
        kept = dict(list(metadata.items())[:MAX_EVENT_METADATA_KEYS])
        # INTERCOM.md §5: one event per contact, name and created_at; a repeat is still a 202
        # (and still counts against the rate limit), but is not recorded again.
        key = (contact["id"], name, created_at)
        if key in workspace.event_keys:
            workspace.repeated_events += 1
            return Response(status_code=202)
        workspace.event_keys.add(key)
        workspace.events.append(
            {
                "event_name": name,
                "created_at": created_at,
                "contact_id": contact["id"],
                "metadata": kept,
                "received_at": time.time(),
            }
        )
        return Response(status_code=202)

    # -- OAuth ---------------------------------------------------------------------------

    async def oauth_authorize(request: Request) -> Response:
        params = request.query_params
        if params.get("client_id") != sandbox.config.oauth_client_id:
            return error_response(400, "invalid_client", "Unknown client_id")
        redirect_uri = params.get("redirect_uri")
        if not redirect_uri:
            return error_response(400, "parameter_invalid", "redirect_uri is required here")
        # Stands in for the consent screen, where the admin picks a workspace.
        app_id = params.get("app_id")
        workspace = sandbox.workspace_by_app_id(app_id) if app_id else sandbox.workspaces[0]
        if workspace is None:
            return error_response(400, "parameter_invalid", "Unknown app_id")
        code = sandbox.issue_oauth_code(workspace, redirect_uri)
        query: dict[str, str] = {"code": code}
        if params.get("state") is not None:
            query["state"] = params["state"]
        separator = "&" if "?" in redirect_uri else "?"
        return RedirectResponse(f"{redirect_uri}{separator}{urlencode(query)}", status_code=302)

    async def oauth_token(request: Request) -> Response:
        content_type = request.headers.get("content-type", "")
        if "json" in content_type:
            try:
                form: dict[str, Any] = orjson.loads(await request.body())
            except orjson.JSONDecodeError:
                return error_response(400, "bad_request", "Request body is not valid JSON")
        else:
            # application/x-www-form-urlencoded, parsed without python-multipart.
            form = {k: v[0] for k, v in parse_qs((await request.body()).decode()).items()}
        if (
            form.get("client_id") != sandbox.config.oauth_client_id
            or form.get("client_secret") != sandbox.config.oauth_client_secret
        ):
            return error_response(401, "unauthorized", "Invalid client credentials")
        workspace = sandbox.redeem_oauth_code(str(form.get("code", "")))
        if workspace is None:
            return error_response(400, "invalid_grant", "The code is invalid, used or expired")
        token = workspace.data.access_token
        # INTERCOM.md §1.2: clients read `access_token` or `token`; both are sent.
        return json_response({"token_type": "Bearer", "access_token": token, "token": token})

    # -- control API ---------------------------------------------------------------------

    async def control_body(request: Request) -> dict[str, Any]:
        raw = await request.body()
        body = orjson.loads(raw) if raw else {}
        if not isinstance(body, dict):
            raise ValueError("body must be a JSON object")
        return body

    def control(
        handler: Callable[[Request], Awaitable[Response]],
    ) -> Callable[[Request], Awaitable[Response]]:
        async def wrapped(request: Request) -> Response:
            try:
                return await handler(request)
            except (ValueError, KeyError, orjson.JSONDecodeError) as exc:
                return json_response({"error": str(exc)}, 400)

        return wrapped

    def workspace_or_404(request: Request) -> Workspace:
        workspace = sandbox.workspace_by_app_id(request.path_params["app_id"])
        if workspace is None:
            raise KeyError(f"unknown workspace {request.path_params['app_id']}")
        return workspace

    async def sandbox_workspaces(request: Request) -> Response:
        return json_response(
            [
                {
                    "app_id": w.data.app_id,
                    "name": w.data.name,
                    "region": w.data.region,
                    "timezone": w.data.timezone,
                    "access_token": w.data.access_token,
                    "client_id": w.data.client_id,
                    "client_secret": w.data.client_secret,
                    "contacts": len(w.by_id),
                }
                for w in sandbox.workspaces
            ]
        )

    async def sandbox_contacts(request: Request) -> Response:
        workspace = workspace_or_404(request)
        return raw_json(b"[" + b",".join(workspace.rendered(c) for c in workspace.ordered) + b"]")

    async def sandbox_mutations(request: Request) -> Response:
        workspace = workspace_or_404(request)
        body = await control_body(request)
        kind = body.get("kind", "random")
        count = int(body.get("count", 1))
        changes = []
        for _ in range(count):
            if kind == "random":
                change = workspace.random_mutation()
                sandbox.on_change(workspace, change)
            else:
                change = sandbox.mutate(workspace, kind, body.get("contact_id"))
            changes.append({"topic": change.topic, "id": change.item["id"], "item": change.item})
        return json_response({"changes": changes})

    async def sandbox_load_contacts(request: Request) -> Response:
        workspace = workspace_or_404(request)
        body = await control_body(request)
        workspace.load([int(stamp) for stamp in body["created_at"]], body.get("timezone"))
        return json_response(
            {"contacts": len(workspace.by_id), "timezone": workspace.data.timezone}
        )

    async def sandbox_consume_budget(request: Request) -> Response:
        """Spends budget as another app of the workspace would: unseen by our clients."""
        workspace = workspace_or_404(request)
        count = int((await control_body(request)).get("count", 1))
        now = time.time()
        for _ in range(count):
            workspace.take_request(sandbox.config.rate_limit, now, sandbox.config.rate_window_s)
        workspace.rate.told_exhausted = False  # nobody was told: no response was sent
        return json_response({"used": workspace.rate.used})

    async def sandbox_events(request: Request) -> Response:
        return json_response(workspace_or_404(request).events)

    async def sandbox_faults(request: Request) -> Response:
        if request.method == "PUT":
            sandbox.faults.update(await control_body(request))
        return json_response(sandbox.faults.as_json())

    async def sandbox_rate_limit(request: Request) -> Response:
        if request.method == "PUT":
            body = await control_body(request)
            sandbox.config.rate_limit = int(body["limit"])
            sandbox.config.rate_window_s = int(body.get("window_s", sandbox.config.rate_window_s))
        return json_response(
            {"limit": sandbox.config.rate_limit, "window_s": sandbox.config.rate_window_s}
        )

    async def sandbox_mutation_rate(request: Request) -> Response:
        if request.method == "PUT":
            mutation_rate["per_second"] = float((await control_body(request))["rate"])
        return json_response({"rate": mutation_rate["per_second"], "kinds": list(MUTATION_KINDS)})

    async def sandbox_webhooks(request: Request) -> Response:
        if request.method == "PUT":
            webhooks.configure(await control_body(request))
        return json_response(webhooks.as_json())

    async def sandbox_deliveries(request: Request) -> Response:
        return json_response([d.as_json() for d in webhooks.deliveries])

    async def sandbox_ping(request: Request) -> Response:
        body = await control_body(request)
        workspace = (
            sandbox.workspace_by_app_id(body["app_id"])
            if "app_id" in body
            else sandbox.workspaces[0]
        )
        if workspace is None:
            raise KeyError("unknown workspace")
        notification_id = webhooks.send(
            workspace.data.app_id,
            app_secret,
            "ping",
            {"type": "ping", "message": "Hello from the Intercom sandbox"},
        )
        return json_response({"id": notification_id})

    async def sandbox_stats(request: Request) -> Response:
        return json_response(sandbox.stats.as_json())

    async def sandbox_reset_stats(request: Request) -> Response:
        sandbox.stats = type(sandbox.stats)()
        for workspace in sandbox.workspaces:
            workspace.rate.told_exhausted = False
        return json_response({"status": "reset"})

    async def sandbox_reset(request: Request) -> Response:
        body = await control_body(request)
        sandbox.reset(
            seed=body.get("seed"), contacts=body.get("contacts"), workspaces=body.get("workspaces")
        )
        sandbox.faults.update(type(sandbox.faults)().as_json())
        webhooks.deliveries.clear()
        return json_response({"status": "reset"})

    async def sandbox_health(request: Request) -> Response:
        return json_response({"status": "ok"})

    async def mutate_forever() -> None:
        while True:
            rate = mutation_rate["per_second"]
            if rate <= 0:
                await asyncio.sleep(0.1)
                continue
            await asyncio.sleep(1 / rate)
            for workspace in sandbox.workspaces:
                with contextlib.suppress(KeyError):
                    change = workspace.random_mutation()
                    sandbox.on_change(workspace, change)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        task = asyncio.create_task(mutate_forever())
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            await webhooks.close()

    def get(path: str, endpoint: str, handler: Handler) -> Route:
        return Route(path, intercom(f"GET {endpoint}", handler), methods=["GET"])

    routes = [
        get("/me", "/me", me),
        get("/contacts", "/contacts", list_contacts),
        Route(
            "/contacts/search", intercom("POST /contacts/search", search_contacts), methods=["POST"]
        ),
        get("/contacts/{contact_id}", "/contacts/{id}", get_contact),
        get("/contacts/{contact_id}/segments", "/contacts/{id}/segments", contact_segments),
        get("/contacts/{contact_id}/tags", "/contacts/{id}/tags", contact_tags),
        get("/contacts/{contact_id}/companies", "/contacts/{id}/companies", contact_companies),
        get("/segments", "/segments", list_segments),
        get("/segments/{segment_id}", "/segments/{id}", get_segment),
        get("/data_attributes", "/data_attributes", list_data_attributes),
        Route("/events", intercom("POST /events", create_event), methods=["POST"]),
        Route("/oauth", oauth_authorize, methods=["GET"]),
        Route("/auth/eagle/token", oauth_token, methods=["POST"]),
        Route("/_sandbox/health", sandbox_health, methods=["GET"]),
        Route("/_sandbox/workspaces", sandbox_workspaces, methods=["GET"]),
        Route("/_sandbox/workspaces/{app_id}/contacts", control(sandbox_contacts), methods=["GET"]),
        Route(
            "/_sandbox/workspaces/{app_id}/mutations", control(sandbox_mutations), methods=["POST"]
        ),
        Route("/_sandbox/workspaces/{app_id}/events", control(sandbox_events), methods=["GET"]),
        Route(
            "/_sandbox/workspaces/{app_id}/contacts",
            control(sandbox_load_contacts),
            methods=["PUT"],
        ),
        Route(
            "/_sandbox/workspaces/{app_id}/rate-limit/consume",
            control(sandbox_consume_budget),
            methods=["POST"],
        ),
        Route("/_sandbox/faults", control(sandbox_faults), methods=["GET", "PUT"]),
        Route("/_sandbox/rate-limit", control(sandbox_rate_limit), methods=["GET", "PUT"]),
        Route("/_sandbox/mutation-rate", control(sandbox_mutation_rate), methods=["GET", "PUT"]),
        Route("/_sandbox/webhooks", control(sandbox_webhooks), methods=["GET", "PUT"]),
        Route("/_sandbox/webhooks/deliveries", sandbox_deliveries, methods=["GET"]),
        Route("/_sandbox/webhooks/ping", control(sandbox_ping), methods=["POST"]),
        Route("/_sandbox/stats", sandbox_stats, methods=["GET"]),
        Route("/_sandbox/stats/reset", sandbox_reset_stats, methods=["POST"]),
        Route("/_sandbox/reset", control(sandbox_reset), methods=["POST"]),
    ]
    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        exception_handlers={ClientDisconnect: _client_gone},
    )
    app.state.sandbox = sandbox
    app.state.webhooks = webhooks
    return app


async def _client_gone(request: Request, exc: Exception) -> Response:
    # A client that closed its request while the body was read (a reader stopped early) is no
    # server error: nobody reads this answer, and it is not worth a traceback in the log.
    return Response(status_code=499)


def build(config: SandboxConfig) -> Starlette:
    return create_app(Sandbox(config))
