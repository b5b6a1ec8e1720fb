"""A request body over the cap is a 413 problem, with or without credentials, declared or
streamed, and is not read past the cap."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.api.limits import MAX_BODY_BYTES
from tests.fixtures.factories import Tenant, integration_count
from tests.test_bad_input import assert_problem

TWO_MB = json.dumps({"access_token": "tok_123", "name": "x" * 2_000_000}).encode()


def assert_too_large(response: httpx.Response) -> None:
    body = assert_problem(response, 413)
    assert body["code"] == "payload_too_large"
    assert str(MAX_BODY_BYTES) in body["detail"]


async def test_a_2_mb_body_from_anyone_is_a_413_before_authentication(
    http: httpx.AsyncClient,
) -> None:
    response = await http.post(
        "/v1/integrations", content=TWO_MB, headers={"Content-Type": "application/json"}
    )
    assert_too_large(response)


async def test_a_2_mb_body_from_an_account_is_a_413_and_writes_nothing(
    http: httpx.AsyncClient, tenant: Tenant, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    response = await http.post(
        "/v1/integrations",
        content=TWO_MB,
        headers={**tenant.headers, "Content-Type": "application/json"},
    )
    assert_too_large(response)
    assert await integration_count(sessionmaker, tenant) == 0


async def test_a_streamed_body_is_cut_off_with_a_413_once_it_passes_the_cap(
    http: httpx.AsyncClient, tenant: Tenant
) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        # No Content-Length: httpx sends it chunked, so only counting can catch it.
        yield b'{"access_token": "tok_123", "name": "'
        for _ in range(64):
            yield b"x" * (64 * 1024)
        yield b'"}'

    response = await http.post(
        "/v1/integrations",
        content=chunks(),
        headers={**tenant.headers, "Content-Type": "application/json"},
    )
    assert_too_large(response)


async def test_a_body_under_the_cap_is_read_as_usual(
    http: httpx.AsyncClient, tenant: Tenant
) -> None:
    almost = json.dumps({"access_token": "tok_123", "name": "x" * (MAX_BODY_BYTES - 100)})
    response = await http.post(
        "/v1/integrations",
        content=almost.encode(),
        headers={**tenant.headers, "Content-Type": "application/json"},
    )
    # Read and validated: the name is too long for the schema, not for the cap.
    body = assert_problem(response, 422)
    assert [error["field"] for error in body["errors"]] == ["body.name"]
