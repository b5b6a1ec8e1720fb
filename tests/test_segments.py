"""Lists and segments over HTTP: the list's filters, sorts and cursors, custom segments, and the
auto-sync switch with its quota."""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.db import transaction
from app.domain.models import Segment, SyncRun
from tests.conftest import INTERNAL_API_TOKEN
from tests.fixtures.factories import (
    USE_DEFAULT_MAPPING,
    Tenant,
    connect_workspace,
    create_tenant,
    segments_of,
)
from tests.test_bad_input import assert_problem
from tests.test_end_to_end import sync_segment

INTERNAL = {"Authorization": f"Bearer {INTERNAL_API_TOKEN}"}


async def connected(
    http: httpx.AsyncClient, tenant: Tenant, workspaces: list[dict[str, Any]]
) -> tuple[str, list[dict[str, Any]]]:
    integration = await connect_workspace(http, tenant, workspaces[0]["access_token"])
    return integration["id"], await segments_of(http, tenant, integration["id"])


async def page(
    http: httpx.AsyncClient, tenant: Tenant, integration_id: str, **params: Any
) -> httpx.Response:
    return await http.get(
        f"/v1/integrations/{integration_id}/segments", params=params, headers=tenant.headers
    )


async def every_page(
    http: httpx.AsyncClient, tenant: Tenant, integration_id: str, **params: Any
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    while True:
        response = await page(http, tenant, integration_id, **params)
        assert response.status_code == 200, response.text
        body = response.json()
        assert set(body) == {"data", "next_cursor"}
        rows.extend(body["data"])
        if body["next_cursor"] is None:
            return rows
        params["cursor"] = body["next_cursor"]


async def create_custom(
    http: httpx.AsyncClient, tenant: Tenant, integration_id: str, name: str, source: str
) -> dict[str, Any]:
    response = await http.post(
        f"/v1/integrations/{integration_id}/segments",
        json={"name": name, "source": source},
        headers=tenant.headers,
    )
    assert response.status_code == 201, response.text
    assert response.headers["location"] == f"/v1/segments/{response.json()['id']}"
    created: dict[str, Any] = response.json()
    return created


async def test_every_list_shows_its_kind_source_count_and_state(
    http: httpx.AsyncClient, tenant: Tenant, sandbox_workspaces: list[dict[str, Any]]
) -> None:
    _, segments = await connected(http, tenant, sandbox_workspaces)

    kinds = [segment["kind"] for segment in segments]
    assert kinds[:2] == ["users", "leads"]
    assert set(kinds[2:]) == {"intercom"}
    for segment in segments:
        assert segment["source"] == ("users" if segment["person_type"] == "user" else "leads")
        assert isinstance(segment["contact_count"], int)
        assert segment["count_refreshed_at"] is not None
        assert segment["auto_sync"] is False
        assert segment["next_sync_at"] is None
        assert segment["missing"] is False
        assert segment["mapping_confirmed"] is False
        assert segment["last_sync"] is None
    # Intercom segments in the default order: by name.
    names = [segment["name"] for segment in segments[2:]]
    assert names == sorted(names)


@pytest.mark.parametrize(
    "sort",
    ["type", "-type", "count", "-count", "auto_sync", "-auto_sync", "last_sync", "-last_sync"],
)
async def test_every_sort_pages_through_each_list_once_in_order(
    http: httpx.AsyncClient,
    tenant: Tenant,
    sandbox_workspaces: list[dict[str, Any]],
    sort: str,
) -> None:
    integration_id, _ = await connected(http, tenant, sandbox_workspaces)
    # Ties on every key: two custom segments with the same count, auto-sync on one list.
    await create_custom(http, tenant, integration_id, "Beta", "users")
    await create_custom(http, tenant, integration_id, "Alpha", "users")
    everything = await every_page(http, tenant, integration_id, sort=sort, limit=200)
    users = next(s for s in everything if s["kind"] == "users")
    switched = await http.patch(
        f"/v1/segments/{users['id']}",
        json={"auto_sync": True, "use_default_mapping": True},
        headers=tenant.headers,
    )
    assert switched.status_code == 200, switched.text
    everything = await every_page(http, tenant, integration_id, sort=sort, limit=200)

    paged = await every_page(http, tenant, integration_id, sort=sort, limit=2)

    assert [s["id"] for s in paged] == [s["id"] for s in everything]
    assert len({s["id"] for s in paged}) == len(paged)
    key = sort.removeprefix("-")
    kind_order = {"users": 0, "leads": 1, "intercom": 2, "custom": 3}

    def value(segment: dict[str, Any]) -> Any:
        if key == "count":
            return segment["contact_count"]
        if key == "auto_sync":
            return int(segment["auto_sync"])
        if key == "last_sync":
            return segment["last_sync"]["created_at"] if segment["last_sync"] else ""
        return kind_order[segment["kind"]]

    values = [value(s) for s in paged]
    assert values == sorted(values, reverse=sort.startswith("-"))
    # Ties by name, ascending, whichever the direction of the key.
    for before, after in itertools.pairwise(paged):
        if value(before) == value(after):
            assert before["name"] <= after["name"]


async def test_last_sync_sort_and_status_filter_follow_the_runs(
    http: httpx.AsyncClient,
    tenant: Tenant,
    worker: None,
    sandbox_workspaces: list[dict[str, Any]],
) -> None:
    integration_id, segments = await connected(http, tenant, sandbox_workspaces)
    smallest = min(segments, key=lambda s: s["contact_count"])
    run = await sync_segment(http, tenant, smallest["id"])
    assert run["status"] == "finished"

    newest_first = await every_page(http, tenant, integration_id, sort="-last_sync")
    assert newest_first[0]["id"] == smallest["id"]
    summary = newest_first[0]["last_sync"]
    assert summary["id"] == run["id"]
    assert summary["status"] == "finished"
    assert summary["report"]["fetched"] == run["counters"]["fetched"]

    finished = await every_page(http, tenant, integration_id, last_sync_status="finished")
    assert [s["id"] for s in finished] == [smallest["id"]]
    never = await every_page(http, tenant, integration_id, last_sync_status="never")
    assert smallest["id"] not in {s["id"] for s in never}
    assert len(never) == len(segments) - 1
    both = await every_page(
        http, tenant, integration_id, last_sync_status=["never", "finished"], kind=["users"]
    )
    assert [s["kind"] for s in both] == ["users"]

    # The integration's top bar: its most recent sync of any list.
    read = (await http.get(f"/v1/integrations/{integration_id}", headers=tenant.headers)).json()
    assert read["last_sync"]["id"] == run["id"]
    assert read["last_sync"]["segment_id"] == smallest["id"]
    listed = (await http.get("/v1/integrations", headers=tenant.headers)).json()
    assert listed["next_cursor"] is None
    assert listed["data"][0]["last_sync"]["id"] == run["id"]


async def test_the_kind_filter_takes_any_of_several_kinds(
    http: httpx.AsyncClient, tenant: Tenant, sandbox_workspaces: list[dict[str, Any]]
) -> None:
    integration_id, segments = await connected(http, tenant, sandbox_workspaces)
    custom = await create_custom(http, tenant, integration_id, "Trial users", "users")

    main = await every_page(http, tenant, integration_id, kind=["users", "leads"])
    assert [s["kind"] for s in main] == ["users", "leads"]
    customs = await every_page(http, tenant, integration_id, kind="custom")
    assert [s["id"] for s in customs] == [custom["id"]]
    intercom = await every_page(http, tenant, integration_id, kind="intercom")
    assert len(intercom) == len(segments) - 2


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"kind": "vip"}, "query.kind.0"),
        ({"last_sync_status": "done"}, "query.last_sync_status.0"),
        ({"sort": "name"}, "query.sort"),
        ({"limit": 0}, "query.limit"),
        ({"limit": 201}, "query.limit"),
        ({"cursor": "bm90LWEtY3Vyc29y"}, "query.cursor"),
        ({"cursor": "x" * 600}, "query.cursor"),
        ({"cursor": "\u00e9\u0000"}, "query.cursor"),
    ],
)
async def test_bad_list_parameters_are_a_422_naming_the_parameter(
    http: httpx.AsyncClient,
    tenant: Tenant,
    sandbox_workspaces: list[dict[str, Any]],
    params: dict[str, Any],
    field: str,
) -> None:
    integration_id, _ = await connected(http, tenant, sandbox_workspaces)

    problem = assert_problem(await page(http, tenant, integration_id, **params), 422)

    assert problem["errors"][0]["field"] == field


