"""Bad input answers an RFC 9457 problem with the right status and field, and writes nothing."""

from __future__ import annotations

import base64
import uuid
from datetime import timedelta
from typing import Any

import httpx
import jwt
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.db import transaction
from app.domain.models import SyncRun
from app.domain.scope import AccountScope
from app.domain.syncs import commands
from tests.conftest import JWT_SECRET
from tests.fixtures.factories import (
    Tenant,
    connect_workspace,
    create_tenant,
    first_segment,
    integration_count,
)

PROBLEM = "application/problem+json"


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["type"].startswith("/problems/")
    assert body["title"]
    assert body["detail"]
    return body


@pytest.mark.parametrize(
    "content",
    [
        b'{"access_token": ',
        b'{"access_token": "caf\xe9"}',  # not UTF-8
        b"[" * 100_000,  # deeper than any parser recursion
        b'{"access_token": "x"} trailing',
    ],
)
async def test_malformed_json_is_a_400_naming_the_body_and_writes_nothing(
    http: httpx.AsyncClient,
    tenant: Tenant,
    sessionmaker: async_sessionmaker[AsyncSession],
    content: bytes,
) -> None:
    response = await http.post(
        "/v1/integrations",
        content=content,
        headers={**tenant.headers, "Content-Type": "application/json"},
    )
    body = assert_problem(response, 400)
    assert body["code"] == "malformed_json"
    assert [error["field"] for error in body["errors"]] == ["body"]
    assert await integration_count(sessionmaker, tenant) == 0


