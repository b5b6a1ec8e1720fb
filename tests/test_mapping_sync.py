"""Proof of issue 9: real syncs against the sandbox with a saved mapping, both duplicates
policies and a tag give exactly the customers the sandbox's own contacts call for, value by
value."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.db import transaction
from app.domain.models import IntercomAttribute
from tests.fixtures.factories import Tenant, first_segment
from tests.test_bad_input import assert_problem
from tests.test_end_to_end import all_customers, sandbox_contacts, wait_for_sync

pytestmark = pytest.mark.usefixtures("worker")

ENTRIES: list[dict[str, Any]] = [
    {"attribute": "email", "property": "email"},
    {"attribute": "name", "property": "full_name"},
    {"attribute": "signed_up_at", "property": "signed_up_at"},
    {"attribute": "location.country", "property": "country"},
    {
        "attribute": "custom_attributes.plan",
        "create_property": {"key": "plan", "label": "Plan", "type": "text"},
    },
    {
        "attribute": "custom_attributes.mrr",
        "create_property": {"key": "mrr", "label": "Monthly revenue", "type": "number"},
    },
    {
        "attribute": "custom_attributes.beta_tester",
        "create_property": {"key": "beta", "label": "Beta tester", "type": "boolean"},
    },
    {
        "attribute": "custom_attributes.renewal_date",
        "create_property": {"key": "renewal", "label": "Renewal", "type": "date"},
    },
]
# The same, once the properties exist, and with the city too.
WITH_CITY: list[dict[str, Any]] = [
    *ENTRIES[:4],
    {"attribute": "location.city", "property": "city"},
    *(
        {"attribute": entry["attribute"], "property": entry["create_property"]["key"]}
        for entry in ENTRIES[4:]
    ),
]


def iso(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def expected_customers(contacts: list[dict[str, Any]], *, city: bool) -> dict[str, Any]:
    """What the mapping makes of the sandbox's users, written out by hand: the winner of an
    email is the most recently updated contact, then the smallest id."""
    winners: dict[str, dict[str, Any]] = {}
    for contact in sorted(contacts, key=lambda c: (-(c.get("updated_at") or 0), c["id"])):
        email = (contact.get("email") or "").strip().lower()
        if contact["role"] != "user" or "@" not in email or email in winners:
            continue
        winners[email] = contact
    expected = {}
    for email, contact in winners.items():
        custom = contact.get("custom_attributes") or {}
        location = contact.get("location") or {}
        properties: dict[str, Any] = {
            "signed_up_at": iso(contact["signed_up_at"]) if contact.get("signed_up_at") else None,
            "country": location.get("country"),
            "plan": custom.get("plan"),
            "mrr": custom.get("mrr"),
            "beta": custom.get("beta_tester"),
            "renewal": iso(custom["renewal_date"]) if custom.get("renewal_date") else None,
        }
        if city:
            properties["city"] = location.get("city")
        expected[email] = {
            "name": (contact.get("name") or "").strip() or None,
            "properties": {k: v for k, v in properties.items() if v is not None},
        }
    return expected


async def sync(http: httpx.AsyncClient, tenant: Tenant, segment_id: str) -> dict[str, Any]:
    response = await http.post(f"/v1/segments/{segment_id}/syncs", headers=tenant.headers)
    assert response.status_code == 202, response.text
    run = await wait_for_sync(http, tenant, response.json()["id"])
    assert run["status"] == "finished", run
    counters = run["counters"]
    assert counters["fetched"] == sum(
        counters[key] for key in ("created", "updated", "unchanged", "skipped", "failed")
    )
    return run


async def put(
    http: httpx.AsyncClient, tenant: Tenant, path: str, body: dict[str, Any]
) -> dict[str, Any]:
    response = await http.put(path, json=body, headers=tenant.headers)
    assert response.status_code == 200, response.text
    saved: dict[str, Any] = response.json()
    return saved


async def test_a_saved_mapping_with_both_duplicate_policies_and_a_tag_gives_the_expected_customers(
    http: httpx.AsyncClient,
    tenant: Tenant,
    sandbox_url: str,
    sandbox_workspaces: list[dict[str, Any]],
) -> None:
    workspace = sandbox_workspaces[0]
    users = await first_segment(http, tenant, workspace["access_token"], "users")
    await put(http, tenant, f"/v1/segments/{users['id']}/mapping", {"entries": ENTRIES})
    await put(
        http,
        tenant,
        f"/v1/segments/{users['id']}/settings",
        {"duplicates": "update", "tag": "Intercom users"},
    )
    contacts = await sandbox_contacts(sandbox_url, workspace["app_id"])

    first = await sync(http, tenant, users["id"])

    expected = expected_customers(contacts, city=False)
    customers = {c["email"]: c for c in await all_customers(http, tenant)}
    assert first["counters"]["created"] == len(expected) == len(customers)
    for email, want in expected.items():
        got = customers[email]
        assert (got["name"], got["properties"]) == (want["name"], want["properties"]), email
        assert got["tags"] == ["Intercom users"]
    tagged = await http.get(
        "/v1/customers", params={"tag": "Intercom users", "limit": 500}, headers=tenant.headers
    )
    assert len(tagged.json()["data"]) == min(500, len(expected))

    # Skip: a new mapping (now with the city) changes no existing customer.
    await put(http, tenant, f"/v1/segments/{users['id']}/mapping", {"entries": WITH_CITY})
    await put(
        http,
        tenant,
        f"/v1/segments/{users['id']}/settings",
        {"duplicates": "skip", "tag": "Intercom users"},
    )
    skipped = await sync(http, tenant, users["id"])
    assert skipped["counters"]["skipped_reasons"].get("duplicate_skipped") == len(expected)
    assert (skipped["counters"]["created"], skipped["counters"]["updated"]) == (0, 0)
    after_skip = {c["email"]: c for c in await all_customers(http, tenant)}
    assert after_skip == customers

    # Update: the same mapping now reaches every customer.
    await put(
        http,
        tenant,
        f"/v1/segments/{users['id']}/settings",
        {"duplicates": "update", "tag": "Intercom users"},
    )
    await sync(http, tenant, users["id"])
    expected = expected_customers(contacts, city=True)
    customers = {c["email"]: c for c in await all_customers(http, tenant)}
    for email, want in expected.items():
        got = customers[email]
        assert (got["name"], got["properties"]) == (want["name"], want["properties"]), email


async def test_a_mapped_attribute_archived_in_intercom_is_reported_not_fatal(
    http: httpx.AsyncClient, tenant: Tenant, sandbox_workspaces: list[dict[str, Any]]
) -> None:
    users = await first_segment(http, tenant, sandbox_workspaces[0]["access_token"], "users")
    entries = [
        *ENTRIES[:2],
        {
            "attribute": "custom_attributes.legacy_score",
            "create_property": {"key": "legacy_score", "label": "Legacy", "type": "number"},
        },
    ]
    await put(http, tenant, f"/v1/segments/{users['id']}/mapping", {"entries": entries})

    run = await sync(http, tenant, users["id"])

    assert {"code": "attribute_archived", "attribute": "custom_attributes.legacy_score"} in [
        {k: v for k, v in warning.items() if v is not None} for warning in run["warnings"]
    ]
    assert run["counters"]["created"] > 0


async def test_a_mapping_whose_email_attribute_is_gone_starts_no_run(
    http: httpx.AsyncClient,
    tenant: Tenant,
    sessionmaker: async_sessionmaker[AsyncSession],
    sandbox_workspaces: list[dict[str, Any]],
) -> None:
    users = await first_segment(http, tenant, sandbox_workspaces[0]["access_token"], "users")
    await put(http, tenant, f"/v1/segments/{users['id']}/mapping", {"entries": ENTRIES[:2]})
    async with transaction(sessionmaker) as session:
        await session.execute(
            update(IntercomAttribute)
            .where(
                IntercomAttribute.integration_id == uuid.UUID(users["integration_id"]),
                IntercomAttribute.name == "email",
            )
            .values(removed_at=datetime.now(UTC))
        )

    response = await http.post(f"/v1/segments/{users['id']}/syncs", headers=tenant.headers)

    assert assert_problem(response, 409)["code"] == "mapping_without_email"
