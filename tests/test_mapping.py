"""A list's mapping over HTTP: suggestions with their reasons against the sandbox's attributes,
the default mapping, saving with inline properties, every refusal saving nothing, and the first
sync that needs a confirmed mapping (its run's config and warnings)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.db import transaction
from app.domain.models import CustomProperty, Integration, IntercomAttribute, SyncRun
from tests.fixtures.factories import (
    USE_DEFAULT_MAPPING,
    Tenant,
    connect_workspace,
    segments_of,
    sync_run,
)
from tests.test_bad_input import assert_problem

STANDARD = {
    "email": "email",
    "name": "full_name",
    "phone": "phone",
    "location.country": "country",
    "location.city": "city",
    "browser_language": "language",
    "signed_up_at": "signed_up_at",
    "last_seen_at": "last_seen_at",
}
EMAIL = {"attribute": "email", "property": "email"}


async def lists(
    http: httpx.AsyncClient, tenant: Tenant, token: str
) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    integration = await connect_workspace(http, tenant, token)
    segments = await segments_of(http, tenant, integration["id"])
    return integration, {s["kind"]: s for s in segments if s["kind"] in ("users", "leads")}


def mapping_url(segment: dict[str, Any]) -> str:
    return f"/v1/segments/{segment['id']}/mapping"


async def suggestions_of(
    http: httpx.AsyncClient, tenant: Tenant, segment: dict[str, Any]
) -> dict[str, dict[str, Any]]:
    response = await http.get(f"{mapping_url(segment)}/suggestions", headers=tenant.headers)
    assert response.status_code == 200, response.text
    return {item["attribute"]: item for item in response.json()["data"]}


async def put_mapping(
    http: httpx.AsyncClient,
    tenant: Tenant,
    segment: dict[str, Any],
    entries: list[dict[str, Any]],
    if_match: str | None = None,
) -> httpx.Response:
    headers = {**tenant.headers, **({"If-Match": if_match} if if_match else {})}
    return await http.put(mapping_url(segment), json={"entries": entries}, headers=headers)


async def custom_properties(
    sessionmaker: async_sessionmaker[AsyncSession], tenant: Tenant
) -> dict[str, tuple[str, str]]:
    async with sessionmaker() as session:
        rows = await session.scalars(
            select(CustomProperty).where(CustomProperty.account_id == tenant.account_id)
        )
        return {row.key: (row.label, row.type) for row in rows}


async def test_suggestions_map_standard_attributes_and_propose_properties_for_custom_ones(
    http: httpx.AsyncClient, tenant: Tenant, sandbox_workspaces: list[dict[str, Any]]
) -> None:
    _, by_kind = await lists(http, tenant, sandbox_workspaces[0]["access_token"])

    suggested = await suggestions_of(http, tenant, by_kind["users"])

    for attribute, key in STANDARD.items():
        assert suggested[attribute]["property"] == key, attribute
        assert suggested[attribute]["reason"] == "standard_attribute"
    proposals = {
        name.removeprefix("custom_attributes."): (item["reason"], item["create"])
        for name, item in suggested.items()
        if item["custom"] and not item["archived"]
    }
    assert proposals == {
        "plan": ("no_match", {"key": "plan", "label": "Plan", "type": "text"}),
        "seats": ("no_match", {"key": "seats", "label": "Seats", "type": "number"}),
        "mrr": ("no_match", {"key": "mrr", "label": "Monthly revenue", "type": "number"}),
        "beta_tester": (
            "no_match",
            {"key": "beta_tester", "label": "Beta tester", "type": "boolean"},
        ),
        "renewal_date": (
            "no_match",
            {"key": "renewal_date", "label": "Renewal date", "type": "date"},
        ),
        "account_manager": (
            "no_match",
            {"key": "account_manager", "label": "Account manager", "type": "text"},
        ),
    }
    legacy = suggested["custom_attributes.legacy_score"]
    assert (legacy["reason"], legacy["property"], legacy["create"]) == ("archived", None, None)
    # A standard attribute with no default property is suggested nothing.
    assert (suggested["os"]["reason"], suggested["os"]["property"]) == ("no_match", None)


async def test_custom_attributes_are_suggested_properties_by_key_then_label_if_types_convert(
    http: httpx.AsyncClient, tenant: Tenant, sandbox_workspaces: list[dict[str, Any]]
) -> None:
    _, by_kind = await lists(http, tenant, sandbox_workspaces[0]["access_token"])
    saved = await put_mapping(
        http,
        tenant,
        by_kind["users"],
        [
            EMAIL,
            {
                "attribute": "custom_attributes.plan",
                "create_property": {"key": "plan", "label": "Plan", "type": "text"},
            },
            {
                "attribute": "custom_attributes.mrr",
                "create_property": {"key": "revenue", "label": "Monthly Revenue", "type": "number"},
            },
            # A text property keyed like the integer attribute `seats`: not suggested for it.
            {
                "attribute": "custom_attributes.account_manager",
                "create_property": {"key": "seats", "label": "Seat owner", "type": "text"},
            },
        ],
    )
    assert saved.status_code == 200, saved.text

    suggested = await suggestions_of(http, tenant, by_kind["leads"])

    assert (
        suggested["custom_attributes.plan"]["reason"],
        suggested["custom_attributes.plan"]["property"],
    ) == ("same_key", "plan")
    assert (
        suggested["custom_attributes.mrr"]["reason"],
        suggested["custom_attributes.mrr"]["property"],
    ) == ("same_label", "revenue")
    seats = suggested["custom_attributes.seats"]
    assert (seats["reason"], seats["property"]) == ("no_match", None)
    assert seats["create"] == {"key": "seats_2", "label": "Seats", "type": "number"}
    # The default mapping of a list never mapped takes the matches.
    mapping = (await http.get(mapping_url(by_kind["leads"]), headers=tenant.headers)).json()
    pairs = {(e["attribute"], e["property"]) for e in mapping["entries"]}
    assert ("custom_attributes.plan", "plan") in pairs
    assert ("custom_attributes.mrr", "revenue") in pairs


async def test_a_list_never_mapped_reads_the_default_mapping_unconfirmed(
    http: httpx.AsyncClient, tenant: Tenant, sandbox_workspaces: list[dict[str, Any]]
) -> None:
    _, by_kind = await lists(http, tenant, sandbox_workspaces[0]["access_token"])

    response = await http.get(mapping_url(by_kind["users"]), headers=tenant.headers)

    assert response.status_code == 200, response.text
    assert response.headers["etag"] == '"0"'
    body = response.json()
    assert (body["version"], body["confirmed"], body["saved"]) == (0, False, False)
    entries = {e["attribute"]: e for e in body["entries"]}
    assert {name: e["property"] for name, e in entries.items()} == STANDARD
    assert entries["email"] | {} == {
        "attribute": "email",
        "attribute_label": "Email",
        "attribute_type": "string",
        "property": "email",
        "property_type": "text",
        "conversion": "text",
        "target": "email",
        "archived": False,
        "removed": False,
    }
    assert entries["signed_up_at"]["conversion"] == "date_from_unix"
    assert entries["name"]["target"] == "name"
    assert by_kind["users"]["mapping_confirmed"] is False


async def test_saving_a_mapping_creates_its_new_properties_confirms_it_and_bumps_the_version(
    http: httpx.AsyncClient,
    tenant: Tenant,
    sessionmaker: async_sessionmaker[AsyncSession],
    sandbox_workspaces: list[dict[str, Any]],
) -> None:
    _, by_kind = await lists(http, tenant, sandbox_workspaces[0]["access_token"])
    users = by_kind["users"]

    response = await put_mapping(
        http,
        tenant,
        users,
        [
            EMAIL,
            {"attribute": "name", "property": "full_name"},
            {
                "attribute": "custom_attributes.seats",
                "create_property": {"key": "seats", "label": "Seats", "type": "number"},
            },
            # A string attribute converts into a number property.
            {
                "attribute": "custom_attributes.plan",
                "create_property": {"key": "plan_code", "label": "Plan code", "type": "number"},
            },
            # An archived attribute may be mapped; it says so.
            {
                "attribute": "custom_attributes.legacy_score",
                "create_property": {"key": "legacy", "label": "Legacy", "type": "number"},
            },
        ],
        if_match='"0"',
    )

    assert response.status_code == 200, response.text
    assert response.headers["etag"] == '"1"'
    body = response.json()
    assert (body["version"], body["confirmed"], body["saved"]) == (1, True, True)
    entries = {e["attribute"]: e for e in body["entries"]}
    assert entries["custom_attributes.plan"]["conversion"] == "number_from_text"
    assert entries["custom_attributes.seats"]["target"] == "properties"
    assert entries["custom_attributes.legacy_score"]["archived"] is True
    assert await custom_properties(sessionmaker, tenant) == {
        "seats": ("Seats", "number"),
        "plan_code": ("Plan code", "number"),
        "legacy": ("Legacy", "number"),
    }
    read = await http.get(mapping_url(users), headers=tenant.headers)
    assert read.headers["etag"] == '"1"'
    assert read.json() == body
    segment = (await http.get(f"/v1/segments/{users['id']}", headers=tenant.headers)).json()
    assert segment["mapping_confirmed"] is True

    # The version read is now stale.
    stale = await put_mapping(http, tenant, users, [EMAIL], if_match='"0"')
    assert assert_problem(stale, 412)["current_version"] == 1
    again = await put_mapping(http, tenant, users, [EMAIL], if_match='"1"')
    assert again.status_code == 200, again.text
    assert again.json()["version"] == 2


async def test_an_invalid_mapping_is_a_422_naming_every_entry_at_fault_and_saves_nothing(
    http: httpx.AsyncClient,
    tenant: Tenant,
    sessionmaker: async_sessionmaker[AsyncSession],
    sandbox_workspaces: list[dict[str, Any]],
) -> None:
    _, by_kind = await lists(http, tenant, sandbox_workspaces[0]["access_token"])
    users = by_kind["users"]

    response = await put_mapping(
        http,
        tenant,
        users,
        [
            {
                "attribute": "custom_attributes.plan",
                "create_property": {"key": "plan", "label": "Plan", "type": "text"},
            },
            {"attribute": "custom_attributes.nope", "property": "company"},
            {"attribute": "name", "property": "no_such_property"},
            {"attribute": "custom_attributes.seats", "property": "full_name"},
            {"attribute": "custom_attributes.account_manager", "property": "plan"},
            {
                "attribute": "phone",
                "create_property": {"key": "city", "label": "City", "type": "text"},
            },
        ],
    )

    body = assert_problem(response, 422)
    messages = {error["field"]: error["message"] for error in body["errors"]}
    assert set(messages) == {
        "body.entries.1.attribute",
        "body.entries.2.property",
        "body.entries.3.property",
        "body.entries.4.property",
        "body.entries.5.create_property.key",
        "body.entries",
    }
    assert "custom_attributes.nope" in messages["body.entries.1.attribute"]
    assert "no_such_property" in messages["body.entries.2.property"]
    assert "custom_attributes.seats" in messages["body.entries.3.property"]
    assert "integer" in messages["body.entries.3.property"]
    assert "full_name" in messages["body.entries.3.property"]
    assert "body.entries.0" in messages["body.entries.4.property"]
    assert "default property" in messages["body.entries.5.create_property.key"]
    assert "email" in messages["body.entries"]
    mapping = (await http.get(mapping_url(users), headers=tenant.headers)).json()
    assert (mapping["version"], mapping["saved"], mapping["confirmed"]) == (0, False, False)
    assert await custom_properties(sessionmaker, tenant) == {}


async def test_email_must_come_from_a_string_attribute(
    http: httpx.AsyncClient, tenant: Tenant, sandbox_workspaces: list[dict[str, Any]]
) -> None:
    _, by_kind = await lists(http, tenant, sandbox_workspaces[0]["access_token"])

    response = await put_mapping(
        http, tenant, by_kind["users"], [{"attribute": "last_seen_at", "property": "email"}]
    )

    [error] = assert_problem(response, 422)["errors"]
    assert error["field"] == "body.entries.0.property"
    assert "last_seen_at" in error["message"]


async def test_a_property_to_create_whose_key_exists_is_a_409_and_saves_nothing(
    http: httpx.AsyncClient,
    tenant: Tenant,
    sessionmaker: async_sessionmaker[AsyncSession],
    sandbox_workspaces: list[dict[str, Any]],
) -> None:
    _, by_kind = await lists(http, tenant, sandbox_workspaces[0]["access_token"])
    plan = {
        "attribute": "custom_attributes.plan",
        "create_property": {"key": "plan", "label": "Plan", "type": "text"},
    }
    assert (await put_mapping(http, tenant, by_kind["users"], [EMAIL, plan])).status_code == 200

    clash = {
        "attribute": "custom_attributes.account_manager",
        "create_property": {"key": "plan", "label": "Plan again", "type": "text"},
    }
    seats = {
        "attribute": "custom_attributes.seats",
        "create_property": {"key": "seats", "label": "Seats", "type": "number"},
    }
    response = await put_mapping(http, tenant, by_kind["leads"], [EMAIL, seats, clash])

    body = assert_problem(response, 409)
    assert (body["code"], body["key"]) == ("property_key_taken", "plan")
    assert body["field"] == "body.entries.2.create_property.key"
    assert set(await custom_properties(sessionmaker, tenant)) == {"plan"}
    leads = (await http.get(mapping_url(by_kind["leads"]), headers=tenant.headers)).json()
    assert leads["saved"] is False


async def test_a_removed_attribute_cannot_be_mapped(
    http: httpx.AsyncClient,
    tenant: Tenant,
    sessionmaker: async_sessionmaker[AsyncSession],
    sandbox_workspaces: list[dict[str, Any]],
) -> None:
    integration, by_kind = await lists(http, tenant, sandbox_workspaces[0]["access_token"])
    await mark_removed(sessionmaker, integration, "custom_attributes.plan")

    response = await put_mapping(
        http,
        tenant,
        by_kind["users"],
        [EMAIL, {"attribute": "custom_attributes.plan", "property": "company"}],
    )

    [error] = assert_problem(response, 422)["errors"]
    assert error["field"] == "body.entries.1.attribute"
    assert "removed" in error["message"]
    suggested = await suggestions_of(http, tenant, by_kind["users"])
    assert suggested["custom_attributes.plan"]["reason"] == "removed"


async def test_malformed_mappings_and_if_match_headers_are_422s(
    http: httpx.AsyncClient, tenant: Tenant, sandbox_workspaces: list[dict[str, Any]]
) -> None:
    _, by_kind = await lists(http, tenant, sandbox_workspaces[0]["access_token"])
    users = by_kind["users"]
    both = {
        "attribute": "name",
        "property": "full_name",
        "create_property": {"key": "n", "label": "N", "type": "text"},
    }
    bad_key = {
        "attribute": "name",
        "create_property": {"key": "Full Name", "label": "N", "type": "text"},
    }
    cases: list[tuple[list[dict[str, Any]], str]] = [
        ([EMAIL, both], "body.entries.1"),
        ([EMAIL, {"attribute": "name"}], "body.entries.1"),
        ([EMAIL, {**EMAIL, "extra": 1}], "body.entries.1.extra"),
        ([EMAIL, bad_key], "body.entries.1.create_property.key"),
        ([EMAIL] * 501, "body.entries"),
    ]
    for entries, field in cases:
        body = assert_problem(await put_mapping(http, tenant, users, entries), 422)
        assert field in [error["field"] for error in body["errors"]], (field, body)

    bad_tag = await put_mapping(http, tenant, users, [EMAIL], if_match="3")
    [error] = assert_problem(bad_tag, 422)["errors"]
    assert error["field"] == "header.if-match"
    mapping = (await http.get(mapping_url(users), headers=tenant.headers)).json()
    assert mapping["saved"] is False


async def test_sync_now_of_a_list_never_mapped_offers_two_choices_and_the_flag_confirms_it(
    http: httpx.AsyncClient,
    tenant: Tenant,
    sessionmaker: async_sessionmaker[AsyncSession],
    sandbox_workspaces: list[dict[str, Any]],
) -> None:
    _, by_kind = await lists(http, tenant, sandbox_workspaces[0]["access_token"])
    users = by_kind["users"]

    refused = await http.post(f"/v1/segments/{users['id']}/syncs", headers=tenant.headers)

    body = assert_problem(refused, 409)
    assert body["code"] == "mapping_not_confirmed"
    assert body["choices"] == ["use_default_mapping", "map_first"]
    assert body["mapping_url"] == mapping_url(users)
    async with sessionmaker() as session:
        runs = await session.scalar(
            select(func.count()).select_from(SyncRun).where(SyncRun.account_id == tenant.account_id)
        )
    assert runs == 0

    started = await http.post(
        f"/v1/segments/{users['id']}/syncs", json=USE_DEFAULT_MAPPING, headers=tenant.headers
    )

    assert started.status_code == 202, started.text
    mapping = (await http.get(mapping_url(users), headers=tenant.headers)).json()
    assert (mapping["version"], mapping["saved"], mapping["confirmed"]) == (1, True, True)
    assert {e["attribute"]: e["property"] for e in mapping["entries"]} == STANDARD
    run = await sync_run(sessionmaker, uuid.UUID(started.json()["id"]))
    assert run.config is not None
    assert run.config["duplicates"] == "update"
    assert run.config["tag"] is None
    assert run.config["unsubscribe_from_intercom"] is True
    mapped = {m["attribute"]: m for m in run.config["mapping"]}
    assert set(mapped) == set(STANDARD)
    assert mapped["email"] == {
        "attribute": "email",
        "property": "email",
        "conversion": "text",
        "target": "email",
        "attribute_type": "string",
        "archived": False,
    }
    assert mapped["last_seen_at"]["conversion"] == "date_from_unix"
    assert mapped["location.country"]["target"] == "properties"
    assert run.warnings == []


async def test_a_run_fixes_mapping_settings_and_policy_and_warns_of_archived_and_removed(
    http: httpx.AsyncClient,
    tenant: Tenant,
    sessionmaker: async_sessionmaker[AsyncSession],
    sandbox_workspaces: list[dict[str, Any]],
) -> None:
    integration, by_kind = await lists(http, tenant, sandbox_workspaces[0]["access_token"])
    users = by_kind["users"]
    saved = await put_mapping(
        http,
        tenant,
        users,
        [
            EMAIL,
            {
                "attribute": "custom_attributes.legacy_score",
                "create_property": {"key": "legacy", "label": "Legacy", "type": "number"},
            },
            {
                "attribute": "custom_attributes.account_manager",
                "create_property": {"key": "manager", "label": "Manager", "type": "text"},
            },
            {
                "attribute": "custom_attributes.renewal_date",
                "create_property": {"key": "renewal", "label": "Renewal", "type": "date"},
            },
        ],
    )
    assert saved.status_code == 200, saved.text
    settings = await http.put(
        f"/v1/segments/{users['id']}/settings",
        json={"duplicates": "skip", "tag": "From Intercom"},
        headers=tenant.headers,
    )
    assert settings.status_code == 200, settings.text
    await mark_removed(sessionmaker, integration, "custom_attributes.account_manager")
    async with transaction(sessionmaker) as session:
        await session.execute(
            update(Integration)
            .where(Integration.id == uuid.UUID(integration["id"]))
            .values(settings={"on_unsubscribed_in_intercom": "keep"})
        )

    started = await http.post(f"/v1/segments/{users['id']}/syncs", headers=tenant.headers)

    assert started.status_code == 202, started.text
    run = await sync_run(sessionmaker, uuid.UUID(started.json()["id"]))
    assert run.config is not None
    assert run.config["mapping"] == [
        {
            "attribute": "email",
            "property": "email",
            "conversion": "text",
            "target": "email",
            "attribute_type": "string",
            "archived": False,
        },
        {
            "attribute": "custom_attributes.legacy_score",
            "property": "legacy",
            "conversion": "number",
            "target": "properties",
            "attribute_type": "integer",
            # Archived in Intercom: still imported, never pushed into its search.
            "archived": True,
        },
        {
            "attribute": "custom_attributes.renewal_date",
            "property": "renewal",
            "conversion": "date_from_unix",
            "target": "properties",
            "attribute_type": "date",
            "archived": False,
        },
    ]
    assert (run.config["duplicates"], run.config["tag"]) == ("skip", "From Intercom")
    assert run.config["unsubscribe_from_intercom"] is False
    assert run.warnings == [
        {"code": "attribute_archived", "attribute": "custom_attributes.legacy_score"},
        {"code": "attribute_removed", "attribute": "custom_attributes.account_manager"},
    ]
    mapping = (await http.get(mapping_url(users), headers=tenant.headers)).json()
    removed = next(e for e in mapping["entries"] if e["property"] == "manager")
    assert removed["removed"] is True


async def test_switching_auto_sync_on_for_a_list_never_mapped_needs_the_default_mapping_flag(
    http: httpx.AsyncClient, tenant: Tenant, sandbox_workspaces: list[dict[str, Any]]
) -> None:
    _, by_kind = await lists(http, tenant, sandbox_workspaces[0]["access_token"])
    users = by_kind["users"]
    url = f"/v1/segments/{users['id']}"

    refused = await http.patch(url, json={"auto_sync": True}, headers=tenant.headers)

    body = assert_problem(refused, 409)
    assert (body["code"], body["choices"]) == (
        "mapping_not_confirmed",
        ["use_default_mapping", "map_first"],
    )
    assert (await http.get(url, headers=tenant.headers)).json()["auto_sync"] is False

    accepted = await http.patch(
        url, json={"auto_sync": True, "use_default_mapping": True}, headers=tenant.headers
    )

    assert accepted.status_code == 200, accepted.text
    assert (accepted.json()["auto_sync"], accepted.json()["mapping_confirmed"]) == (True, True)
    mapping = (await http.get(mapping_url(users), headers=tenant.headers)).json()
    assert (mapping["saved"], mapping["confirmed"]) == (True, True)
    # Once confirmed, the flag is no longer needed.
    off = await http.patch(url, json={"auto_sync": False}, headers=tenant.headers)
    assert off.status_code == 200, off.text
    on = await http.patch(url, json={"auto_sync": True}, headers=tenant.headers)
    assert on.status_code == 200, on.text


async def mark_removed(
    sessionmaker: async_sessionmaker[AsyncSession], integration: dict[str, Any], name: str
) -> None:
    async with transaction(sessionmaker) as session:
        await session.execute(
            update(IntercomAttribute)
            .where(
                IntercomAttribute.integration_id == uuid.UUID(integration["id"]),
                IntercomAttribute.name == name,
            )
            .values(removed_at=datetime.now(UTC))
        )


async def test_a_property_deleted_while_a_mapping_names_it_fails_one_of_the_two(
    http: httpx.AsyncClient, tenant: Tenant, sandbox_workspaces: list[dict[str, Any]]
) -> None:
    _, main = await lists(http, tenant, sandbox_workspaces[0]["access_token"])
    for attempt in range(8):
        key = f"race_{attempt}"
        created = await http.post(
            "/v1/properties",
            json={"key": key, "label": "Race", "type": "text"},
            headers=tenant.headers,
        )
        assert created.status_code == 201, created.text
        saved, deleted = await asyncio.gather(
            put_mapping(
                http, tenant, main["users"], [EMAIL, {"attribute": "role", "property": key}]
            ),
            http.delete(f"/v1/properties/{key}", headers=tenant.headers),
        )
        # Never both: a mapping naming a property that no longer exists.
        assert (saved.status_code, deleted.status_code) in ((200, 409), (422, 204)), (
            saved.text,
            deleted.text,
        )


async def test_tags_are_set_by_a_lists_settings_not_by_a_mapping(
    http: httpx.AsyncClient, tenant: Tenant, sandbox_workspaces: list[dict[str, Any]]
) -> None:
    _, main = await lists(http, tenant, sandbox_workspaces[0]["access_token"])

    response = await put_mapping(
        http, tenant, main["users"], [EMAIL, {"attribute": "name", "property": "tags"}]
    )

    problem = assert_problem(response, 422)
    assert problem["errors"][0]["field"] == "body.entries.1.property"
    suggestions = await suggestions_of(http, tenant, main["users"])
    assert all(item.get("property") != "tags" for item in suggestions.values())


@pytest.mark.parametrize("if_match", ['W/"{v}"', '"99999999999999999999"', '"{w}"'])
async def test_an_if_match_that_names_no_current_version_is_a_412(
    http: httpx.AsyncClient,
    tenant: Tenant,
    sandbox_workspaces: list[dict[str, Any]],
    if_match: str,
) -> None:
    _, main = await lists(http, tenant, sandbox_workspaces[0]["access_token"])
    read = await http.get(mapping_url(main["users"]), headers=tenant.headers)
    version = int(read.headers["etag"].strip('"'))

    response = await put_mapping(
        http, tenant, main["users"], [EMAIL], if_match.format(v=version, w=version + 1)
    )

    assert assert_problem(response, 412)["code"] == "version_mismatch"
