"""Refresh data on real PostgreSQL with an in-memory Intercom workspace and a recording queue:
what a refresh writes, the lease, failures, and the periodic pass. The periodic pass is tested
with due times a month ahead (its clock is passed in), so that the test worker's own pass on
the real clock never takes these integrations."""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.config import Settings
from app.crypto import SecretBox
from app.db import transaction
from app.domain.integrations.errors import IntegrationNeedsReauth
from app.domain.models import Integration, IntercomAttribute, Segment, SegmentKind
from app.domain.models.integrations import REAUTH_REQUIRED
from app.domain.outbox.service import unit_of_work
from app.domain.refresh import service as refresh
from app.domain.schedule.slots import next_slot
from app.domain.scope import AccountScope
from app.intercom.errors import IntercomAuthError, IntercomError, IntercomServerError
from app.intercom.models import DataAttribute
from app.intercom.models import Segment as IntercomSegment
from tests.fakes.intercom import FakeGateway, FakeWorkspace, contact
from tests.fakes.queue import RecordingQueue
from tests.fixtures.factories import Tenant, create_integration, create_tenant

SETTINGS = refresh.RefreshSettings(
    interval=timedelta(hours=6),
    lease=timedelta(seconds=30),
    start_within=timedelta(minutes=2),
    retry_after=timedelta(minutes=5),
    batch_size=2,
)


def attribute(full_name: str, **fields: object) -> DataAttribute:
    values: dict[str, object] = {
        "name": full_name.split(".")[-1],
        "full_name": full_name,
        "label": full_name.title(),
        "data_type": "string",
        "custom": full_name.startswith("custom_attributes."),
        **fields,
    }
    return DataAttribute.model_validate(values)


@dataclass
class World:
    tenant: Tenant
    account: AccountScope
    integration_id: uuid.UUID
    workspace: FakeWorkspace
    queue: RecordingQueue
    ports: refresh.RefreshPorts


@pytest.fixture
async def world(sessionmaker: async_sessionmaker[AsyncSession], settings: Settings) -> World:
    tenant = await create_tenant(sessionmaker)
    cipher = SecretBox(settings.encryption_keys)
    integration_id = await create_integration(sessionmaker, tenant, cipher.encrypt("token"))
    workspace = FakeWorkspace(
        contacts=[
            contact("u1"),
            contact("u2"),
            contact("u3"),
            contact("l1", role="lead"),
        ],
        segments={"vip": {"u1", "u2"}, "churned": {"u3"}},
        attributes=[
            attribute("email"),
            attribute("custom_attributes.plan"),
            attribute("custom_attributes.old_plan", archived=True),
        ],
    )
    queue = RecordingQueue()
    ports = refresh.RefreshPorts(
        sessionmaker=sessionmaker,
        queue=queue,
        intercom=FakeGateway(workspace),
        cipher=cipher,
        settings=SETTINGS,
    )
    return World(tenant, AccountScope(tenant.account_id), integration_id, workspace, queue, ports)


async def ask(world: World) -> Integration:
    async with unit_of_work(world.ports.sessionmaker, world.queue) as session:
        return await refresh.request(session, world.account, world.integration_id, SETTINGS)


async def run_queued(world: World, *, owner: str = "worker-1") -> int:
    ran = 0
    while world.queue.jobs:
        job = world.queue.jobs.pop(0)
        assert job.name == refresh.REFRESH_JOB
        await refresh.run(world.ports, uuid.UUID(job.kwargs["integration_id"]), owner=owner)
        ran += 1
    return ran


async def integration_of(world: World) -> Integration:
    async with world.ports.sessionmaker() as session:
        integration = await session.get(Integration, world.integration_id)
    assert integration is not None
    return integration


async def segments_of(world: World) -> dict[str, Segment]:
    async with world.ports.sessionmaker() as session:
        result = await session.scalars(
            select(Segment).where(Segment.integration_id == world.integration_id)
        )
        return {segment.source_key: segment for segment in result.all()}


