"""OAuth connect over HTTP against the sandbox's OAuth app: start, follow the authorize URL as a
browser would (without following the redirect back), read `code` and `state` off the Location,
then the callback. States are signed, single use, expiring and bound to the account."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.config import Settings
from app.db import transaction
from app.domain.integrations.oauth import read_state, sign_state
from app.domain.models import Integration
from app.domain.models.integrations import REAUTH_REQUIRED, OAuthState
from app.intercom.errors import IntercomInvalidRequest
from app.intercom.oauth import IntercomOAuth
from app.main import create_app
from tests.conftest import OAUTH_REDIRECT_URI
from tests.fixtures.factories import Tenant, create_tenant, integration_count, segments_of
from tests.servers import api_server
from tests.test_bad_input import assert_problem


async def start(http: httpx.AsyncClient, tenant: Tenant, **body: Any) -> dict[str, Any]:
    response = await http.post(
        "/v1/integrations/oauth",
        json={"redirect_uri": OAUTH_REDIRECT_URI, **body},
        headers=tenant.headers,
    )
    assert response.status_code == 201, response.text
    started: dict[str, Any] = response.json()
    return started


async def authorize(authorize_url: str, app_id: str | None = None) -> tuple[str, str]:
    """What the admin's browser does at Intercom: consent, then a redirect to our page."""
    # The sandbox's stand-in for the workspace picker of the consent screen.
    url = httpx.URL(authorize_url)
    url = url.copy_add_param("app_id", app_id) if app_id else url
    async with httpx.AsyncClient(timeout=10) as browser:
        response = await browser.get(url, follow_redirects=False)
    assert response.status_code == 302, response.text
    location = response.headers["location"]
    assert location.startswith(OAUTH_REDIRECT_URI + "?")
    query = parse_qs(urlsplit(location).query)
    return query["code"][0], query["state"][0]


async def callback(
    http: httpx.AsyncClient, tenant: Tenant, code: str, state: str
) -> httpx.Response:
    return await http.post(
        "/v1/integrations/oauth/callback",
        json={"code": code, "state": state},
        headers=tenant.headers,
    )


async def oauth_code(
    http: httpx.AsyncClient, tenant: Tenant, app_id: str | None = None, **body: Any
) -> tuple[str, str]:
    started = await start(http, tenant, **body)
    code, state = await authorize(started["authorize_url"], app_id)
    assert state == started["state"]
    return code, state


async def state_row(
    sessionmaker: async_sessionmaker[AsyncSession], settings: Settings, state: str
) -> OAuthState:
    async with sessionmaker() as session:
        row = await session.get(OAuthState, read_state(state, settings.oauth_state_keys))
    assert row is not None
    return row


async def test_oauth_connects_the_workspace_the_admin_picked(
    http: httpx.AsyncClient,
    tenant: Tenant,
    sandbox_url: str,
    sandbox_workspaces: list[dict[str, Any]],
) -> None:
    workspace = sandbox_workspaces[1]
    started = await start(http, tenant, name="EU team")
    assert started["authorize_url"].startswith(f"{sandbox_url}/oauth?")
    query = parse_qs(urlsplit(started["authorize_url"]).query)
    assert query["client_id"] == ["sandbox-oauth-client"]
    assert query["redirect_uri"] == [OAUTH_REDIRECT_URI]
    assert query["state"] == [started["state"]]
    assert datetime.fromisoformat(started["expires_at"]) > datetime.now(UTC)

    code, state = await authorize(started["authorize_url"], workspace["app_id"])
    response = await callback(http, tenant, code, state)

    assert response.status_code == 201, response.text
    integration = response.json()
    assert integration["auth_method"] == "oauth"
    assert integration["intercom_app_id"] == workspace["app_id"]
    assert (integration["name"], integration["slot"], integration["status"]) == (
        "EU team",
        1,
        "connected",
    )
    assert integration["workspace_name"]
    assert integration["region"]
    assert await segments_of(http, tenant, integration["id"])