async def test_a_cursor_is_refused_under_another_sort(
    http: httpx.AsyncClient, tenant: Tenant, sandbox_workspaces: list[dict[str, Any]]
) -> None:
    integration_id, _ = await connected(http, tenant, sandbox_workspaces)
    first = (await page(http, tenant, integration_id, sort="count", limit=1)).json()

    response = await page(http, tenant, integration_id, sort="-count", cursor=first["next_cursor"])

    problem = assert_problem(response, 422)
    assert problem["errors"][0]["field"] == "query.cursor"


async def test_a_custom_segment_is_created_renamed_synced_and_deleted(
    http: httpx.AsyncClient,
    tenant: Tenant,
    worker: None,
    sandbox_workspaces: list[dict[str, Any]],
) -> None:
    integration_id, segments = await connected(http, tenant, sandbox_workspaces)
    leads = next(s for s in segments if s["kind"] == "leads")

    custom = await create_custom(http, tenant, integration_id, "  French leads  ", "leads")
    assert (custom["kind"], custom["name"], custom["source"]) == ("custom", "French leads", "leads")
    # Until filters exist it matches its whole source.
    assert custom["contact_count"] == leads["contact_count"]

    renamed = await http.patch(
        f"/v1/segments/{custom['id']}", json={"name": "Leads (FR)"}, headers=tenant.headers
    )
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["name"] == "Leads (FR)"

    run = await sync_segment(http, tenant, custom["id"])
    assert run["status"] == "finished", run
    assert run["counters"]["fetched"] == leads["contact_count"]

    deleted = await http.delete(f"/v1/segments/{custom['id']}", headers=tenant.headers)
    assert deleted.status_code == 204, deleted.text
    assert "content-type" not in deleted.headers
    assert (
        await http.get(f"/v1/segments/{custom['id']}", headers=tenant.headers)
    ).status_code == 404
    assert custom["id"] not in {s["id"] for s in await segments_of(http, tenant, integration_id)}
    # Its history stays.
    kept = await http.get(f"/v1/syncs/{run['id']}", headers=tenant.headers)
    assert kept.status_code == 200
    assert kept.json()["status"] == "finished"


