"""The demo flow through the generated partner client (clients/python, `make client`), against
the API over HTTP, as a partner's code would drive it: connect, list, sync, read the run, list
the customers. The client raises on any status openapi.yaml does not document."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from http import HTTPStatus
from typing import Any, TypeVar

import httpx
import pytest
from intercom_sync_client import AuthenticatedClient
from intercom_sync_client.api.customers import list_customers
from intercom_sync_client.api.integrations import create_integration, list_integrations
from intercom_sync_client.api.segments import get_segment, list_segments, start_sync
from intercom_sync_client.api.syncs import get_sync
from intercom_sync_client.models import (
    CustomerPage,
    CustomerRead,
    IntegrationCreate,
    IntegrationPage,
    IntegrationRead,
    Problem,
    SegmentKind,
    SegmentPage,
    SyncRead,
    SyncStart,
    SyncStatus,
)
from intercom_sync_client.types import UNSET, Response

from tests.fixtures.factories import Tenant
from tests.test_end_to_end import sandbox_contacts

pytestmark = pytest.mark.usefixtures("worker")

Parsed = TypeVar("Parsed")


@pytest.fixture
async def client(api_url: str, tenant: Tenant) -> AsyncIterator[AuthenticatedClient]:
    async with AuthenticatedClient(
        base_url=api_url,
        token=tenant.api_key,
        timeout=httpx.Timeout(30),
        raise_on_unexpected_status=True,
    ) as client:
        yield client


def parsed(response: Response[Any], model: type[Parsed], status: HTTPStatus) -> Parsed:
    assert response.status_code == status, response.content
    assert isinstance(response.parsed, model), response.parsed
    return response.parsed


async def finished_run(client: AuthenticatedClient, sync_id: uuid.UUID) -> SyncRead:
    for _ in range(600):
        run = parsed(
            await get_sync.asyncio_detailed(sync_id, client=client), SyncRead, HTTPStatus.OK
        )
        if run.status not in (SyncStatus.PENDING, SyncStatus.RUNNING):
            return run
        await asyncio.sleep(0.05)
    raise AssertionError(f"sync {sync_id} did not finish")


async def settled_customers(client: AuthenticatedClient) -> list[CustomerRead]:
    """Every customer listed, read until three reads in a row agree: the listing shows a
    committed customer only once no older transaction is open in the cluster (another test's
    worker, a refresh; tests/test_end_to_end.py `all_customers`)."""
    reads: list[list[CustomerRead]] = []
    for _ in range(60):
        reads.append(await every_customer(client))
        if len(reads) >= 3 and reads[-1] == reads[-2] == reads[-3]:
            break
        await asyncio.sleep(0.05)
    return reads[-1]


async def every_customer(client: AuthenticatedClient) -> list[CustomerRead]:
    customers: list[CustomerRead] = []
    cursor: str | None = None
    while True:
        page = parsed(
            await list_customers.asyncio_detailed(
                client=client, limit=70, cursor=UNSET if cursor is None else cursor
            ),
            CustomerPage,
            HTTPStatus.OK,
        )
        customers.extend(page.data)
        cursor = page.next_cursor
        if cursor is None:
            return customers


async def test_partner_client_connects_a_workspace_syncs_its_users_and_lists_the_customers(
    client: AuthenticatedClient, sandbox_url: str, sandbox_workspaces: list[dict[str, Any]]
) -> None:
    workspace = sandbox_workspaces[0]
    integration = parsed(
        await create_integration.asyncio_detailed(
            client=client, body=IntegrationCreate(access_token=workspace["access_token"])
        ),
        IntegrationRead,
        HTTPStatus.CREATED,
    )
    assert integration.intercom_app_id == workspace["app_id"]

    listed = parsed(
        await list_integrations.asyncio_detailed(client=client), IntegrationPage, HTTPStatus.OK
    )
    assert [item.id for item in listed.data] == [integration.id]

    segments = parsed(
        await list_segments.asyncio_detailed(
            integration.id, client=client, kind=[SegmentKind.USERS]
        ),
        SegmentPage,
        HTTPStatus.OK,
    )
    [users] = segments.data
    contacts = await sandbox_contacts(sandbox_url, workspace["app_id"])
    user_contacts = [contact for contact in contacts if contact["role"] == "user"]
    assert users.contact_count == len(user_contacts)

    started = await start_sync.asyncio_detailed(
        users.id, client=client, body=SyncStart(use_default_mapping=True)
    )
    sync = parsed(started, SyncRead, HTTPStatus.ACCEPTED)
    assert started.headers["location"] == f"/v1/syncs/{sync.id}"

    run = await finished_run(client, sync.id)
    assert run.status == SyncStatus.FINISHED, run
    emails = {c["email"].strip().lower() for c in user_contacts if c["email"].strip()}
    assert run.counters.fetched == len(user_contacts)
    assert run.counters.created == len(emails)

    customers = await settled_customers(client)
    assert {customer.email for customer in customers} == emails

    # "Sync now" again with no body at all: the list's saved mapping, nothing new.
    again = await start_sync.asyncio_detailed(users.id, client=client)
    resynced = await finished_run(client, parsed(again, SyncRead, HTTPStatus.ACCEPTED).id)
    assert resynced.status == SyncStatus.FINISHED, resynced
    assert resynced.counters.unchanged == len(emails)


async def test_partner_client_parses_a_problem_for_an_unknown_segment(
    client: AuthenticatedClient,
) -> None:
    unknown = uuid.uuid4()

    response = await get_segment.asyncio_detailed(unknown, client=client)

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.headers["content-type"] == "application/problem+json"
    problem = parsed(response, Problem, HTTPStatus.NOT_FOUND)
    assert problem.code == "not_found"
    assert problem.status == HTTPStatus.NOT_FOUND
    assert problem.detail == f"Segment {unknown} was not found."
    assert problem.instance == f"/v1/segments/{unknown}"
    # Extensions beyond RFC 9457's members are kept, not dropped.
    assert problem.additional_properties["resource"] == "Segment"
    assert problem.request_id == response.headers["x-request-id"]


async def test_partner_client_parses_the_fields_at_fault_of_invalid_input(
    client: AuthenticatedClient,
) -> None:
    response = await list_segments.asyncio_detailed(uuid.uuid4(), client=client, limit=0)

    problem = parsed(response, Problem, HTTPStatus.UNPROCESSABLE_ENTITY)
    assert problem.code == "validation_failed"
    assert problem.errors
    assert [error.field for error in problem.errors] == ["query.limit"]
