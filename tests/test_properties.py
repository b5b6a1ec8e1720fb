"""Customer properties over HTTP: the default catalog, custom properties' create, rename and
delete, keys unique per account without regard to case, and deletes refused while a mapping
uses the property."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.db import transaction
from app.domain.models import CustomProperty, Segment
from app.domain.properties import service as property_service
from app.domain.properties.catalog import DEFAULT_PROPERTIES, PropertyType
from app.domain.properties.errors import PropertyKeyReserved, PropertyKeyTaken
from app.domain.scope import AccountScope
from tests.fixtures.factories import Tenant, create_tenant, first_segment
from tests.test_bad_input import assert_problem


async def create(
    http: httpx.AsyncClient, tenant: Tenant, key: str, label: str = "Plan", type: str = "text"
) -> httpx.Response:
    return await http.post(
        "/v1/properties", json={"key": key, "label": label, "type": type}, headers=tenant.headers
    )


async def listed(http: httpx.AsyncClient, tenant: Tenant) -> list[dict[str, Any]]:
    response = await http.get("/v1/properties", headers=tenant.headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["next_cursor"] is None
    data: list[dict[str, Any]] = body["data"]
    return data


async def custom_count(sessionmaker: async_sessionmaker[AsyncSession], tenant: Tenant) -> int:
    async with sessionmaker() as session:
        count = await session.scalar(
            select(func.count())
            .select_from(CustomProperty)
            .where(CustomProperty.account_id == tenant.account_id)
        )
    return int(count or 0)


async def test_a_new_account_lists_the_default_properties_read_only(
    http: httpx.AsyncClient, tenant: Tenant
) -> None:
    data = await listed(http, tenant)

    assert [p["key"] for p in data] == [p.key for p in DEFAULT_PROPERTIES]
    assert all(p["kind"] == "default" and p["id"] is None for p in data)
    assert data[0] == {
        "key": "email",
        "label": "Email",
        "type": "text",
        "kind": "default",
        "id": None,
    }


async def test_a_custom_property_is_created_listed_after_the_defaults_renamed_and_deleted(
    http: httpx.AsyncClient, tenant: Tenant
) -> None:
    response = await create(http, tenant, "plan_tier", "Plan tier", "number")
    assert response.status_code == 201, response.text
    created = response.json()
    assert response.headers["location"] == "/v1/properties/plan_tier"
    assert created["key"] == "plan_tier"
    assert created["label"] == "Plan tier"
    assert created["type"] == "number"
    assert created["kind"] == "custom"
    uuid.UUID(created["id"])
    await create(http, tenant, "a_first", "A first")

    keys = [p["key"] for p in await listed(http, tenant)]
    assert keys == [p.key for p in DEFAULT_PROPERTIES] + ["a_first", "plan_tier"]

    renamed = await http.patch(
        "/v1/properties/plan_tier", json={"label": "  Tier  "}, headers=tenant.headers
    )
    assert renamed.status_code == 200, renamed.text
    assert renamed.json() == {**created, "label": "Tier"}
    read = await http.get("/v1/properties/plan_tier", headers=tenant.headers)
    assert read.json() == {**created, "label": "Tier"}

    deleted = await http.delete("/v1/properties/plan_tier", headers=tenant.headers)
    assert deleted.status_code == 204
    assert deleted.content == b""
    assert "content-type" not in deleted.headers
    assert [p["key"] for p in await listed(http, tenant)][-1] == "a_first"
    assert_problem(await http.get("/v1/properties/plan_tier", headers=tenant.headers), 404)
    # The key is free again.
    assert (await create(http, tenant, "plan_tier")).status_code == 201


async def test_each_account_has_its_own_keys(
    http: httpx.AsyncClient, tenant: Tenant, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    other = await create_tenant(sessionmaker)
    assert (await create(http, tenant, "region")).status_code == 201
    assert (await create(http, other, "region")).status_code == 201
    assert [p["key"] for p in await listed(http, other)].count("region") == 1


async def test_a_taken_key_is_a_409_and_ten_concurrent_creates_make_one_property(
    http: httpx.AsyncClient, tenant: Tenant, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    responses = await asyncio.gather(
        *(create(http, tenant, "seats", f"Seats {n}") for n in range(10))
    )

    statuses = sorted(response.status_code for response in responses)
    assert statuses == [201] + [409] * 9, [r.text for r in responses]
    for response in responses:
        if response.status_code == 409:
            assert assert_problem(response, 409)["code"] == "property_key_taken"
    assert await custom_count(sessionmaker, tenant) == 1
    # The session of a refused create is not poisoned: the same request type works afterwards.
    assert (await create(http, tenant, "seats_2")).status_code == 201


async def test_keys_are_unique_without_regard_to_case_in_the_domain(
    sessionmaker: async_sessionmaker[AsyncSession], tenant: Tenant
) -> None:
    """Keys over HTTP are lower case; the unique index compares without case, whatever writes."""
    account = AccountScope(tenant.account_id)
    async with transaction(sessionmaker) as session:
        session.add(
            CustomProperty(account_id=account.id, key="Legacy", label="Legacy", type="text")
        )
    async with transaction(sessionmaker) as session:
        with pytest.raises(PropertyKeyTaken):
            await property_service.create_custom(
                session, account, "legacy", "Legacy", PropertyType.TEXT
            )
        # Still usable after the refused insert.
        created = await property_service.create_custom(
            session, account, "legacy_2", "Legacy 2", PropertyType.DATE
        )
        assert created.default is False
        assert await property_service.resolve(session, account, "legacy_2") == created
        assert await property_service.resolve(session, account, "legacy") is None
        email = await property_service.resolve(session, account, "email")
        assert email is not None
        assert email.default is True
        with pytest.raises(PropertyKeyReserved):
            await property_service.create_custom(
                session, account, "city", "City", PropertyType.TEXT
            )


@pytest.mark.parametrize("key", ["email", "full_name", "tags", "last_seen_at"])
async def test_a_default_property_key_is_reserved(
    http: httpx.AsyncClient, tenant: Tenant, key: str
) -> None:
    body = assert_problem(await create(http, tenant, key), 409)
    assert body["code"] == "property_key_reserved"
    assert body["key"] == key


async def test_default_properties_cannot_be_renamed_or_deleted(
    http: httpx.AsyncClient, tenant: Tenant
) -> None:
    renamed = await http.patch(
        "/v1/properties/email", json={"label": "E-mail"}, headers=tenant.headers
    )
    assert assert_problem(renamed, 409)["code"] == "property_not_editable"
    deleted = await http.delete("/v1/properties/email", headers=tenant.headers)
    assert assert_problem(deleted, 409)["code"] == "property_not_editable"
    assert (await listed(http, tenant))[0]["label"] == "Email"


@pytest.mark.parametrize(
    "key", ["nope", "Plan", "x" * 300, "pl\u00e4n", "a\x00b", "\u212aey", str(uuid.uuid4())]
)
async def test_an_unknown_key_is_a_404_whatever_it_holds(
    http: httpx.AsyncClient, tenant: Tenant, key: str
) -> None:
    await create(http, tenant, "plan")
    path = f"/v1/properties/{quote(key, safe='')}"
    for response in (
        await http.get(path, headers=tenant.headers),
        await http.patch(path, json={"label": "X"}, headers=tenant.headers),
        await http.delete(path, headers=tenant.headers),
    ):
        # Longer than any key can be: refused by the path's length, naming it.
        status = 422 if len(key) > 200 else 404
        body = assert_problem(response, status)
        if status == 422:
            assert body["errors"][0]["field"] == "path.property_key"


async def test_the_key_and_type_are_fixed(http: httpx.AsyncClient, tenant: Tenant) -> None:
    await create(http, tenant, "plan")
    for change in ({"key": "tier"}, {"type": "number"}, {"label": "Tier", "type": "number"}):
        response = await http.patch("/v1/properties/plan", json=change, headers=tenant.headers)
        body = assert_problem(response, 422)
        fields = {error["field"]: error["message"] for error in body["errors"]}
        fixed = next(field for field in fields if field in ("body.key", "body.type"))
        assert "fixed" in fields[fixed]
    assert (await http.get("/v1/properties/plan", headers=tenant.headers)).json()["label"] == "Plan"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"key": "Plan", "label": "Plan", "type": "text"}, "body.key"),
        ({"key": "1plan", "label": "Plan", "type": "text"}, "body.key"),
        ({"key": "plan-tier", "label": "Plan", "type": "text"}, "body.key"),
        ({"key": "pl\u00e4n", "label": "Plan", "type": "text"}, "body.key"),
        ({"key": "\u212aey", "label": "Plan", "type": "text"}, "body.key"),
        ({"key": "plan\x00", "label": "Plan", "type": "text"}, "body.key"),
        ({"key": "plan\n", "label": "Plan", "type": "text"}, "body.key"),
        ({"key": "", "label": "Plan", "type": "text"}, "body.key"),
        ({"key": "p" * 65, "label": "Plan", "type": "text"}, "body.key"),
        ({"key": "p" * 100_000, "label": "Plan", "type": "text"}, "body.key"),
        ({"key": 12, "label": "Plan", "type": "text"}, "body.key"),
        ({"key": ["plan"], "label": "Plan", "type": "text"}, "body.key"),
        ({"key": None, "label": "Plan", "type": "text"}, "body.key"),
        ({"label": "Plan", "type": "text"}, "body.key"),
        ({"key": "plan", "label": "Pl\x00an", "type": "text"}, "body.label"),
        ({"key": "plan", "label": "   ", "type": "text"}, "body.label"),
        ({"key": "plan", "label": "\u200b", "type": "text"}, "body.label"),
        ({"key": "plan", "label": "L" * 201, "type": "text"}, "body.label"),
        ({"key": "plan", "label": 3, "type": "text"}, "body.label"),
        ({"key": "plan", "label": "Plan", "type": "string"}, "body.type"),
        ({"key": "plan", "label": "Plan", "type": "TEXT"}, "body.type"),
        ({"key": "plan", "label": "Plan", "type": 1}, "body.type"),
        ({"key": "plan", "label": "Plan"}, "body.type"),
        ({"key": "plan", "label": "Plan", "type": "text", "id": "x"}, "body.id"),
        ({"key": "plan", "label": "Plan", "type": "text", "kind": "default"}, "body.kind"),
    ],
)
async def test_hostile_input_is_a_422_naming_the_field_and_creates_nothing(
    http: httpx.AsyncClient,
    tenant: Tenant,
    sessionmaker: async_sessionmaker[AsyncSession],
    body: dict[str, Any],
    field: str,
) -> None:
    response = await http.post("/v1/properties", json=body, headers=tenant.headers)

    problem = assert_problem(response, 422)
    assert field in [error["field"] for error in problem["errors"]], problem
    assert await custom_count(sessionmaker, tenant) == 0


async def test_the_key_rule_is_said_in_words(http: httpx.AsyncClient, tenant: Tenant) -> None:
    problem = assert_problem(await create(http, tenant, "Plan Tier"), 422)
    assert "lower snake case" in problem["errors"][0]["message"]


async def test_a_rename_refuses_bad_labels(http: httpx.AsyncClient, tenant: Tenant) -> None:
    await create(http, tenant, "plan")
    for body, field in (
        ({"label": "a\x00"}, "body.label"),
        ({"label": ""}, "body.label"),
        ({}, "body.label"),
        ({"label": "Ok", "extra": 1}, "body.extra"),
    ):
        response = await http.patch("/v1/properties/plan", json=body, headers=tenant.headers)
        assert field in [e["field"] for e in assert_problem(response, 422)["errors"]]


async def test_a_property_a_saved_mapping_uses_cannot_be_deleted(
    http: httpx.AsyncClient,
    tenant: Tenant,
    sessionmaker: async_sessionmaker[AsyncSession],
    sandbox_workspaces: list[dict[str, Any]],
) -> None:
    await create(http, tenant, "plan")
    await create(http, tenant, "unused")
    segment = await first_segment(http, tenant, sandbox_workspaces[0]["access_token"], "users")
    async with transaction(sessionmaker) as session:
        await session.execute(
            update(Segment)
            .where(Segment.id == uuid.UUID(segment["id"]))
            .values(
                mapping=[
                    {"attribute": "email", "property": "email"},
                    {"attribute": "custom_attributes.plan", "property": "plan"},
                ]
            )
        )

    refused = await http.delete("/v1/properties/plan", headers=tenant.headers)

    body = assert_problem(refused, 409)
    assert body["code"] == "property_in_use"
    assert body["segments"] == [
        {"id": segment["id"], "name": segment["name"], "integration_id": segment["integration_id"]}
    ]
    assert segment["name"] in body["detail"]
    assert (await http.get("/v1/properties/plan", headers=tenant.headers)).status_code == 200
    assert (await http.delete("/v1/properties/unused", headers=tenant.headers)).status_code == 204

    # Once the mapping no longer names it, it goes.
    async with transaction(sessionmaker) as session:
        await session.execute(
            update(Segment)
            .where(Segment.id == uuid.UUID(segment["id"]))
            .values(mapping=[{"attribute": "email", "property": "email"}])
        )
    assert (await http.delete("/v1/properties/plan", headers=tenant.headers)).status_code == 204


async def test_another_accounts_mapping_does_not_hold_a_property(
    http: httpx.AsyncClient,
    tenant: Tenant,
    sessionmaker: async_sessionmaker[AsyncSession],
    sandbox_workspaces: list[dict[str, Any]],
) -> None:
    other = await create_tenant(sessionmaker)
    segment = await first_segment(http, other, sandbox_workspaces[0]["access_token"], "users")
    async with transaction(sessionmaker) as session:
        await session.execute(
            update(Segment)
            .where(Segment.id == uuid.UUID(segment["id"]))
            .values(mapping=[{"attribute": "custom_attributes.plan", "property": "plan"}])
        )
    await create(http, tenant, "plan")

    assert (await http.delete("/v1/properties/plan", headers=tenant.headers)).status_code == 204