async def test_only_custom_segments_are_renamed_or_deleted(
    http: httpx.AsyncClient, tenant: Tenant, sandbox_workspaces: list[dict[str, Any]]
) -> None:
    _, segments = await connected(http, tenant, sandbox_workspaces)
    for segment in (segments[0], segments[2]):  # Users, an Intercom segment
        renamed = await http.patch(
            f"/v1/segments/{segment['id']}", json={"name": "Mine"}, headers=tenant.headers
        )
        assert assert_problem(renamed, 409)["code"] == "segment_not_editable"
        deleted = await http.delete(f"/v1/segments/{segment['id']}", headers=tenant.headers)
        assert assert_problem(deleted, 409)["code"] == "segment_not_editable"
        read = (await http.get(f"/v1/segments/{segment['id']}", headers=tenant.headers)).json()
        assert read["name"] == segment["name"]


async def test_custom_segment_names_are_unique_per_integration_without_case(
    http: httpx.AsyncClient, tenant: Tenant, sandbox_workspaces: list[dict[str, Any]]
) -> None:
    integration_id, _ = await connected(http, tenant, sandbox_workspaces)
    first = await create_custom(http, tenant, integration_id, "VIP", "users")
    other = await create_custom(http, tenant, integration_id, "Other", "leads")

    twice = await asyncio.gather(
        *(
            http.post(
                f"/v1/integrations/{integration_id}/segments",
                json={"name": "vip", "source": "leads"},
                headers=tenant.headers,
            )
            for _ in range(3)
        )
    )
    assert {r.status_code for r in twice} == {409}
    assert assert_problem(twice[0], 409)["code"] == "segment_name_taken"
    clash = await http.patch(
        f"/v1/segments/{other['id']}", json={"name": "Vip"}, headers=tenant.headers
    )
    assert assert_problem(clash, 409)["code"] == "segment_name_taken"
    # Its own name, in another case, is fine.
    same = await http.patch(
        f"/v1/segments/{first['id']}", json={"name": "vip"}, headers=tenant.headers
    )
    assert same.status_code == 200, same.text


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"source": "users"}, "body.name"),
        ({"name": "", "source": "users"}, "body.name"),
        ({"name": "a\x00b", "source": "users"}, "body.name"),
        ({"name": "x" * 201, "source": "users"}, "body.name"),
        ({"name": ["x"], "source": "users"}, "body.name"),
        ({"name": "X"}, "body.source"),
        ({"name": "X", "source": "intercom"}, "body.source"),
        ({"name": "X", "source": "users", "filters": []}, "body.filters"),
    ],
)
async def test_a_bad_custom_segment_is_a_422_naming_the_field_and_creates_nothing(
    http: httpx.AsyncClient,
    tenant: Tenant,
    sandbox_workspaces: list[dict[str, Any]],
    body: dict[str, Any],
    field: str,
) -> None:
    integration_id, before = await connected(http, tenant, sandbox_workspaces)

    response = await http.post(
        f"/v1/integrations/{integration_id}/segments", json=body, headers=tenant.headers
    )

    assert assert_problem(response, 422)["errors"][0]["field"] == field
    assert len(await segments_of(http, tenant, integration_id)) == len(before)