async def attributes_of(world: World) -> dict[str, IntercomAttribute]:
    async with world.ports.sessionmaker() as session:
        result = await session.scalars(
            select(IntercomAttribute).where(
                IntercomAttribute.integration_id == world.integration_id
            )
        )
        return {attribute.name: attribute for attribute in result.all()}


async def test_a_requested_refresh_reloads_lists_counts_and_data_attributes(world: World) -> None:
    asked = await ask(world)
    assert asked.refresh_state["status"] == "pending"
    assert len(world.queue.jobs) == 1

    assert await run_queued(world) == 1

    segments = await segments_of(world)
    assert {key: s.contact_count for key, s in segments.items()} == {
        "users": 3,
        "leads": 1,
        "intercom:vip": 2,
        "intercom:churned": 1,
    }
    attributes = await attributes_of(world)
    assert set(attributes) == {"email", "custom_attributes.plan", "custom_attributes.old_plan"}
    assert attributes["custom_attributes.old_plan"].archived
    assert attributes["custom_attributes.plan"].custom
    integration = await integration_of(world)
    assert integration.refreshed_at is not None
    assert integration.refresh_due_at == next_slot(
        integration.id, SETTINGS.interval, after=integration.refreshed_at
    )
    assert integration.refresh_state["status"] == "idle"
    assert integration.refresh_requested_at is None
    assert integration.refresh_lease_owner is None


async def test_asking_again_while_a_refresh_is_pending_sends_no_second_job(world: World) -> None:
    await ask(world)
    again = await ask(world)

    assert again.refresh_state["status"] == "pending"
    assert len(world.queue.jobs) == 1


async def test_a_duplicate_job_after_the_refresh_finished_does_nothing(world: World) -> None:
    await ask(world)
    job = world.queue.jobs[0]
    await run_queued(world)
    refreshed_at = (await integration_of(world)).refreshed_at

    # The relay sends the same message again: the job finds nothing to claim.
    await refresh.run(world.ports, uuid.UUID(job.kwargs["integration_id"]), owner="worker-2")

    assert (await integration_of(world)).refreshed_at == refreshed_at


async def test_custom_segments_count_their_source_list(world: World) -> None:
    async with transaction(world.ports.sessionmaker) as session:
        session.add(
            Segment(
                account_id=world.tenant.account_id,
                integration_id=world.integration_id,
                kind=SegmentKind.CUSTOM,
                source_key=f"custom:{uuid.uuid4()}",
                name="Leads in France",
                person_type="lead",
            )
        )
    await ask(world)
    await run_queued(world)

    [custom] = [s for s in (await segments_of(world)).values() if s.kind == SegmentKind.CUSTOM]
    assert custom.contact_count == 1
    assert custom.count_refreshed_at is not None
    assert custom.missing_since is None


async def test_a_segment_deleted_in_intercom_is_marked_missing_with_auto_sync_off(
    world: World,
) -> None:
    await ask(world)
    await run_queued(world)
    async with transaction(world.ports.sessionmaker) as session:
        await session.execute(
            update(Segment)
            .where(
                Segment.integration_id == world.integration_id,
                Segment.source_key == "intercom:churned",
            )
            .values(auto_sync=True, next_sync_at=datetime.now(UTC) + timedelta(days=400))
        )
    del world.workspace.segments["churned"]

    await ask(world)
    await run_queued(world)

    churned = (await segments_of(world))["intercom:churned"]
    assert churned.missing_since is not None
    assert not churned.auto_sync
    assert churned.next_sync_at is None


async def test_a_data_attribute_no_longer_returned_is_marked_removed(world: World) -> None:
    await ask(world)
    await run_queued(world)
    world.workspace.attributes = [a for a in world.workspace.attributes if a.name != "plan"]

    await ask(world)
    await run_queued(world)

    attributes = await attributes_of(world)
    assert attributes["custom_attributes.plan"].removed_at is not None
    assert attributes["email"].removed_at is None

    # It comes back: no longer removed.
    world.workspace.attributes.append(attribute("custom_attributes.plan"))
    await ask(world)
    await run_queued(world)
    assert (await attributes_of(world))["custom_attributes.plan"].removed_at is None


