"""Integrations over HTTP: rename, syncs refused while Intercom refuses the stored token, the
limit of two, reconnect (restore, revive) and disconnect."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.db import transaction
from app.domain.models import Customer, CustomerSource, Integration, Segment, SyncRun
from app.domain.models.integrations import REAUTH_REQUIRED
from app.domain.scope import AccountScope
from app.domain.syncs import commands
from tests.fixtures.factories import (
    USE_DEFAULT_MAPPING,
    Tenant,
    connect_workspace,
    create_integration,
    create_tenant,
    customers_by_email,
    first_segment,
    integration_count,
    segments_of,
)
from tests.test_bad_input import assert_problem
from tests.test_end_to_end import sync_segment, wait_for_sync


async def test_an_integration_is_renamed_and_keeps_its_workspace_name(
    http: httpx.AsyncClient, tenant: Tenant, sandbox_workspaces: list[dict[str, Any]]
) -> None:
    integration = await connect_workspace(http, tenant, sandbox_workspaces[0]["access_token"])

    renamed = await http.patch(
        f"/v1/integrations/{integration['id']}",
        json={"name": "  EU support  "},
        headers=tenant.headers,
    )

    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["name"] == "EU support"
    read = (await http.get(f"/v1/integrations/{integration['id']}", headers=tenant.headers)).json()
    assert (read["name"], read["workspace_name"]) == ("EU support", integration["workspace_name"])


@pytest.mark.parametrize(
    "body",
    [{}, {"name": ""}, {"name": "   "}, {"name": "a\x00b"}, {"name": "x" * 101}, {"name": 7}],
)
async def test_a_bad_new_name_is_a_422_naming_the_field_and_changes_nothing(
    http: httpx.AsyncClient,
    tenant: Tenant,
    sandbox_workspaces: list[dict[str, Any]],
    body: dict[str, Any],
) -> None:
    integration = await connect_workspace(http, tenant, sandbox_workspaces[0]["access_token"])

    response = await http.patch(
        f"/v1/integrations/{integration['id']}", json=body, headers=tenant.headers
    )

    problem = assert_problem(response, 422)
    assert problem["errors"][0]["field"] == "body.name"
    read = (await http.get(f"/v1/integrations/{integration['id']}", headers=tenant.headers)).json()
    assert read["name"] == integration["name"]


async def test_sync_now_is_a_409_while_the_integration_needs_reauthorisation(
    http: httpx.AsyncClient,
    tenant: Tenant,
    sessionmaker: async_sessionmaker[AsyncSession],
    sandbox_workspaces: list[dict[str, Any]],
) -> None:
    segment = await first_segment(http, tenant, sandbox_workspaces[0]["access_token"])
    async with transaction(sessionmaker) as session:
        await session.execute(
            update(Integration)
            .where(Integration.id == uuid.UUID(segment["integration_id"]))
            .values(status=REAUTH_REQUIRED)
        )

    response = await http.post(
        f"/v1/segments/{segment['id']}/syncs", json=USE_DEFAULT_MAPPING, headers=tenant.headers
    )

    problem = assert_problem(response, 409)
    assert problem["code"] == "integration_reauth_required"
    assert problem["integration_id"] == segment["integration_id"]
    async with sessionmaker() as session:
        runs = await session.scalar(
            select(func.count()).select_from(SyncRun).where(SyncRun.account_id == tenant.account_id)
        )
    assert runs == 0


# -- connect limits, reconnect, disconnect ---------------------------------------------------


async def disconnect(
    http: httpx.AsyncClient, tenant: Tenant, integration_id: str, **params: Any
) -> dict[str, Any]:
    response = await http.delete(
        f"/v1/integrations/{integration_id}", params=params, headers=tenant.headers
    )
    assert response.status_code == 200, response.text
    summary: dict[str, Any] = response.json()
    return summary


async def test_a_third_workspace_is_a_409_that_says_two_is_the_limit(
    http: httpx.AsyncClient,
    tenant: Tenant,
    sessionmaker: async_sessionmaker[AsyncSession],
    sandbox_workspaces: list[dict[str, Any]],
) -> None:
    for slot in (1, 2):
        await create_integration(sessionmaker, tenant, b"not-a-token", slot=slot)

    response = await http.post(
        "/v1/integrations",
        json={"access_token": sandbox_workspaces[0]["access_token"]},
        headers=tenant.headers,
    )

    problem = assert_problem(response, 409)
    assert problem["code"] == "integration_limit_reached"
    assert "at most 2" in problem["detail"]
    assert await integration_count(sessionmaker, tenant) == 2


async def test_a_token_connect_of_a_workspace_needing_reauthorisation_restores_it_with_a_200(
    http: httpx.AsyncClient,
    tenant: Tenant,
    sessionmaker: async_sessionmaker[AsyncSession],
    sandbox_workspaces: list[dict[str, Any]],
) -> None:
    token = sandbox_workspaces[0]["access_token"]
    segment = await first_segment(http, tenant, token)
    async with transaction(sessionmaker) as session:
        await session.execute(
            update(Integration)
            .where(Integration.id == uuid.UUID(segment["integration_id"]))
            .values(status=REAUTH_REQUIRED)
        )

    response = await http.post(
        "/v1/integrations", json={"access_token": token}, headers=tenant.headers
    )

    assert response.status_code == 200, response.text
    assert (response.json()["id"], response.json()["status"]) == (
        segment["integration_id"],
        "connected",
    )
    assert await integration_count(sessionmaker, tenant) == 1
    synced = await http.post(
        f"/v1/segments/{segment['id']}/syncs", json=USE_DEFAULT_MAPPING, headers=tenant.headers
    )
    assert synced.status_code == 202, synced.text


async def test_disconnect_destroys_the_token_frees_the_slot_and_hides_the_integration(
    http: httpx.AsyncClient,
    tenant: Tenant,
    sessionmaker: async_sessionmaker[AsyncSession],
    sandbox_workspaces: list[dict[str, Any]],
) -> None:
    placeholder = await create_integration(sessionmaker, tenant, b"not-a-token", slot=1)
    kept = await connect_workspace(http, tenant, sandbox_workspaces[0]["access_token"])
    assert kept["slot"] == 2

    summary = await disconnect(http, tenant, str(placeholder))

    assert summary == {"cancelled_syncs": 0, "deleted_customers": 0}
    gone = await http.get(f"/v1/integrations/{placeholder}", headers=tenant.headers)
    assert assert_problem(gone, 404)["code"] == "not_found"
    listed = (await http.get("/v1/integrations", headers=tenant.headers)).json()["data"]
    assert [item["id"] for item in listed] == [kept["id"]]
    assert_problem(
        await http.delete(f"/v1/integrations/{placeholder}", headers=tenant.headers), 404
    )
    async with sessionmaker() as session:
        row = await session.get(Integration, placeholder)
    assert row is not None
    assert (row.status, row.slot, row.access_token_encrypted) == ("disconnected", None, None)
    assert row.disconnected_at is not None

    reused = await connect_workspace(http, tenant, sandbox_workspaces[1]["access_token"])
    assert (reused["slot"], reused["name"]) == (1, "Account 1")


async def test_another_accounts_integration_cannot_be_disconnected(
    http: httpx.AsyncClient,
    tenant: Tenant,
    sessionmaker: async_sessionmaker[AsyncSession],
    sandbox_workspaces: list[dict[str, Any]],
) -> None:
    integration = await connect_workspace(http, tenant, sandbox_workspaces[0]["access_token"])
    intruder = await create_tenant(sessionmaker, "Intruder")

    response = await http.delete(f"/v1/integrations/{integration['id']}", headers=intruder.headers)

    assert_problem(response, 404)
    read = await http.get(f"/v1/integrations/{integration['id']}", headers=tenant.headers)
    assert read.json()["status"] == "connected"


async def test_reconnecting_a_disconnected_workspace_revives_its_lists_and_history(
    http: httpx.AsyncClient,
    tenant: Tenant,
    worker: None,
    sandbox_workspaces: list[dict[str, Any]],
) -> None:
    token = sandbox_workspaces[0]["access_token"]
    integration = await connect_workspace(http, tenant, token, name="Main")
    before = await segments_of(http, tenant, integration["id"])
    users = next(segment for segment in before if segment["kind"] == "users")
    sync = await sync_segment(http, tenant, users["id"])
    assert sync["status"] == "finished", sync
    await disconnect(http, tenant, integration["id"])
    assert (await http.get("/v1/integrations", headers=tenant.headers)).json()["data"] == []

    revived = await connect_workspace(http, tenant, token)

    assert revived["id"] == integration["id"]
    # The name its user gave it comes back with it.
    assert (revived["slot"], revived["name"], revived["status"]) == (1, "Main", "connected")
    after = await segments_of(http, tenant, revived["id"])
    assert sorted(segment["id"] for segment in after) == sorted(s["id"] for s in before)
    users_after = next(segment for segment in after if segment["kind"] == "users")
    assert users_after["last_sync"]["id"] == sync["id"]
    assert users_after["auto_sync"] is False


async def test_disconnect_can_delete_the_customers_only_its_workspace_brought(
    http: httpx.AsyncClient, tenant: Tenant, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    leaving = await create_integration(sessionmaker, tenant, b"t", slot=1)
    staying = await create_integration(sessionmaker, tenant, b"t", slot=2)
    other = await create_tenant(sessionmaker, "Other")
    others = await create_integration(sessionmaker, other, b"t", slot=1)
    async with transaction(sessionmaker) as session:
        add_customer(session, tenant, "only-leaving@example.com", [leaving])
        add_customer(session, tenant, "both@example.com", [leaving, staying])
        add_customer(session, tenant, "only-staying@example.com", [staying])
        add_customer(session, other, "only-leaving@example.com", [others])

    summary = await disconnect(http, tenant, str(leaving), delete_customers="true")

    assert summary == {"cancelled_syncs": 0, "deleted_customers": 1}
    assert set(await customers_by_email(sessionmaker, AccountScope(tenant.account_id))) == {
        "both@example.com",
        "only-staying@example.com",
    }
    assert set(await customers_by_email(sessionmaker, AccountScope(other.account_id))) == {
        "only-leaving@example.com"
    }
    async with sessionmaker() as session:
        sources = await session.scalar(
            select(func.count())
            .select_from(CustomerSource)
            .where(CustomerSource.account_id == tenant.account_id)
        )
    assert sources == 3  # both@ keeps its two, only-staying@ its one


async def test_disconnect_keeps_customers_by_default(
    http: httpx.AsyncClient, tenant: Tenant, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    leaving = await create_integration(sessionmaker, tenant, b"t", slot=1)
    async with transaction(sessionmaker) as session:
        add_customer(session, tenant, "kept@example.com", [leaving])

    summary = await disconnect(http, tenant, str(leaving))

    assert summary["deleted_customers"] == 0
    assert set(await customers_by_email(sessionmaker, AccountScope(tenant.account_id))) == {
        "kept@example.com"
    }


@pytest.mark.parametrize("value", ["maybe", "\x00", "x" * 5000])
async def test_a_bad_delete_customers_flag_is_a_422_naming_it(
    http: httpx.AsyncClient,
    tenant: Tenant,
    sessionmaker: async_sessionmaker[AsyncSession],
    value: str,
) -> None:
    integration = await create_integration(sessionmaker, tenant, b"t", slot=1)

    response = await http.delete(
        f"/v1/integrations/{integration}",
        params={"delete_customers": value},
        headers=tenant.headers,
    )

    problem = assert_problem(response, 422)
    assert problem["errors"][0]["field"] == "query.delete_customers"
    assert (await http.get(f"/v1/integrations/{integration}", headers=tenant.headers)).is_success


async def test_disconnect_during_a_running_sync_cancels_it_and_nothing_more_is_written(
    http: httpx.AsyncClient,
    tenant: Tenant,
    worker: None,
    sessionmaker: async_sessionmaker[AsyncSession],
    sandbox_url: str,
    sandbox_workspaces: list[dict[str, Any]],
) -> None:
    segment = await first_segment(http, tenant, sandbox_workspaces[0]["access_token"], "users")
    await set_sandbox_latency(sandbox_url, 1000)
    try:
        started = await http.post(
            f"/v1/segments/{segment['id']}/syncs", json=USE_DEFAULT_MAPPING, headers=tenant.headers
        )
        assert started.status_code == 202, started.text
        sync_id = started.json()["id"]
        await wait_for_status(http, tenant, sync_id, "running")
        # Pages come every second: the first batch is written, more are on their way.
        for _ in range(200):
            if (await customer_rows(sessionmaker, tenant))[0]:
                break
            await asyncio.sleep(0.05)

        summary = await disconnect(http, tenant, segment["integration_id"])
        written = await customer_rows(sessionmaker, tenant)
        await asyncio.sleep(3)  # a few of the worker's pages and heartbeats
    finally:
        await set_sandbox_latency(sandbox_url, 0)

    assert summary["cancelled_syncs"] == 1
    assert 0 < written[0] < segment["contact_count"]
    run = (await http.get(f"/v1/syncs/{sync_id}", headers=tenant.headers)).json()
    assert (run["status"], run["error_code"]) == ("cancelled", "integration_disconnected")
    assert await customer_rows(sessionmaker, tenant) == written
    async with sessionmaker() as session:
        stopped = await session.scalar(
            select(func.count())
            .select_from(Segment)
            .where(Segment.account_id == tenant.account_id, Segment.auto_sync.is_(True))
        )
    assert stopped == 0


async def test_a_run_whose_integration_was_disconnected_before_its_claim_fails_cleanly(
    http: httpx.AsyncClient,
    tenant: Tenant,
    worker: None,
    sessionmaker: async_sessionmaker[AsyncSession],
    sandbox_workspaces: list[dict[str, Any]],
) -> None:
    segment = await first_segment(http, tenant, sandbox_workspaces[0]["access_token"])
    # A sync started as the disconnect committed: the disconnect did not see it to cancel it.
    # Its job is left to the sweeper, which sends it at once (start_within 0).
    async with transaction(sessionmaker) as session:
        run = await commands.start(
            session,
            AccountScope(tenant.account_id),
            uuid.UUID(segment["id"]),
            start_within=timedelta(0),
            use_default_mapping=True,
        )
        await session.execute(
            update(Integration)
            .where(Integration.id == uuid.UUID(segment["integration_id"]))
            .values(
                status="disconnected",
                disconnected_at=func.now(),
                slot=None,
                access_token_encrypted=None,
            )
        )

    ended = await wait_for_sync(http, tenant, str(run.id))

    assert (ended["status"], ended["error_code"]) == ("failed", "source_removed")


def add_customer(
    session: AsyncSession, tenant: Tenant, email: str, integration_ids: list[uuid.UUID]
) -> None:
    customer = Customer(id=uuid.uuid4(), account_id=tenant.account_id, email=email, properties={})
    session.add(customer)
    for index, integration_id in enumerate(integration_ids):
        session.add(
            CustomerSource(
                account_id=tenant.account_id,
                customer_id=customer.id,
                integration_id=integration_id,
                intercom_contact_id=f"contact-{uuid.uuid4().hex[:8]}-{index}",
                role="user",
                email=email,
                properties={},
                content_hash=b"0" * 16,
                changed_at=datetime.now(UTC),
            )
        )


async def customer_rows(
    sessionmaker: async_sessionmaker[AsyncSession], tenant: Tenant
) -> tuple[int, int, datetime | None]:
    """Customers and sources of the account, and the last change of a source."""
    async with sessionmaker() as session:
        customers = await session.scalar(
            select(func.count())
            .select_from(Customer)
            .where(Customer.account_id == tenant.account_id)
        )
        sources, last_change = (
            await session.execute(
                select(func.count(), func.max(CustomerSource.changed_at)).where(
                    CustomerSource.account_id == tenant.account_id
                )
            )
        ).one()
    return int(customers or 0), int(sources), last_change


async def set_sandbox_latency(sandbox_url: str, latency_ms: int) -> None:
    async with httpx.AsyncClient(base_url=sandbox_url) as client:
        response = await client.put("/_sandbox/faults", json={"latency_ms": latency_ms})
    assert response.status_code == 200, response.text


async def wait_for_status(
    http: httpx.AsyncClient, tenant: Tenant, sync_id: str, status: str
) -> dict[str, Any]:
    for _ in range(400):
        body: dict[str, Any] = (
            await http.get(f"/v1/syncs/{sync_id}", headers=tenant.headers)
        ).json()
        if body["status"] == status:
            return body
        assert body["status"] in ("pending", "running"), body
        await asyncio.sleep(0.05)
    raise AssertionError(f"sync {sync_id} never became {status}")


async def test_connecting_never_waits_on_intercom_while_holding_a_transaction_id(
    http: httpx.AsyncClient,
    tenant: Tenant,
    sessionmaker: async_sessionmaker[AsyncSession],
    sandbox_url: str,
    sandbox_workspaces: list[dict[str, Any]],
) -> None:
    """A transaction id held across Intercom calls would hold back every account's customer
    list (it pages below the oldest running transaction) for as long as Intercom is slow."""
    await set_sandbox_latency(sandbox_url, 400)
    try:
        connecting = asyncio.create_task(
            http.post(
                "/v1/integrations",
                json={"access_token": sandbox_workspaces[0]["access_token"]},
                headers=tenant.headers,
            )
        )
        held: list[Any] = []
        while not connecting.done():
            async with sessionmaker() as session:
                rows = await session.execute(
                    text(
                        "SELECT pid, now() - state_change FROM pg_stat_activity "
                        "WHERE datname = current_database() AND backend_xid IS NOT NULL "
                        "AND state = 'idle in transaction' "
                        "AND now() - state_change > interval '300 milliseconds'"
                    )
                )
                held += rows.all()
            await asyncio.sleep(0.05)
        response = await connecting
    finally:
        await set_sandbox_latency(sandbox_url, 0)

    assert response.status_code == 201, response.text
    assert held == []


async def runs_of_account(
    sessionmaker: async_sessionmaker[AsyncSession], tenant: Tenant
) -> list[tuple[str, str | None]]:
    async with sessionmaker() as session:
        rows = await session.execute(
            select(SyncRun.status, SyncRun.error_code).where(
                SyncRun.account_id == tenant.account_id
            )
        )
        return [(status, code) for status, code in rows.all()]


@pytest.mark.parametrize("removal", ["disconnect", "delete_custom_segment"])
async def test_sync_now_beside_a_removal_is_cancelled_by_it_or_refused(
    http: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    sandbox_url: str,
    sandbox_workspaces: list[dict[str, Any]],
    removal: str,
) -> None:
    """Whichever commits first, no run outlives the removal to fail later as `source_removed`:
    a run the removal did not cancel was refused with a 404."""
    await set_sandbox_latency(sandbox_url, 200)  # runs that last beyond the race
    try:
        for _ in range(4):
            tenant = await create_tenant(sessionmaker)
            segment = await first_segment(http, tenant, sandbox_workspaces[0]["access_token"])
            integration_id = segment["integration_id"]
            if removal == "delete_custom_segment":
                created = await http.post(
                    f"/v1/integrations/{integration_id}/segments",
                    json={"name": "Race", "source": "users"},
                    headers=tenant.headers,
                )
                segment = created.json()
                remove = http.delete(f"/v1/segments/{segment['id']}", headers=tenant.headers)
            else:
                remove = http.delete(f"/v1/integrations/{integration_id}", headers=tenant.headers)
            starts = [
                http.post(
                    f"/v1/segments/{segment['id']}/syncs",
                    json=USE_DEFAULT_MAPPING,
                    headers=tenant.headers,
                )
                for _ in range(4)
            ]

            *started, removed = await asyncio.gather(*starts, remove)

            assert removed.status_code in (200, 204), removed.text
            codes = sorted(response.status_code for response in started)
            assert set(codes) <= {202, 404, 409}, [r.text for r in started]
            accepted = codes.count(202)
            runs = await runs_of_account(sessionmaker, tenant)
            assert len(runs) == accepted
            expected = "integration_disconnected" if removal == "disconnect" else "segment_deleted"
            assert runs == [("cancelled", expected)] * accepted
            if removal == "disconnect":
                assert removed.json()["cancelled_syncs"] == accepted
    finally:
        await set_sandbox_latency(sandbox_url, 0)