@pytest.mark.parametrize(
    ("body", "field"),
    [({}, "body"), ({"auto_sync": "yes"}, "body.auto_sync"), ({"name": "\u0007"}, "body.name")],
)
async def test_a_bad_segment_update_is_a_422(
    http: httpx.AsyncClient,
    tenant: Tenant,
    sandbox_workspaces: list[dict[str, Any]],
    body: dict[str, Any],
    field: str,
) -> None:
    _, segments = await connected(http, tenant, sandbox_workspaces)

    response = await http.patch(
        f"/v1/segments/{segments[0]['id']}", json=body, headers=tenant.headers
    )

    assert assert_problem(response, 422)["errors"][0]["field"] == field


async def test_auto_sync_is_scheduled_within_a_day_and_held_to_the_quota(
    http: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    sandbox_workspaces: list[dict[str, Any]],
) -> None:
    tenant = await create_tenant(sessionmaker, nps_campaigns=2)
    _, segments = await connected(http, tenant, sandbox_workspaces)
    before = datetime.now(UTC)

    switched = []
    for segment in segments[:2]:
        response = await http.patch(
            f"/v1/segments/{segment['id']}",
            json={"auto_sync": True, "use_default_mapping": True},
            headers=tenant.headers,
        )
        assert response.status_code == 200, response.text
        switched.append(response.json())
    for segment in switched:
        assert segment["auto_sync"] is True
        next_sync = datetime.fromisoformat(segment["next_sync_at"])
        assert before < next_sync <= before + timedelta(days=1, seconds=5)

    over = await http.patch(
        f"/v1/segments/{segments[2]['id']}",
        json={"auto_sync": True, "use_default_mapping": True},
        headers=tenant.headers,
    )
    problem = assert_problem(over, 409)
    assert (problem["code"], problem["used"], problem["allowed"]) == (
        "auto_sync_quota_exceeded",
        2,
        2,
    )
    account = (await http.get("/v1/account", headers=tenant.headers)).json()
    assert account["auto_sync"] == {"used": 2, "allowed": 2}

    off = await http.patch(
        f"/v1/segments/{segments[0]['id']}", json={"auto_sync": False}, headers=tenant.headers
    )
    assert off.json()["auto_sync"] is False
    assert off.json()["next_sync_at"] is None
    again = await http.patch(
        f"/v1/segments/{segments[2]['id']}",
        json={"auto_sync": True, "use_default_mapping": True},
        headers=tenant.headers,
    )
    assert again.status_code == 200, again.text


