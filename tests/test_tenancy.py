"""Every resource of one account is invisible to another: 404 problem+json, never 403, never data.

The cases come from openapi.yaml, so a route added with an id is tried with another account's id
without editing this file, and a new kind of id fails until the owner below has one."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import pytest_asyncio
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.fixtures.factories import Tenant, connect_workspace, create_tenant, segments_of
from tests.fixtures.operations import Operation, load_document, operations, request_arguments
from tests.test_end_to_end import all_customers, sync_segment

PROBLEM = "application/problem+json"
DOCUMENT = load_document()
OPERATIONS = operations(DOCUMENT)
# The internal API serves the main product, which may name any account: its own tests cover it.
OPERATIONS = [op for op in OPERATIONS if not op.path.startswith("/internal/")]
WITH_IDS = [operation for operation in OPERATIONS if operation.path_parameters]
ACCOUNT_LISTS = [
    operation
    for operation in OPERATIONS
    if operation.method == "GET" and operation.needs_credentials and not operation.path_parameters
]
# Values shorter than this leak only as a whole string: an 8-character app id may occur by chance
# inside a UUID.
SUBSTRING_MIN_LENGTH = 12


@dataclass(frozen=True)
class World:
    """An owner with one resource of every kind, and an intruder with a workspace of its own."""

    owner: Tenant
    intruder: Tenant
    # Path parameter name -> the owner's resource: the table a new kind of id must join.
    ids: Mapping[str, str]
    owner_ids: frozenset[str]
    owner_data: frozenset[str]


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def world(
    api_url: str,
    worker: None,
    sessionmaker: async_sessionmaker[AsyncSession],
    sandbox_workspaces: list[dict[str, Any]],
) -> World:
    owner_workspace, intruder_workspace = sandbox_workspaces[0], sandbox_workspaces[1]
    owner = await create_tenant(sessionmaker, "Owner")
    intruder = await create_tenant(sessionmaker, "Intruder")
    async with httpx.AsyncClient(base_url=api_url, timeout=30) as http:
        integration = await connect_workspace(http, owner, owner_workspace["access_token"])
        # With resources of its own, the intruder is a real account, not an empty one that any
        # lookup would miss.
        await connect_workspace(http, intruder, intruder_workspace["access_token"])
        segments = await segments_of(http, owner, integration["id"])
        users = next(segment for segment in segments if segment["kind"] == "users")
        sync = await sync_segment(http, owner, users["id"])
        assert sync["status"] == "finished", sync
        customers = await all_customers(http, owner)
        created = await http.post(
            "/v1/properties",
            json={"key": "owner_plan", "label": "Owner plan", "type": "text"},
            headers=owner.headers,
        )
        assert created.status_code == 201, created.text
    assert customers
    return World(
        owner=owner,
        intruder=intruder,
        ids={
            "integration_id": integration["id"],
            "segment_id": users["id"],
            "sync_id": sync["id"],
            "customer_id": customers[0]["id"],
            "property_key": created.json()["key"],
        },
        owner_ids=frozenset(
            [str(owner.account_id), integration["id"], sync["id"]]
            + [segment["id"] for segment in segments]
            + [customer["id"] for customer in customers]
        ),
        owner_data=frozenset(
            [
                owner.api_key,
                owner_workspace["access_token"],
                integration["workspace_name"],
                integration["intercom_app_id"],
            ]
            + [customer["email"] for customer in customers if customer["email"]]
        ),
    )


@pytest.mark.parametrize("operation", [pytest.param(op, id=op.id) for op in WITH_IDS])
async def test_another_accounts_id_answers_404_like_an_unknown_id_and_changes_nothing(
    operation: Operation, world: World, http: httpx.AsyncClient
) -> None:
    unmapped = [name for name in operation.path_parameters if name not in world.ids]
    if unmapped:
        pytest.fail(
            f"{operation.id}: the owner has no resource for {unmapped}; create one in the `world` "
            "fixture of tests/test_tenancy.py and add it to `ids`, so that this route is tried "
            "with another account's id"
        )
    before = await snapshot(http, world)

    response = await http.request(
        operation.method,
        operation.path.format(**world.ids),
        headers=world.intruder.headers,
        **request_arguments(operation, DOCUMENT, world.ids),
    )

    body = assert_not_found(response)
    echoed = frozenset(world.ids[name] for name in operation.path_parameters)
    assert leaks(body, response.headers, world, echoed=echoed) == []
    assert await snapshot(http, world) == before, "another account's call changed something"

    # The answer must not tell "exists elsewhere" from "exists nowhere".
    unknown = {name: str(uuid.uuid4()) for name in operation.path_parameters}
    nowhere = await http.request(
        operation.method,
        operation.path.format(**unknown),
        headers=world.intruder.headers,
        **request_arguments(operation, DOCUMENT, {**world.ids, **unknown}),
    )
    assert without_ids(body, world.ids) == without_ids(assert_not_found(nowhere), unknown)


@pytest.mark.parametrize("operation", [pytest.param(op, id=op.id) for op in ACCOUNT_LISTS])
async def test_another_accounts_lists_hold_none_of_the_owners_data(
    operation: Operation, world: World, http: httpx.AsyncClient
) -> None:
    arguments = request_arguments(operation, DOCUMENT, world.ids)
    response = await http.request(
        operation.method, operation.path, headers=world.intruder.headers, **arguments
    )
    # A list filtered by one of the owner's ids may refuse the id instead of listing nothing.
    expected = (200, 404) if arguments.get("params") else (200,)
    assert response.status_code in expected, response.text
    assert leaks(response.json(), response.headers, world, echoed=frozenset()) == []


async def test_the_same_workspace_can_be_connected_by_two_accounts_independently(
    http: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    sandbox_workspaces: list[dict[str, Any]],
) -> None:
    first = await create_tenant(sessionmaker)
    second = await create_tenant(sessionmaker)
    token = sandbox_workspaces[0]["access_token"]

    one = await connect_workspace(http, first, token)
    two = await connect_workspace(http, second, token)

    assert one["id"] != two["id"]
    listed = (await http.get("/v1/integrations", headers=first.headers)).json()["data"]
    assert [i["id"] for i in listed] == [one["id"]]


def assert_not_found(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 404, response.text
    assert response.headers["content-type"].split(";")[0] == PROBLEM
    body: dict[str, Any] = response.json()
    assert body["status"] == 404
    return body


async def snapshot(http: httpx.AsyncClient, world: World) -> dict[str, Any]:
    """What each account reads through every GET route the owner's ids fill: a call that changed
    either account's resources shows here, whatever route a later change adds."""
    seen: dict[str, Any] = {}
    for operation in OPERATIONS:
        if operation.method != "GET" or not operation.needs_credentials:
            continue
        if not set(operation.path_parameters) <= set(world.ids):
            continue
        path = operation.path.format(**world.ids)
        tenants = [("owner", world.owner)]
        if not operation.path_parameters:
            tenants.append(("intruder", world.intruder))
        for role, tenant in tenants:
            response = await http.get(path, headers=tenant.headers)
            # An event stream (a sync's, of a run that ended) is text: the report, then the end.
            json_body = response.headers["content-type"].startswith(("application/json", PROBLEM))
            body = response.json() if json_body else response.text
            seen[f"{role} GET {path}"] = (response.status_code, body)
    return seen


def leaks(body: Any, headers: httpx.Headers, world: World, *, echoed: frozenset[str]) -> list[str]:
    """The owner's ids and data found in an answer to the intruder. `instance` and `detail` may
    echo the ids the intruder itself sent."""
    found: list[str] = []
    strings = [*_strings(body, "body"), *((f"header {k}", v) for k, v in headers.items())]
    for where, text in strings:
        allowed = echoed if where in ("body.instance", "body.detail") else frozenset()
        for value in (world.owner_ids - allowed) | world.owner_data:
            if text == value or (len(value) >= SUBSTRING_MIN_LENGTH and value in text):
                found.append(f"{where}: {value!r}")
    return found


def without_ids(body: Mapping[str, Any], ids: Mapping[str, str]) -> dict[str, Any]:
    """The body with the ids named, and without the request's own id (each request has one)."""

    def generic(value: Any) -> Any:
        if not isinstance(value, str):
            return value
        for name, id_ in ids.items():
            value = value.replace(id_, f"{{{name}}}")
        return value

    return {key: generic(value) for key, value in body.items() if key != "request_id"}


def _strings(value: Any, where: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield f"{where} key", str(key)
            yield from _strings(item, f"{where}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, f"{where}[{index}]")