async def test_an_oauth_connect_without_a_name_is_named_after_its_slot(
    http: httpx.AsyncClient, tenant: Tenant
) -> None:
    response = await callback(http, tenant, *await oauth_code(http, tenant))

    assert response.status_code == 201, response.text
    assert response.json()["name"] == "Account 1"


async def test_a_replayed_state_is_a_422_naming_the_state(
    http: httpx.AsyncClient, tenant: Tenant
) -> None:
    code, state = await oauth_code(http, tenant)
    assert (await callback(http, tenant, code, state)).status_code == 201

    replay = await callback(http, tenant, code, state)

    problem = assert_problem(replay, 422)
    assert problem["code"] == "oauth_state_used"
    assert problem["errors"][0]["field"] == "body.state"


async def test_an_expired_state_is_refused_and_connects_nothing(
    http: httpx.AsyncClient,
    tenant: Tenant,
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    code, state = await oauth_code(http, tenant)
    row = await state_row(sessionmaker, settings, state)
    async with transaction(sessionmaker) as session:
        await session.execute(
            update(OAuthState)
            .where(OAuthState.id == row.id)
            .values(expires_at=func.now() - timedelta(seconds=1))
        )

    response = await callback(http, tenant, code, state)

    problem = assert_problem(response, 422)
    assert problem["code"] == "oauth_state_expired"
    assert problem["errors"][0]["field"] == "body.state"
    assert await integration_count(sessionmaker, tenant) == 0


async def test_a_state_whose_signature_expired_is_refused_as_expired(
    http: httpx.AsyncClient,
    tenant: Tenant,
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    code, state = await oauth_code(http, tenant)
    row = await state_row(sessionmaker, settings, state)
    stale = sign_state(
        row.id, datetime.now(UTC) - timedelta(minutes=1), settings.oauth_state_keys[0]
    )

    problem = assert_problem(await callback(http, tenant, code, stale), 422)

    assert problem["code"] == "oauth_state_expired"


async def test_another_accounts_state_is_refused_and_stays_usable_by_its_owner(
    http: httpx.AsyncClient, tenant: Tenant, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    intruder = await create_tenant(sessionmaker, "Intruder")
    code, state = await oauth_code(http, tenant)

    refused = await callback(http, intruder, code, state)

    problem = assert_problem(refused, 422)
    assert problem["code"] == "oauth_state_unknown"
    assert problem["errors"][0]["field"] == "body.state"
    assert await integration_count(sessionmaker, intruder) == 0
    assert (await callback(http, tenant, code, state)).status_code == 201


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda s: s[:-2] + ("AA" if not s.endswith("AA") else "BB"), id="signature"),
        pytest.param(lambda s: s.split(".")[0] + ".e30." + s.split(".")[2], id="claims"),
        pytest.param(lambda s: "not-a-state", id="garbage"),
        pytest.param(
            lambda s: sign_state(uuid.uuid4(), datetime.now(UTC) + timedelta(minutes=5), b"k" * 32),
            id="another-key",
        ),
    ],
)
async def test_a_tampered_state_is_refused(
    http: httpx.AsyncClient,
    tenant: Tenant,
    sessionmaker: async_sessionmaker[AsyncSession],
    tamper: Any,
) -> None:
    code, state = await oauth_code(http, tenant)

    problem = assert_problem(await callback(http, tenant, code, tamper(state)), 422)

    assert problem["code"] == "oauth_state_invalid"
    assert problem["errors"][0]["field"] == "body.state"
    assert await integration_count(sessionmaker, tenant) == 0


async def test_a_state_for_no_row_of_the_account_is_unknown(
    http: httpx.AsyncClient, tenant: Tenant, settings: Settings
) -> None:
    forged = sign_state(
        uuid.uuid4(), datetime.now(UTC) + timedelta(minutes=5), settings.oauth_state_keys[0]
    )

    problem = assert_problem(await callback(http, tenant, "some-code", forged), 422)

    assert problem["code"] == "oauth_state_unknown"