async def test_concurrent_switches_never_exceed_the_quota(
    http: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    sandbox_workspaces: list[dict[str, Any]],
) -> None:
    tenant = await create_tenant(sessionmaker, nps_campaigns=3)
    _, segments = await connected(http, tenant, sandbox_workspaces)
    assert len(segments) >= 5

    responses = await asyncio.gather(
        *(
            http.patch(
                f"/v1/segments/{s['id']}",
                json={"auto_sync": True, "use_default_mapping": True},
                headers=tenant.headers,
            )
            for s in segments[:5]
        )
    )

    assert sorted(r.status_code for r in responses) == [200, 200, 200, 409, 409]
    async with sessionmaker() as session:
        on = await session.scalar(
            select(func.count())
            .select_from(Segment)
            .where(Segment.account_id == tenant.account_id, Segment.auto_sync.is_(True))
        )
    assert on == 3


async def test_the_product_reports_campaigns_through_the_internal_api(
    http: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    sandbox_workspaces: list[dict[str, Any]],
) -> None:
    tenant = await create_tenant(sessionmaker, nps_campaigns=0)
    _, segments = await connected(http, tenant, sandbox_workspaces)
    refused = await http.patch(
        f"/v1/segments/{segments[0]['id']}",
        json={"auto_sync": True, "use_default_mapping": True},
        headers=tenant.headers,
    )
    assert assert_problem(refused, 409)["allowed"] == 0
    path = f"/internal/v1/accounts/{tenant.account_id}/nps-campaigns"

    # An account's own credential, or none, or a wrong one, is not the product's.
    for headers in ({}, tenant.headers, {"Authorization": "Bearer internal-test-tokeN"}):
        response = await http.put(path, json={"nps_campaigns": 5}, headers=headers)
        assert assert_problem(response, 401)["code"] == "unauthenticated"
    unknown = await http.put(
        f"/internal/v1/accounts/{uuid.uuid4()}/nps-campaigns",
        json={"nps_campaigns": 1},
        headers=INTERNAL,
    )
    assert assert_problem(unknown, 404)["code"] == "not_found"
    for body, field in (
        ({"nps_campaigns": -1}, "body.nps_campaigns"),
        ({"nps_campaigns": "3"}, "body.nps_campaigns"),
        ({"nps_campaigns": True}, "body.nps_campaigns"),
        ({"nps_campaigns": 2.5}, "body.nps_campaigns"),
        ({"nps_campaigns": 10**12}, "body.nps_campaigns"),
        ({}, "body.nps_campaigns"),
    ):
        bad = await http.put(path, json=body, headers=INTERNAL)
        assert assert_problem(bad, 422)["errors"][0]["field"] == field

    # 1.0 is the integer 1 to JSON Schema, and so to the documented body.
    response = await http.put(path, json={"nps_campaigns": 1.0}, headers=INTERNAL)

    assert response.status_code == 200, response.text
    assert response.json() == {
        "account_id": str(tenant.account_id),
        "nps_campaigns": 1,
        "auto_sync": {"used": 0, "allowed": 1},
    }
    allowed = await http.patch(
        f"/v1/segments/{segments[0]['id']}",
        json={"auto_sync": True, "use_default_mapping": True},
        headers=tenant.headers,
    )
    assert allowed.status_code == 200, allowed.text