async def test_a_missing_field_is_a_422_naming_the_field(
    http: httpx.AsyncClient, tenant: Tenant, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    response = await http.post("/v1/integrations", json={"name": "Main"}, headers=tenant.headers)
    body = assert_problem(response, 422)
    assert [error["field"] for error in body["errors"]] == ["body.access_token"]
    assert await integration_count(sessionmaker, tenant) == 0


async def test_a_wrong_type_is_a_422_naming_the_field(
    http: httpx.AsyncClient, tenant: Tenant, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    response = await http.post(
        "/v1/integrations", json={"access_token": 12345}, headers=tenant.headers
    )
    body = assert_problem(response, 422)
    assert body["errors"][0]["field"] == "body.access_token"
    assert await integration_count(sessionmaker, tenant) == 0


async def test_an_unknown_field_is_refused_rather_than_ignored(
    http: httpx.AsyncClient, tenant: Tenant
) -> None:
    response = await http.post(
        "/v1/integrations", json={"access_token": "x", "regoin": "EU"}, headers=tenant.headers
    )
    body = assert_problem(response, 422)
    assert body["errors"][0]["field"] == "body.regoin"


async def test_a_token_intercom_rejects_is_a_422_on_access_token_and_writes_nothing(
    http: httpx.AsyncClient, tenant: Tenant, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    response = await http.post(
        "/v1/integrations", json={"access_token": "not-a-real-token"}, headers=tenant.headers
    )
    body = assert_problem(response, 422)
    assert body["code"] == "intercom_token_rejected"
    assert body["errors"][0]["field"] == "body.access_token"
    assert "not-a-real-token" not in response.text
    assert await integration_count(sessionmaker, tenant) == 0


def intercom_me_calls(sandbox_url: str) -> int:
    stats = httpx.get(f"{sandbox_url}/_sandbox/stats").json()
    return int(stats["requests"].get("GET /me", 0))


@pytest.mark.parametrize(
    "token",
    [
        "tökén-ünïcode",
        "   ",
        "abc\r\nX-Injected: yes",
        "abc\ndef",
        "abc\x00def",
        "abc\x7f",
        "ab cd",
    ],
    ids=["non-ascii", "blank", "crlf", "lf", "nul", "del", "inner-space"],
)
async def test_a_token_that_is_not_printable_ascii_is_a_422_and_intercom_is_never_called(
    http: httpx.AsyncClient,
    tenant: Tenant,
    sessionmaker: async_sessionmaker[AsyncSession],
    sandbox_url: str,
    token: str,
) -> None:
    calls_before = intercom_me_calls(sandbox_url)
    response = await http.post(
        "/v1/integrations", json={"access_token": token}, headers=tenant.headers
    )
    body = assert_problem(response, 422)
    assert [error["field"] for error in body["errors"]] == ["body.access_token"]
    assert intercom_me_calls(sandbox_url) == calls_before
    assert await integration_count(sessionmaker, tenant) == 0


@pytest.mark.parametrize(
    "name",
    ['"Main\\u0000"', '"Main\\u0007"', '"EU\\nteam"', '"\\u0085"', '"   "', '"\\ud800"'],
    ids=["nul", "bell", "newline", "c1-control", "blank", "lone-surrogate"],
)
async def test_a_name_with_control_characters_is_a_422_naming_the_field(
    http: httpx.AsyncClient,
    tenant: Tenant,
    sessionmaker: async_sessionmaker[AsyncSession],
    name: str,
) -> None:
    # Raw JSON: escapes such as a lone surrogate cannot be produced by encoding a str.
    response = await http.post(
        "/v1/integrations",
        content=f'{{"access_token": "tok_123", "name": {name}}}'.encode(),
        headers={**tenant.headers, "Content-Type": "application/json"},
    )
    body = assert_problem(response, 422)
    assert [error["field"] for error in body["errors"]] == ["body.name"]
    assert await integration_count(sessionmaker, tenant) == 0


async def test_a_non_json_body_is_a_415(http: httpx.AsyncClient, tenant: Tenant) -> None:
    response = await http.post(
        "/v1/integrations",
        content=b"access_token=abc",
        headers={**tenant.headers, "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert_problem(response, 415)


@pytest.mark.parametrize(
    "path",
    [
        "/v1/integrations/{id}",
        "/v1/integrations/{id}/segments",
        "/v1/segments/{id}",
        "/v1/syncs/{id}",
        "/v1/segments/{id}/syncs",
        "/v1/syncs/{id}/failures",
        "/v1/syncs/{id}/events",
    ],
)
async def test_an_unknown_id_is_a_404(http: httpx.AsyncClient, tenant: Tenant, path: str) -> None:
    response = await http.get(path.format(id=uuid.uuid4()), headers=tenant.headers)
    assert_problem(response, 404)


async def test_starting_a_sync_of_an_unknown_segment_is_a_404_and_records_no_run(
    http: httpx.AsyncClient, tenant: Tenant, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    response = await http.post(f"/v1/segments/{uuid.uuid4()}/syncs", headers=tenant.headers)
    assert_problem(response, 404)
    async with sessionmaker() as session:
        runs = await session.scalar(
            select(func.count()).select_from(SyncRun).where(SyncRun.account_id == tenant.account_id)
        )
    assert runs == 0


async def test_a_malformed_id_is_a_422_naming_the_path_parameter(
    http: httpx.AsyncClient, tenant: Tenant
) -> None:
    body = assert_problem(await http.get("/v1/syncs/not-a-uuid", headers=tenant.headers), 422)
    assert body["errors"][0]["field"] == "path.sync_id"


async def test_a_bad_cursor_and_limit_are_422s_naming_the_query_parameter(
    http: httpx.AsyncClient, tenant: Tenant
) -> None:
    bad_cursor = await http.get("/v1/customers?cursor=%%%", headers=tenant.headers)
    assert assert_problem(bad_cursor, 422)["errors"][0]["field"] == "query.cursor"
    bad_limit = await http.get("/v1/customers?limit=0", headers=tenant.headers)
    assert assert_problem(bad_limit, 422)["errors"][0]["field"] == "query.limit"


@pytest.mark.parametrize(
    "decoded",
    [
        b'[9223372036854775808, "00000000-0000-0000-0000-000000000000"]',  # past bigint
        b'[-1, "00000000-0000-0000-0000-000000000000"]',
        b'[1.5, "00000000-0000-0000-0000-000000000000"]',
        b'[true, "00000000-0000-0000-0000-000000000000"]',
        b'[1, "not-a-uuid"]',
        b'[1, {"nested": []}]',
    ],
)
async def test_a_forged_cursor_that_decodes_is_a_422_naming_the_query_parameter(
    http: httpx.AsyncClient, tenant: Tenant, decoded: bytes
) -> None:
    cursor = base64.urlsafe_b64encode(decoded).decode().rstrip("=")
    response = await http.get("/v1/customers", params={"cursor": cursor}, headers=tenant.headers)
    assert assert_problem(response, 422)["errors"][0]["field"] == "query.cursor"


async def test_a_deeply_nested_cursor_is_a_422_naming_the_query_parameter(
    http: httpx.AsyncClient, tenant: Tenant
) -> None:
    # Far deeper than Python's recursion limit, yet short enough for a URL.
    cursor = base64.urlsafe_b64encode(b"[" * 20_000).decode()
    response = await http.get("/v1/customers", params={"cursor": cursor}, headers=tenant.headers)
    assert assert_problem(response, 422)["errors"][0]["field"] == "query.cursor"


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer", "Basic abc", "Bearer isk_wrong", "Bearer not.a.jwt"],
)
async def test_no_or_a_wrong_token_is_a_401(
    http: httpx.AsyncClient, authorization: str | None
) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    response = await http.get("/v1/integrations", headers=headers)
    assert_problem(response, 401)
    assert response.headers["www-authenticate"] == "Bearer"


async def test_an_expired_or_foreign_jwt_is_a_401(http: httpx.AsyncClient) -> None:
    subject = str(uuid.uuid4())
    expired = jwt.encode({"sub": subject, "exp": 1}, JWT_SECRET, algorithm="HS256")
    foreign = jwt.encode({"sub": subject, "exp": 4_000_000_000}, "other-secret" * 4, "HS256")
    for token in (expired, foreign):
        response = await http.get("/v1/integrations", headers={"Authorization": f"Bearer {token}"})
        assert_problem(response, 401)


async def test_a_jwt_signed_by_the_product_authenticates_its_account(
    http: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    sandbox_workspaces: list[dict[str, Any]],
) -> None:
    tenant = await create_tenant(sessionmaker)
    integration = await connect_workspace(http, tenant, sandbox_workspaces[0]["access_token"])
    token = jwt.encode(
        {"sub": str(tenant.account_id), "exp": 4_000_000_000}, JWT_SECRET, algorithm="HS256"
    )
    headers = {"Authorization": f"Bearer {token}"}
    listed = (await http.get("/v1/integrations", headers=headers)).json()["data"]
    assert [item["id"] for item in listed] == [integration["id"]]

    newcomer = jwt.encode({"sub": str(uuid.uuid4()), "exp": 4_000_000_000}, JWT_SECRET, "HS256")
    response = await http.get("/v1/integrations", headers={"Authorization": f"Bearer {newcomer}"})
    assert response.status_code == 200
    assert response.json() == {"data": [], "next_cursor": None}


async def test_unknown_routes_and_methods_are_problems(http: httpx.AsyncClient) -> None:
    assert_problem(await http.get("/v1/nothing-here"), 404)
    assert_problem(await http.delete("/healthz"), 405)


async def test_a_405_lists_every_method_of_the_path(http: httpx.AsyncClient) -> None:
    response = await http.delete("/v1/integrations")
    body = assert_problem(response, 405)
    assert response.headers["allow"] == "GET, POST"
    assert "GET, POST" in body["detail"]


@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
async def test_another_method_on_the_oauth_path_is_a_405_not_an_integration_id(
    http: httpx.AsyncClient, tenant: Tenant, method: str
) -> None:
    # /v1/integrations/{integration_id} has these methods, but "oauth" is a resource of its own.
    response = await http.request(method, "/v1/integrations/oauth", headers=tenant.headers)
    assert_problem(response, 405)
    assert response.headers["allow"] == "POST"
    not_an_id = await http.get("/v1/integrations/oauthx", headers=tenant.headers)
    assert assert_problem(not_an_id, 422)["errors"][0]["field"] == "path.integration_id"


async def test_a_third_workspace_and_a_duplicate_workspace_are_409s(
    http: httpx.AsyncClient,
    tenant: Tenant,
    sessionmaker: async_sessionmaker[AsyncSession],
    sandbox_workspaces: list[dict[str, Any]],
) -> None:
    first = await connect_workspace(http, tenant, sandbox_workspaces[0]["access_token"])
    duplicate = await http.post(
        "/v1/integrations",
        json={"access_token": sandbox_workspaces[0]["access_token"]},
        headers=tenant.headers,
    )
    assert assert_problem(duplicate, 409)["code"] == "workspace_already_connected"
    second = await connect_workspace(
        http, tenant, sandbox_workspaces[1]["access_token"], name="EU team"
    )
    assert (first["slot"], second["slot"], second["name"]) == (1, 2, "EU team")
    assert await integration_count(sessionmaker, tenant) == 2


async def test_a_second_sync_now_while_one_is_pending_is_a_409(
    http: httpx.AsyncClient,
    tenant: Tenant,
    sessionmaker: async_sessionmaker[AsyncSession],
    sandbox_workspaces: list[dict[str, Any]],
) -> None:
    segment = await first_segment(http, tenant, sandbox_workspaces[0]["access_token"])
    # Recorded but never enqueued, so no worker can finish it during the test.
    async with transaction(sessionmaker) as session:
        pending = await commands.start(
            session,
            AccountScope(tenant.account_id),
            uuid.UUID(segment["id"]),
            start_within=timedelta(minutes=5),
            use_default_mapping=True,
        )

    second = await http.post(f"/v1/segments/{segment['id']}/syncs", headers=tenant.headers)

    body = assert_problem(second, 409)
    assert body["active_sync_id"] == str(pending.id)


@pytest.mark.parametrize(
    "decoded",
    [
        b'["2026-11-30T10:00:00", "00000000-0000-0000-0000-000000000000"]',  # no timezone
        b'["yesterday", "00000000-0000-0000-0000-000000000000"]',
        b'[12, "00000000-0000-0000-0000-000000000000"]',
        b'["2026-11-30T10:00:00+00:00", "not-a-uuid"]',
        b'["2026-11-30T10:00:00+00:00"]',
    ],
)
async def test_a_forged_history_cursor_is_a_422_naming_the_query_parameter(
    http: httpx.AsyncClient,
    tenant: Tenant,
    sandbox_workspaces: list[dict[str, Any]],
    decoded: bytes,
) -> None:
    users = await first_segment(http, tenant, sandbox_workspaces[0]["access_token"], "users")
    cursor = base64.urlsafe_b64encode(decoded).decode().rstrip("=")
    response = await http.get(
        f"/v1/segments/{users['id']}/syncs", params={"cursor": cursor}, headers=tenant.headers
    )
    assert assert_problem(response, 422)["errors"][0]["field"] == "query.cursor"


@pytest.mark.parametrize(
    "decoded", [b"[-1]", b"[1.5]", b"[true]", b'["1"]', b"[9223372036854775808]"]
)
async def test_a_forged_failures_cursor_is_a_422_naming_the_query_parameter(
    http: httpx.AsyncClient,
    tenant: Tenant,
    sandbox_workspaces: list[dict[str, Any]],
    decoded: bytes,
) -> None:
    users = await first_segment(http, tenant, sandbox_workspaces[0]["access_token"], "users")
    started = await http.post(
        f"/v1/segments/{users['id']}/syncs",
        json={"use_default_mapping": True},
        headers=tenant.headers,
    )
    cursor = base64.urlsafe_b64encode(decoded).decode().rstrip("=")
    response = await http.get(
        f"/v1/syncs/{started.json()['id']}/failures",
        params={"cursor": cursor},
        headers=tenant.headers,
    )
    assert assert_problem(response, 422)["errors"][0]["field"] == "query.cursor"