async def test_a_redirect_outside_the_allow_list_is_a_422_and_records_nothing(
    http: httpx.AsyncClient, tenant: Tenant, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    response = await http.post(
        "/v1/integrations/oauth",
        json={"redirect_uri": OAUTH_REDIRECT_URI + "/../evil"},
        headers=tenant.headers,
    )

    problem = assert_problem(response, 422)
    assert problem["code"] == "oauth_redirect_not_allowed"
    assert problem["errors"][0]["field"] == "body.redirect_uri"
    async with sessionmaker() as session:
        states = await session.scalar(
            select(func.count())
            .select_from(OAuthState)
            .where(OAuthState.account_id == tenant.account_id)
        )
    assert states == 0


async def test_a_refused_code_is_a_422_naming_the_code_and_leaves_the_state_usable(
    http: httpx.AsyncClient, tenant: Tenant
) -> None:
    code, state = await oauth_code(http, tenant)

    refused = await callback(http, tenant, "not-a-code", state)

    problem = assert_problem(refused, 422)
    assert problem["code"] == "oauth_code_rejected"
    assert problem["errors"][0]["field"] == "body.code"
    assert "not-a-code" not in refused.text
    assert (await callback(http, tenant, code, state)).status_code == 201


async def test_oauth_to_a_workspace_needing_reauthorisation_restores_it_with_a_200(
    http: httpx.AsyncClient,
    tenant: Tenant,
    sessionmaker: async_sessionmaker[AsyncSession],
    sandbox_workspaces: list[dict[str, Any]],
) -> None:
    workspace = sandbox_workspaces[0]
    first = await callback(http, tenant, *await oauth_code(http, tenant, workspace["app_id"]))
    assert first.status_code == 201, first.text
    async with transaction(sessionmaker) as session:
        await session.execute(
            update(Integration)
            .where(Integration.id == uuid.UUID(first.json()["id"]))
            .values(status=REAUTH_REQUIRED)
        )

    again = await callback(http, tenant, *await oauth_code(http, tenant, workspace["app_id"]))

    assert again.status_code == 200, again.text
    assert (again.json()["id"], again.json()["status"]) == (first.json()["id"], "connected")
    duplicate = await callback(http, tenant, *await oauth_code(http, tenant, workspace["app_id"]))
    assert assert_problem(duplicate, 409)["code"] == "workspace_already_connected"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"redirect_uri": "https://nps.example.com/\x00"}, "body.redirect_uri"),
        ({"redirect_uri": "https://nps.example.com/" + "x" * 3000}, "body.redirect_uri"),
        ({"redirect_uri": 7}, "body.redirect_uri"),
        ({"redirect_uri": OAUTH_REDIRECT_URI, "name": "a\x00b"}, "body.name"),
        ({"redirect_uri": OAUTH_REDIRECT_URI, "name": "x" * 101}, "body.name"),
        ({"redirect_uri": OAUTH_REDIRECT_URI, "scope": "all"}, "body.scope"),
        ({}, "body.redirect_uri"),
    ],
)
async def test_a_bad_oauth_start_is_a_422_naming_the_field(
    http: httpx.AsyncClient, tenant: Tenant, body: dict[str, Any], field: str
) -> None:
    response = await http.post("/v1/integrations/oauth", json=body, headers=tenant.headers)

    problem = assert_problem(response, 422)
    assert field in [error["field"] for error in problem["errors"]]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"code": "cödé", "state": "s"}, "body.code"),
        ({"code": "a\x00b", "state": "s"}, "body.code"),
        ({"code": "x" * 501, "state": "s"}, "body.code"),
        ({"code": 12, "state": "s"}, "body.code"),
        ({"code": "c", "state": "x" * 2001}, "body.state"),
        ({"code": "c", "state": "s\x00"}, "body.state"),
        ({"code": "c", "state": ["s"]}, "body.state"),
        ({"code": "c", "state": "ünïcode"}, "body.state"),
        ({"code": "c", "state": "s", "redirect_uri": OAUTH_REDIRECT_URI}, "body.redirect_uri"),
        ({"state": "s"}, "body.code"),
    ],
)
async def test_a_bad_oauth_callback_is_a_422_naming_the_field(
    http: httpx.AsyncClient, tenant: Tenant, body: dict[str, Any], field: str
) -> None:
    response = await http.post("/v1/integrations/oauth/callback", json=body, headers=tenant.headers)

    problem = assert_problem(response, 422)
    assert field in [error["field"] for error in problem["errors"]]