async def test_a_refresh_of_an_integration_that_needs_a_reconnect_is_refused(
    world: World,
) -> None:
    async with transaction(world.ports.sessionmaker) as session:
        await session.execute(
            update(Integration)
            .where(Integration.id == world.integration_id)
            .values(status=REAUTH_REQUIRED)
        )

    with pytest.raises(IntegrationNeedsReauth):
        await ask(world)
    assert world.queue.jobs == []


async def test_a_refused_token_requires_a_reconnect_and_is_not_retried(world: World) -> None:
    world.workspace.listing_failure = IntercomAuthError("Token revoked", status=401)
    await ask(world)
    await run_queued(world)

    integration = await integration_of(world)
    assert integration.status == REAUTH_REQUIRED
    assert integration.refresh_state["status"] == "failed"
    assert integration.refresh_error_code == "intercom_token_rejected"
    assert integration.refresh_lease_expires_at is None
    assert world.queue.jobs == []
    # The periodic pass leaves it alone until the workspace is connected again.
    future = datetime.now(UTC) + timedelta(days=30)
    await refresh.enqueue_due(world.ports, now=future)
    assert str(world.integration_id) not in [j.kwargs["integration_id"] for j in world.queue.jobs]


async def test_an_intercom_outage_writes_nothing_and_backs_off(world: World) -> None:
    await ask(world)
    await run_queued(world)
    before = await segments_of(world)
    world.workspace.contacts = [*world.workspace.contacts, contact("u4")]
    world.workspace.listing_failure = IntercomServerError("Bad gateway", status=502)

    await ask(world)
    await run_queued(world)

    integration = await integration_of(world)
    assert integration.refresh_state["status"] == "failed"
    assert integration.refresh_error_code == "intercom_unavailable"
    assert integration.refresh_lease_expires_at is None
    assert integration.refresh_due_at is not None
    wait = integration.refresh_due_at - datetime.now(UTC)
    assert timedelta(minutes=4) < wait <= SETTINGS.retry_after * 1.25
    after = await segments_of(world)
    assert after["users"].contact_count == before["users"].contact_count == 3

    # Intercom is back: the next attempt succeeds and clears the error.
    world.workspace.listing_failure = None
    await ask(world)
    await run_queued(world)
    integration = await integration_of(world)
    assert integration.refresh_state["status"] == "idle"
    assert integration.refresh_error_code is None
    assert (await segments_of(world))["users"].contact_count == 4


async def test_the_periodic_pass_sends_due_refreshes_once(world: World) -> None:
    future = datetime.now(UTC) + timedelta(days=30)
    async with transaction(world.ports.sessionmaker) as session:
        await session.execute(
            update(Integration)
            .where(Integration.id == world.integration_id)
            .values(refresh_due_at=future - timedelta(minutes=1))
        )

    await refresh.enqueue_due(world.ports, now=future)
    await refresh.enqueue_due(world.ports, now=future)  # the lease is held for the job sent

    mine = [j for j in world.queue.jobs if j.kwargs["integration_id"] == str(world.integration_id)]
    assert len(mine) == 1
    assert (await integration_of(world)).refresh_state["status"] == "pending"
    world.queue.jobs = mine
    await run_queued(world)
    integration = await integration_of(world)
    assert integration.refreshed_at is not None
    assert integration.refresh_due_at is not None
    assert integration.refresh_due_at > integration.refreshed_at


