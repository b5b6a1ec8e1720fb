"""An integration's settings over HTTP (defaults, replace with ETag and If-Match) and the Intercom
data attributes its mappings can import."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.db import transaction
from app.domain.integrations import attributes as attribute_service
from app.domain.integrations import settings_service
from app.domain.integrations.settings import IntegrationSettings, OnUnsubscribedInIntercom
from app.domain.models import Integration, IntercomAttribute
from app.domain.scope import AccountScope
from tests.fixtures.factories import Tenant, connect_workspace
from tests.test_bad_input import assert_problem

DEFAULTS = {
    "on_deleted_in_intercom": "keep",
    "on_unsubscribed_in_intercom": "unsubscribe",
    "event_on_survey_unsubscribe": {"enabled": False, "event_name": "unsubscribed-from-surveys"},
    "event_on_customer_deleted": {"enabled": False, "event_name": "deleted-from-surveys"},
}
CHANGED = {
    "on_deleted_in_intercom": "delete",
    "on_unsubscribed_in_intercom": "keep",
    "event_on_survey_unsubscribe": {"enabled": True, "event_name": "nps-unsubscribed"},
    "event_on_customer_deleted": {"enabled": True, "event_name": "nps-deleted"},
}


@pytest.fixture
async def integration(
    http: httpx.AsyncClient, tenant: Tenant, sandbox_workspaces: list[dict[str, Any]]
) -> dict[str, Any]:
    return await connect_workspace(http, tenant, sandbox_workspaces[0]["access_token"])


def settings_path(integration: dict[str, Any]) -> str:
    return f"/v1/integrations/{integration['id']}/settings"


async def read(
    http: httpx.AsyncClient, tenant: Tenant, integration: dict[str, Any]
) -> tuple[dict[str, Any], str]:
    response = await http.get(settings_path(integration), headers=tenant.headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body, response.headers["etag"]


async def put(
    http: httpx.AsyncClient,
    tenant: Tenant,
    integration: dict[str, Any],
    body: Any,
    if_match: str | None = None,
) -> httpx.Response:
    headers = dict(tenant.headers)
    if if_match is not None:
        headers["If-Match"] = if_match
    return await http.put(settings_path(integration), json=body, headers=headers)


async def test_settings_never_saved_read_as_the_defaults_at_version_0(
    http: httpx.AsyncClient, tenant: Tenant, integration: dict[str, Any]
) -> None:
    body, etag = await read(http, tenant, integration)
    assert body == DEFAULTS
    assert etag == '"0"'


async def test_settings_round_trip_and_each_save_bumps_the_etag(
    http: httpx.AsyncClient, tenant: Tenant, integration: dict[str, Any]
) -> None:
    saved = await put(http, tenant, integration, CHANGED, if_match='"0"')
    assert saved.status_code == 200, saved.text
    assert saved.json() == CHANGED
    assert saved.headers["etag"] == '"1"'
    assert await read(http, tenant, integration) == (CHANGED, '"1"')

    # Without If-Match the write applies to whatever is current; absent keys take defaults.
    again = await put(http, tenant, integration, {"on_deleted_in_intercom": "unsubscribe"})
    assert again.status_code == 200, again.text
    assert again.headers["etag"] == '"2"'
    assert await read(http, tenant, integration) == (
        {**DEFAULTS, "on_deleted_in_intercom": "unsubscribe"},
        '"2"',
    )
    # If-Match compares strongly: a weak ETag matches nothing; "*" matches any version.
    assert (await put(http, tenant, integration, CHANGED, if_match='W/"2"')).status_code == 412
    assert (await put(http, tenant, integration, CHANGED, if_match="*")).status_code == 200
    assert (await read(http, tenant, integration))[1] == '"3"'


async def test_a_stale_version_is_a_412_and_saves_nothing(
    http: httpx.AsyncClient, tenant: Tenant, integration: dict[str, Any]
) -> None:
    assert (await put(http, tenant, integration, CHANGED, if_match='"0"')).status_code == 200

    stale = await put(http, tenant, integration, DEFAULTS, if_match='"0"')

    body = assert_problem(stale, 412)
    assert body["code"] == "version_mismatch"
    assert body["current_version"] == 1
    assert await read(http, tenant, integration) == (CHANGED, '"1"')


async def test_concurrent_saves_of_one_version_let_exactly_one_through(
    http: httpx.AsyncClient, tenant: Tenant, integration: dict[str, Any]
) -> None:
    bodies = [
        {**DEFAULTS, "event_on_customer_deleted": {"enabled": True, "event_name": f"e{n}"}}
        for n in range(8)
    ]
    responses = await asyncio.gather(
        *(put(http, tenant, integration, body, if_match='"0"') for body in bodies)
    )

    statuses = sorted(response.status_code for response in responses)
    assert statuses == [200] + [412] * 7, [r.text for r in responses]
    winner = next(r for r in responses if r.status_code == 200)
    assert await read(http, tenant, integration) == (winner.json(), '"1"')


@pytest.mark.parametrize("if_match", ['"abc"', "3", '"-1"', '"1', "\u00e9", '"\u00b2"'])
async def test_a_malformed_if_match_is_a_422_and_saves_nothing(
    http: httpx.AsyncClient, tenant: Tenant, integration: dict[str, Any], if_match: str
) -> None:
    # Raw bytes: a non-ASCII header value is sent as its UTF-8, as a browser might.
    headers = [
        *((name.encode(), value.encode()) for name, value in tenant.headers.items()),
        (b"If-Match", if_match.encode()),
    ]
    response = await http.put(settings_path(integration), json=CHANGED, headers=headers)

    body = assert_problem(response, 422)
    assert body["errors"][0]["field"] == "header.if-match"
    assert await read(http, tenant, integration) == (DEFAULTS, '"0"')


def _event(**values: Any) -> dict[str, Any]:
    return {**DEFAULTS, "event_on_survey_unsubscribe": values}


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({**DEFAULTS, "extra": 1}, {"body.extra"}),
        ({**DEFAULTS, "on_deleted_in_intercom": "remove"}, {"body.on_deleted_in_intercom"}),
        ({**DEFAULTS, "on_deleted_in_intercom": None}, {"body.on_deleted_in_intercom"}),
        ({**DEFAULTS, "on_unsubscribed_in_intercom": 1}, {"body.on_unsubscribed_in_intercom"}),
        (
            _event(enabled="yes", event_name="x"),
            {"body.event_on_survey_unsubscribe.enabled"},
        ),
        (_event(enabled=1, event_name="x"), {"body.event_on_survey_unsubscribe.enabled"}),
        (_event(enabled=True), {"body.event_on_survey_unsubscribe.event_name"}),
        (
            _event(enabled=True, event_name="a\x00b"),
            {"body.event_on_survey_unsubscribe.event_name"},
        ),
        (
            _event(enabled=True, event_name="x" * 256),
            {"body.event_on_survey_unsubscribe.event_name"},
        ),
        (_event(enabled=True, event_name="  "), {"body.event_on_survey_unsubscribe.event_name"}),
        (
            _event(enabled=True, event_name="x", extra=True),
            {"body.event_on_survey_unsubscribe.extra"},
        ),
        ({**DEFAULTS, "event_on_customer_deleted": "on"}, {"body.event_on_customer_deleted"}),
        (
            {
                **DEFAULTS,
                "on_deleted_in_intercom": "nope",
                "event_on_customer_deleted": {"enabled": "no", "event_name": ""},
            },
            {
                "body.on_deleted_in_intercom",
                "body.event_on_customer_deleted.enabled",
                "body.event_on_customer_deleted.event_name",
            },
        ),
        ([CHANGED], {"body"}),
        ("x" * 100_000, {"body"}),
    ],
)
async def test_invalid_settings_are_a_422_naming_each_field_and_save_nothing(
    http: httpx.AsyncClient,
    tenant: Tenant,
    integration: dict[str, Any],
    body: Any,
    fields: set[str],
) -> None:
    response = await put(http, tenant, integration, body, if_match='"0"')

    problem = assert_problem(response, 422)
    assert {error["field"] for error in problem["errors"]} == fields
    assert await read(http, tenant, integration) == (DEFAULTS, '"0"')


async def test_a_disconnected_integration_has_no_settings_nor_attributes(
    http: httpx.AsyncClient, tenant: Tenant, integration: dict[str, Any]
) -> None:
    disconnected = await http.delete(
        f"/v1/integrations/{integration['id']}", headers=tenant.headers
    )
    assert disconnected.status_code == 200, disconnected.text

    assert_problem(await http.get(settings_path(integration), headers=tenant.headers), 404)
    assert_problem(await put(http, tenant, integration, CHANGED), 404)
    attributes = f"/v1/integrations/{integration['id']}/attributes"
    assert_problem(await http.get(attributes, headers=tenant.headers), 404)
    unknown = f"/v1/integrations/{uuid.uuid4()}/settings"
    assert_problem(await http.get(unknown, headers=tenant.headers), 404)


async def test_settings_of_reads_stored_values_over_defaults_and_survives_stale_ones(
    tenant: Tenant, integration: dict[str, Any], sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    account = AccountScope(tenant.account_id)
    integration_id = uuid.UUID(integration["id"])
    async with transaction(sessionmaker) as session:
        await session.execute(
            update(Integration)
            .where(Integration.id == integration_id)
            .values(
                settings={
                    "on_unsubscribed_in_intercom": "keep",
                    "on_deleted_in_intercom": "a value since retired",
                    "a_setting_since_removed": True,
                }
            )
        )
    async with sessionmaker() as session:
        row = await session.scalar(select(Integration).where(Integration.id == integration_id))
        assert row is not None
        settings = await settings_service.settings_of(session, account, row)

    assert settings.on_unsubscribed_in_intercom == OnUnsubscribedInIntercom.KEEP
    assert settings.on_deleted_in_intercom == IntegrationSettings().on_deleted_in_intercom
    assert settings.event_on_customer_deleted == IntegrationSettings().event_on_customer_deleted


async def test_attributes_list_what_intercom_has_standard_first_archived_flagged(
    http: httpx.AsyncClient,
    tenant: Tenant,
    integration: dict[str, Any],
    sandbox_url: str,
    sandbox_workspaces: list[dict[str, Any]],
) -> None:
    async with httpx.AsyncClient(base_url=sandbox_url) as intercom:
        remote = await intercom.get(
            "/data_attributes",
            params={"model": "contact", "include_archived": "true"},
            headers={"Authorization": f"Bearer {sandbox_workspaces[0]['access_token']}"},
        )
    assert remote.status_code == 200, remote.text
    expected = {
        a["full_name"]: (a["label"], a["data_type"], a["custom"], a["archived"])
        for a in remote.json()["data"]
    }

    response = await http.get(
        f"/v1/integrations/{integration['id']}/attributes", headers=tenant.headers
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["next_cursor"] is None
    data = body["data"]
    assert {a["name"]: (a["label"], a["type"], a["custom"], a["archived"]) for a in data} == (
        expected
    )
    assert len(data) == len(expected)
    assert set(data[0]) == {"name", "label", "type", "custom", "archived", "description"}
    order = [(a["custom"], a["name"]) for a in data]
    assert order == sorted(order)
    assert any(a["archived"] for a in data)
    assert not data[0]["custom"]

    without = await http.get(
        f"/v1/integrations/{integration['id']}/attributes",
        params={"include_archived": "false"},
        headers=tenant.headers,
    )
    assert [a["name"] for a in without.json()["data"]] == [
        a["name"] for a in data if not a["archived"]
    ]
    bad = await http.get(
        f"/v1/integrations/{integration['id']}/attributes",
        params={"include_archived": "maybe"},
        headers=tenant.headers,
    )
    assert assert_problem(bad, 422)["errors"][0]["field"] == "query.include_archived"


async def test_attributes_removed_in_intercom_leave_the_list_but_not_attributes_of(
    http: httpx.AsyncClient,
    tenant: Tenant,
    integration: dict[str, Any],
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    integration_id = uuid.UUID(integration["id"])
    async with transaction(sessionmaker) as session:
        removed = await session.scalar(
            update(IntercomAttribute)
            .where(
                IntercomAttribute.integration_id == integration_id,
                IntercomAttribute.custom.is_(True),
                IntercomAttribute.archived.is_(False),
            )
            .values(removed_at=IntercomAttribute.refreshed_at)
            .returning(IntercomAttribute.name)
        )
    assert removed is not None

    response = await http.get(
        f"/v1/integrations/{integration['id']}/attributes", headers=tenant.headers
    )
    assert removed not in [a["name"] for a in response.json()["data"]]
    async with sessionmaker() as session:
        infos = await attribute_service.attributes_of(
            session, AccountScope(tenant.account_id), integration_id
        )
    flagged = [info for info in infos if info.removed]
    assert removed in [info.name for info in flagged]
    assert len(infos) == len(response.json()["data"]) + len(flagged)