@pytest.fixture
async def unconfigured_api(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings.model_copy(update={"intercom_client_id": None}))
    async with api_server(app) as url, httpx.AsyncClient(base_url=url, timeout=30) as client:
        yield client


async def test_oauth_without_an_oauth_app_is_a_503_problem(
    unconfigured_api: httpx.AsyncClient, tenant: Tenant
) -> None:
    started = await unconfigured_api.post(
        "/v1/integrations/oauth", json={"redirect_uri": OAUTH_REDIRECT_URI}, headers=tenant.headers
    )
    finished = await unconfigured_api.post(
        "/v1/integrations/oauth/callback", json={"code": "c", "state": "s"}, headers=tenant.headers
    )

    assert assert_problem(started, 503)["code"] == "oauth_not_configured"
    assert assert_problem(finished, 503)["code"] == "oauth_not_configured"


def test_the_authorize_url_is_intercoms_without_a_base_url_override() -> None:
    oauth = IntercomOAuth(httpx.AsyncClient(), client_id="cid", client_secret=SecretStr("secret"))

    url = oauth.authorize_url(state="st.at.e", redirect_uri="https://nps.example.com/cb?x=1")

    assert url.startswith("https://app.intercom.com/oauth?")
    assert parse_qs(urlsplit(url).query) == {
        "client_id": ["cid"],
        "state": ["st.at.e"],
        "redirect_uri": ["https://nps.example.com/cb?x=1"],
    }
    assert "secret" not in url


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (200, {"token_type": "Bearer", "token": "tok-only"}, "tok-only"),
        (200, {"access_token": "access", "token": "other"}, "access"),
        (400, {"type": "error.list", "errors": [{"code": "invalid_grant"}]}, None),
    ],
)
async def test_the_code_exchange_reads_either_token_field_and_posts_a_form(
    status: int, body: dict[str, Any], expected: str | None
) -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(status, json=body)

    async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as http:
        oauth = IntercomOAuth(http, client_id="cid", client_secret=SecretStr("secret"))
        if expected is None:
            with pytest.raises(IntercomInvalidRequest):
                await oauth.exchange_code("the-code")
        else:
            assert await oauth.exchange_code("the-code") == expected

    assert str(seen[0].url) == "https://api.intercom.io/auth/eagle/token"
    assert seen[0].headers["content-type"] == "application/x-www-form-urlencoded"
    assert parse_qs(seen[0].content.decode()) == {
        "code": ["the-code"],
        "client_id": ["cid"],
        "client_secret": ["secret"],
    }


def test_without_a_state_secret_the_state_keys_derive_from_the_encryption_keys(
    settings: Settings,
) -> None:
    derived = settings.model_copy(update={"oauth_state_secret": None})

    keys = derived.oauth_state_keys

    assert len(keys) == len(settings.encryption_keys) >= 1
    assert keys[0] != settings.encryption_keys[0].get_secret_value().encode()
    state = sign_state(uuid.uuid4(), datetime.now(UTC) + timedelta(minutes=1), keys[0])
    assert read_state(state, keys)


async def test_oauth_start_is_a_409_when_two_healthy_workspaces_are_connected(
    http: httpx.AsyncClient, tenant: Tenant, sandbox_workspaces: list[dict[str, Any]]
) -> None:
    for workspace in sandbox_workspaces[:2]:
        connected = await http.post(
            "/v1/integrations",
            json={"access_token": workspace["access_token"]},
            headers=tenant.headers,
        )
        assert connected.status_code == 201, connected.text

    response = await http.post(
        "/v1/integrations/oauth",
        json={"redirect_uri": OAUTH_REDIRECT_URI},
        headers=tenant.headers,
    )

    # Said before the admin goes through Intercom's consent screen, not after.
    assert assert_problem(response, 409)["code"] == "integration_limit_reached"