async def test_a_refresh_whose_worker_died_is_sent_again_once_its_lease_lapses(
    world: World,
) -> None:
    future = datetime.now(UTC) + timedelta(days=30)
    async with transaction(world.ports.sessionmaker) as session:
        # A job claimed it and died: its lease lapsed, and the refresh is still due.
        await session.execute(
            update(Integration)
            .where(Integration.id == world.integration_id)
            .values(
                refresh_due_at=future - timedelta(minutes=1),
                refresh_lease_owner="dead@worker-0",
                refresh_lease_expires_at=datetime.now(UTC) - timedelta(seconds=1),
            )
        )

    await refresh.enqueue_due(world.ports, now=future)

    mine = [j for j in world.queue.jobs if j.kwargs["integration_id"] == str(world.integration_id)]
    assert len(mine) == 1
    world.queue.jobs = mine
    await run_queued(world)
    integration = await integration_of(world)
    assert integration.refresh_state["status"] == "idle"
    assert integration.refreshed_at is not None


async def test_a_job_that_lost_its_lease_writes_nothing(world: World) -> None:
    await ask(world)
    job = world.queue.jobs.pop(0)
    original = world.workspace.list_segments

    async def steal_lease_then_list(*, include_count: bool = True) -> list:  # type: ignore[type-arg]
        # While this job reads Intercom, its lease lapses and another job claims it.
        async with transaction(world.ports.sessionmaker) as session:
            await session.execute(
                update(Integration)
                .where(Integration.id == world.integration_id)
                .values(refresh_lease_owner="other@worker-2")
            )
        return await original(include_count=include_count)

    world.workspace.list_segments = steal_lease_then_list  # type: ignore[method-assign]
    await refresh.run(world.ports, uuid.UUID(job.kwargs["integration_id"]), owner="worker-1")

    integration = await integration_of(world)
    assert integration.refreshed_at is None
    assert integration.refresh_lease_owner == "other@worker-2"
    assert await segments_of(world) == {}


async def test_odd_segments_and_attributes_from_intercom_never_break_a_refresh(
    world: World,
) -> None:
    world.workspace.listed_segments = [
        IntercomSegment(id="nul", name="VIP\x00s", person_type="user", count=2**40),
        IntercomSegment(id="long-name", name="n" * 500, person_type="contact", count=-3),
        IntercomSegment(id="twice", name="First", person_type="user", count=1),
        IntercomSegment(id="twice", name="Second", person_type="user", count=1),
        IntercomSegment(id="x" * 200, name="Unstorable id", person_type="user", count=1),
        IntercomSegment(id="bad\x00id", name="Bad id", person_type="user", count=1),
    ]
    world.workspace.attributes = [
        attribute("email"),
        attribute("custom_attributes.odd", label="L\x00abel " + "x" * 400, data_type="s" * 60),
        attribute("custom_attributes." + "k" * 300),
    ]
    await ask(world)

    await run_queued(world)

    integration = await integration_of(world)
    assert integration.refresh_state["status"] == "idle", integration.refresh_error
    segments = await segments_of(world)
    assert {key for key in segments if key.startswith("intercom:")} == {
        "intercom:nul",
        "intercom:long-name",
        "intercom:twice",
    }
    assert segments["intercom:nul"].name == "VIP s"
    assert segments["intercom:nul"].contact_count == 2**31 - 1
    assert len(segments["intercom:long-name"].name) == 200
    assert segments["intercom:long-name"].contact_count == 0
    assert segments["intercom:twice"].name == "First"
    attributes = await attributes_of(world)
    assert set(attributes) == {"email", "custom_attributes.odd"}
    assert len(attributes["custom_attributes.odd"].label) == 255
    assert "\x00" not in attributes["custom_attributes.odd"].label


async def segment_of(world: World, segment_id: uuid.UUID) -> Segment:
    async with world.ports.sessionmaker() as session:
        segment = await session.get(Segment, segment_id)
    assert segment is not None
    return segment


async def add_filtered_custom_segment(world: World) -> uuid.UUID:
    """A custom segment on Users whose filter Intercom cannot evaluate (`is set`): counted
    by reading its source's contacts."""
    segment_id = uuid.uuid4()
    async with transaction(world.ports.sessionmaker) as session:
        session.add(
            Segment(
                id=segment_id,
                account_id=world.tenant.account_id,
                integration_id=world.integration_id,
                kind=SegmentKind.CUSTOM,
                source_key=f"custom:{segment_id}",
                name="Users with an email",
                person_type="user",
                mapping=[{"attribute": "email", "property": "email"}],
                filters={"groups": [[{"property": "email", "operator": "is_set"}]]},
                filters_version=1,
            )
        )
    return segment_id