async def test_a_segment_deleted_in_intercom_cannot_be_switched_on_or_synced(
    http: httpx.AsyncClient,
    tenant: Tenant,
    sessionmaker: async_sessionmaker[AsyncSession],
    sandbox_workspaces: list[dict[str, Any]],
) -> None:
    _, segments = await connected(http, tenant, sandbox_workspaces)
    segment = segments[2]
    async with transaction(sessionmaker) as session:
        await session.execute(
            update(Segment)
            .where(Segment.id == uuid.UUID(segment["id"]))
            .values(missing_since=datetime.now(UTC))
        )

    read = (await http.get(f"/v1/segments/{segment['id']}", headers=tenant.headers)).json()
    assert read["missing"] is True
    switched = await http.patch(
        f"/v1/segments/{segment['id']}",
        json={"auto_sync": True, "use_default_mapping": True},
        headers=tenant.headers,
    )
    assert assert_problem(switched, 409)["code"] == "segment_missing"
    synced = await http.post(
        f"/v1/segments/{segment['id']}/syncs", json=USE_DEFAULT_MAPPING, headers=tenant.headers
    )
    assert assert_problem(synced, 409)["code"] == "segment_missing"
    async with sessionmaker() as session:
        runs = await session.scalar(
            select(func.count()).select_from(SyncRun).where(SyncRun.account_id == tenant.account_id)
        )
    assert runs == 0


def forged(*values: Any) -> str:
    raw = json.dumps(list(values)).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.mark.parametrize(
    ("sort", "cursor"),
    [
        ("count", forged("count", 1, "a\u0000b", str(uuid.uuid4()))),
        ("count", forged("count", 1, "\ud800", str(uuid.uuid4()))),
        ("count", forged("count", 1, "x" * 201, str(uuid.uuid4()))),
        ("count", forged("count", 2**31, "x", str(uuid.uuid4()))),
        ("count", forged("count", -(2**31) - 1, "x", str(uuid.uuid4()))),
        ("type", forged("type", 2**62, "x", str(uuid.uuid4()))),
        ("auto_sync", forged("auto_sync", True, "x", str(uuid.uuid4()))),
        ("count", forged("count", 1.5, "x", str(uuid.uuid4()))),
        ("count", forged("count", 1, "x", "not-a-uuid")),
        ("-last_sync", forged("-last_sync", "0001-01-01T00:00:00+14:00", "x", str(uuid.uuid4()))),
        ("-last_sync", forged("-last_sync", "9999-12-31T23:59:59-14:00", "x", str(uuid.uuid4()))),
        ("-last_sync", forged("-last_sync", "2026-01-01T00:00:00", "x", str(uuid.uuid4()))),
        ("-last_sync", forged("-last_sync", 5, "x", str(uuid.uuid4()))),
    ],
)
async def test_a_forged_cursor_is_a_422_never_a_500(
    http: httpx.AsyncClient,
    tenant: Tenant,
    sandbox_workspaces: list[dict[str, Any]],
    sort: str,
    cursor: str,
) -> None:
    integration_id, _ = await connected(http, tenant, sandbox_workspaces)

    response = await page(http, tenant, integration_id, sort=sort, cursor=cursor)

    problem = assert_problem(response, 422)
    assert problem["errors"][0]["field"] == "query.cursor"


@pytest.mark.parametrize("character", ["é", "🇦🇺", "中"])
async def test_every_cursor_handed_out_is_taken_back_even_after_the_longest_name(
    http: httpx.AsyncClient,
    tenant: Tenant,
    sandbox_workspaces: list[dict[str, Any]],
    character: str,
) -> None:
    integration_id, _ = await connected(http, tenant, sandbox_workspaces)
    name = (character * 200)[:200]
    custom = await create_custom(http, tenant, integration_id, name, "users")
    everything = await every_page(http, tenant, integration_id, sort="-count", limit=200)
    position = [s["id"] for s in everything].index(custom["id"])
    assert position < len(everything) - 1  # as many contacts as Users: among the first

    first = await page(http, tenant, integration_id, sort="-count", limit=position + 1)
    cursor = first.json()["next_cursor"]
    assert first.json()["data"][-1]["name"] == name
    rest = await page(http, tenant, integration_id, sort="-count", cursor=cursor, limit=200)

    assert rest.status_code == 200, rest.text
    assert [s["id"] for s in rest.json()["data"]] == [s["id"] for s in everything[position + 1 :]]
