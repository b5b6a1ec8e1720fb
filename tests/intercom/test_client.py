"""The Intercom client against the sandbox; MockTransport only for bodies a sandbox cannot send
(yet): an HTML error page and a malformed success body."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import httpx
import pytest

from app.intercom.client import IntercomClient, RetryPolicy, WorkspaceClient, base_url_for
from app.intercom.errors import (
    IntercomAuthError,
    IntercomInvalidRequest,
    IntercomServerError,
    IntercomUnexpectedResponse,
)
from tests.fixtures.sandbox import Sandbox


@pytest.fixture
async def client(sandbox_url: str) -> AsyncIterator[IntercomClient]:
    async with httpx.AsyncClient(timeout=10) as http:
        yield IntercomClient(http, base_url_override=sandbox_url)


async def test_me_reads_the_workspace_region_and_timezone(
    client: IntercomClient, sandbox_workspaces: list[dict[str, Any]]
) -> None:
    workspace = sandbox_workspaces[1]
    me = await client.workspace(workspace["access_token"]).me()
    assert (me.app.id_code, me.app.region, me.app.timezone) == (
        workspace["app_id"],
        workspace["region"],
        workspace["timezone"],
    )


async def test_search_pages_walk_every_user_exactly_once(
    client: IntercomClient, sandbox_workspaces: list[dict[str, Any]]
) -> None:
    workspace = client.workspace(sandbox_workspaces[0]["access_token"])
    query = {"field": "role", "operator": "=", "value": "user"}
    ids: list[str] = []
    async for page in workspace.search_contact_pages(query):
        assert page.pages is not None
        assert page.pages.per_page == 150
        ids.extend(contact.id for contact in page.data)
    assert len(ids) == len(set(ids)) == await workspace.count_contacts(query)


async def test_list_pages_walk_every_contact(
    client: IntercomClient, sandbox_workspaces: list[dict[str, Any]]
) -> None:
    workspace = client.workspace(sandbox_workspaces[0]["access_token"])
    ids = [c.id async for page in workspace.list_contact_pages() for c in page.data]
    assert len(ids) == len(set(ids)) == sandbox_workspaces[0]["contacts"]


async def test_an_invalid_token_is_a_typed_auth_error(client: IntercomClient) -> None:
    with pytest.raises(IntercomAuthError) as raised:
        await client.workspace("revoked").me()
    assert raised.value.status == 401
    assert raised.value.code == "unauthorized"


async def test_a_query_intercom_refuses_is_an_invalid_request_with_its_message(
    client: IntercomClient, sandbox_workspaces: list[dict[str, Any]]
) -> None:
    workspace = client.workspace(sandbox_workspaces[0]["access_token"])
    with pytest.raises(IntercomInvalidRequest) as raised:
        await workspace.count_contacts({"field": "created_at", "operator": "!=", "value": 1})
    assert "not supported" in raised.value.message


def test_regions_pick_their_hosts_unless_overridden() -> None:
    assert base_url_for("EU") == "https://api.eu.intercom.io"
    assert base_url_for("au") == "https://api.au.intercom.io"
    assert base_url_for(None) == "https://api.intercom.io"
    assert base_url_for("EU", "http://sandbox:8010/") == "http://sandbox:8010"


async def test_html_5xx_bodies_are_retried_then_raised_as_server_errors() -> None:
    calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(502, text="<html><body>Bad gateway</body></html>")

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
        fast = RetryPolicy(backoff_initial_s=0.001, backoff_max_s=0.01)
        intercom = IntercomClient(http, base_url_override="http://intercom.test", retry=fast)
        with pytest.raises(IntercomServerError) as raised:
            await intercom.workspace("t").me()
    assert raised.value.status == 502
    assert len(calls) == 5
    assert calls[0].headers["Intercom-Version"] == "2.14"
    assert calls[0].headers["Authorization"] == "Bearer t"


async def test_a_success_body_of_the_wrong_shape_is_a_typed_error_and_not_retried() -> None:
    calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(200, json={"type": "admin"})

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
        workspace = IntercomClient(http, base_url_override="http://intercom.test").workspace("t")
        with pytest.raises(IntercomUnexpectedResponse):
            await workspace.me()
    assert len(calls) == 1


@pytest.mark.parametrize(
    ("region", "host"),
    [("US", "api.intercom.io"), ("EU", "api.eu.intercom.io"), ("AU", "api.au.intercom.io")],
)
async def test_each_region_is_called_on_its_own_host(region: str, host: str) -> None:
    hosts: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        hosts.append(request.url.host)
        return httpx.Response(200, json={"type": "segment.list", "segments": []})

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
        await IntercomClient(http).workspace("t", region).list_segments()
    assert hosts == [host]


# Backoff alone would retry within 10 ms: any longer wait is the Retry-After's.
QUICK = RetryPolicy(backoff_initial_s=0.001, backoff_max_s=0.01)


@pytest.fixture
async def quick(sandbox: Sandbox) -> AsyncIterator[WorkspaceClient]:
    """A workspace of the module's own sandbox (whose faults the test sets), quick to retry."""
    async with httpx.AsyncClient(timeout=5) as http:
        client = IntercomClient(http, base_url_override=sandbox.url, retry=QUICK)
        yield client.workspace(sandbox.workspace["access_token"])


def one_503(sandbox: Sandbox, retry_after_s: float) -> None:
    faults = {"fail_next": 1, "error_status": 503, "retry_after_s": retry_after_s}
    sandbox.control("PUT", "/faults", faults)


async def test_a_503_with_retry_after_is_retried_after_that_long_not_sooner(
    sandbox: Sandbox, quick: WorkspaceClient
) -> None:
    one_503(sandbox, retry_after_s=1)
    started = time.monotonic()
    me = await quick.me()
    elapsed = time.monotonic() - started

    assert me.app.id_code == sandbox.workspace["app_id"]
    assert 1.0 <= elapsed < 1.8
    stats = sandbox.control("GET", "/stats")
    assert stats["requests"]["GET /me"] == 2
    assert stats["faults"] == {"http_503": 1}


async def test_a_retry_after_longer_than_the_policy_allows_surfaces_at_once(
    sandbox: Sandbox, quick: WorkspaceClient
) -> None:
    one_503(sandbox, retry_after_s=120)
    started = time.monotonic()
    with pytest.raises(IntercomServerError) as raised:
        await quick.me()

    assert time.monotonic() - started < 0.5
    assert raised.value.status == 503
    assert raised.value.retry_after_s == 120  # for the caller to defer the job that long
    assert sandbox.control("GET", "/stats")["requests"]["GET /me"] == 1


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("in an hour", 3600),  # an HTTP date, made when the test runs (not when it is collected)
        ("soon", None),  # unreadable: ignored, the policy's backoff applies
    ],
)
async def test_retry_after_as_an_http_date_is_read_and_a_bad_one_ignored(
    header: str, expected: float | None
) -> None:
    if header == "in an hour":
        header = format_datetime(datetime.now(UTC) + timedelta(hours=1), usegmt=True)

    # RFC 9110 allows an HTTP date; a proxy may send one, the sandbox sends seconds.
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(503, text="busy", headers={"Retry-After": header})

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
        intercom = IntercomClient(http, base_url_override="http://intercom.test", retry=QUICK)
        with pytest.raises(IntercomServerError) as raised:
            await intercom.workspace("t").me()
    if expected is None:
        assert raised.value.retry_after_s is None
    else:
        assert raised.value.retry_after_s == pytest.approx(expected, abs=5)