async def test_a_custom_segment_whose_filters_run_here_is_counted_by_reading_its_source(
    world: World,
) -> None:
    segment_id = await add_filtered_custom_segment(world)
    world.workspace.contacts = [*world.workspace.contacts, contact("u4", email=None)]

    await ask(world)
    await run_queued(world)

    custom = await segment_of(world, segment_id)
    # Three users have an email, which the filter asks for; the fourth has none.
    assert (custom.contact_count, custom.count_method) == (3, "local")
    due = (await integration_of(world)).refresh_due_at
    assert due is not None
    # Due at the integration's next slot (its own offset within the interval, so anywhere up
    # to an interval from now), not again at once.
    assert due > datetime.now(UTC)


async def test_a_count_whose_filters_change_meanwhile_is_not_written_and_the_refresh_is_due_again(
    world: World,
) -> None:
    segment_id = await add_filtered_custom_segment(world)
    original = world.workspace.count_contacts

    async def change_filters_then_count(query: Any) -> int:
        async with transaction(world.ports.sessionmaker) as session:
            await session.execute(
                update(Segment).where(Segment.id == segment_id).values(filters_version=2)
            )
        return await original(query)

    world.workspace.count_contacts = change_filters_then_count  # type: ignore[method-assign]
    await ask(world)
    await run_queued(world)

    custom = await segment_of(world, segment_id)
    assert custom.contact_count is None
    integration = await integration_of(world)
    assert integration.refreshed_at is not None
    assert integration.refresh_due_at is not None
    assert integration.refresh_due_at <= datetime.now(UTC)


async def test_a_long_count_renews_its_lease_and_stops_when_it_lost_it(world: World) -> None:
    segment_id = await add_filtered_custom_segment(world)
    world.workspace.contacts = [contact(f"u{i}") for i in range(30)]
    world.ports = dataclasses.replace(
        world.ports, settings=dataclasses.replace(SETTINGS, renew_every=timedelta(0))
    )
    leases: list[datetime | None] = []
    original = world.workspace.reader

    def reader_that_loses_the_lease_midway(query: Any, **options: Any) -> Any:
        inner = original(query, **options)
        pages = inner.pages

        async def watched() -> Any:
            async for page in pages():
                integration = await integration_of(world)
                leases.append(integration.refresh_lease_expires_at)
                if len(leases) == 3:
                    async with transaction(world.ports.sessionmaker) as session:
                        await session.execute(
                            update(Integration)
                            .where(Integration.id == world.integration_id)
                            .values(refresh_lease_owner="other@worker-2")
                        )
                yield page

        inner.pages = watched  # type: ignore[method-assign]
        return inner

    world.workspace.reader = reader_that_loses_the_lease_midway  # type: ignore[method-assign]
    await ask(world)
    await run_queued(world)

    # Renewed as it read (each page pushed the expiry on), then stopped: nothing written.
    assert len(leases) == 3
    assert leases[0] is not None
    assert leases[1] is not None
    assert leases[1] > leases[0]
    integration = await integration_of(world)
    assert integration.refreshed_at is None
    assert integration.refresh_lease_owner == "other@worker-2"
    assert (await segment_of(world, segment_id)).contact_count is None


async def test_a_custom_segment_whose_count_intercom_refuses_keeps_its_count_not_the_refresh(
    world: World,
) -> None:
    segment_id = await add_filtered_custom_segment(world)
    world.workspace.fail_after_pages = 0
    world.workspace.failure = IntercomError("InvalidQuery: not a searchable field", status=400)

    await ask(world)
    await run_queued(world)

    integration = await integration_of(world)
    assert integration.refresh_error_code is None
    assert integration.refreshed_at is not None
    assert (await segments_of(world))["users"].contact_count == 3
    assert (await segment_of(world, segment_id)).contact_count is None
