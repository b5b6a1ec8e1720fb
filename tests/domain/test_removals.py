"""Removals: after a complete run, the list's members it did not see are unlinked and counted,
by whether they left the list or were deleted in Intercom, as the integration's settings say."""

# ruff: noqa: F811  (the `world` fixture is test_runner's, imported)

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.db import transaction
from app.domain.models import (
    Customer,
    CustomerSource,
    CustomerTag,
    Integration,
    SegmentMember,
    SyncStatus,
)
from app.domain.outbox import service as outbox
from app.domain.syncs import commands
from app.intercom.errors import IntercomError, IntercomServerError
from tests.domain.test_runner import TEST_CONFIG, World, people, run_queued, start, world  # noqa: F401
from tests.fakes.intercom import contact
from tests.fixtures.factories import sync_run

TAGGED = TEST_CONFIG.model_copy(update={"tag": "From Intercom"})


async def members(
    sessionmaker: async_sessionmaker[AsyncSession], segment_id: uuid.UUID
) -> set[str]:
    async with sessionmaker() as session:
        rows = await session.scalars(
            select(SegmentMember.intercom_contact_id).where(SegmentMember.segment_id == segment_id)
        )
        return set(rows.all())


async def customers(
    sessionmaker: async_sessionmaker[AsyncSession], world: World
) -> dict[str, bool]:
    """Each customer's email, and whether it is unsubscribed."""
    async with sessionmaker() as session:
        rows = await session.execute(
            select(Customer.email, Customer.unsubscribed_at).where(
                Customer.account_id == world.account.id
            )
        )
        return {email: unsubscribed is not None for email, unsubscribed in rows.all()}


async def tagged(sessionmaker: async_sessionmaker[AsyncSession], world: World) -> int:
    async with sessionmaker() as session:
        rows = await session.scalars(
            select(CustomerTag.customer_id).where(CustomerTag.account_id == world.account.id)
        )
        return len(rows.all())


async def on_deleted(
    sessionmaker: async_sessionmaker[AsyncSession], world: World, value: str
) -> None:
    async with transaction(sessionmaker) as session:
        await session.execute(
            update(Integration)
            .where(Integration.id == world.integration_id)
            .values(settings={"on_deleted_in_intercom": value})
        )


async def sync(world: World, segment_id: uuid.UUID) -> uuid.UUID:
    run_id = await start(world, segment_id, TAGGED)
    await run_queued(world)
    return run_id


@pytest.mark.parametrize(
    ("setting", "deleted_customer_left"),
    [("keep", (True, False)), ("unsubscribe", (True, True)), ("delete", None)],
)
async def test_members_a_complete_run_did_not_see_are_unlinked_by_why(
    world: World,
    sessionmaker: async_sessionmaker[AsyncSession],
    setting: str,
    deleted_customer_left: tuple[bool, bool] | None,
) -> None:
    await on_deleted(sessionmaker, world, setting)
    everyone = people(6)
    world.workspace.contacts = everyone
    await sync(world, world.users)
    assert await members(sessionmaker, world.users) == {c.id for c in everyone}

    # c000 left the list (it is still in Intercom); c001 was deleted in Intercom.
    world.workspace.contacts = everyone[2:]
    world.workspace.elsewhere = {"c000"}
    run_id = await sync(world, world.users)

    run = await sync_run(sessionmaker, run_id)
    assert run.status == SyncStatus.FINISHED
    assert (run.fetched, run.unchanged) == (4, 4)
    assert run.removed_reasons == {"left_segment": 1, f"deleted_in_intercom:{setting}": 1}
    assert run.removed == 2
    assert await members(sessionmaker, world.users) == {c.id for c in everyone[2:]}
    assert await tagged(sessionmaker, world) == 4
    found = await customers(sessionmaker, world)
    assert found["p0@x.io"] is False  # left the list: the customer stays, untouched
    if deleted_customer_left is None:
        assert "p1@x.io" not in found
    else:
        assert ("p1@x.io" in found, found.get("p1@x.io")) == deleted_customer_left
    # Nothing more to remove the next time.
    again = await sync_run(sessionmaker, await sync(world, world.users))
    assert (again.removed, again.removed_reasons) == (0, {})


async def test_a_customer_with_another_contact_is_not_deleted_with_one_of_them(
    world: World, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await on_deleted(sessionmaker, world, "delete")
    user = contact("u1", email="ana@x.io", name="Ana")
    lead = contact("l1", email="ana@x.io", role="lead")
    world.workspace.contacts = [user, lead]
    await sync(world, world.users)
    await sync(world, world.leads)

    world.workspace.contacts = [lead]  # the user was deleted in Intercom
    run = await sync_run(sessionmaker, await sync(world, world.users))

    assert run.removed_reasons == {"deleted_in_intercom:delete": 1}
    assert "ana@x.io" in await customers(sessionmaker, world)
    assert await members(sessionmaker, world.leads) == {"l1"}


async def test_a_cancelled_or_failed_run_removes_nothing(
    world: World, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await on_deleted(sessionmaker, world, "delete")
    world.workspace.contacts = people(5)
    await sync(world, world.users)

    world.workspace.contacts = people(5)[1:]
    cancelled = await start(world, world.users, TAGGED)
    async with outbox.unit_of_work(sessionmaker, world.queue) as session:
        await commands.cancel(session, world.account, cancelled)
    await run_queued(world)
    # Intercom fails the read for good (deferred until it gives up): the run fails.
    world.workspace.fail_after_pages = 0
    world.workspace.failure = IntercomServerError("down", status=503)
    failed = await sync_run(sessionmaker, await sync(world, world.users))

    assert failed.status == SyncStatus.FAILED
    for run_id in (cancelled, failed.id):
        assert (await sync_run(sessionmaker, run_id)).removed == 0
    assert len(await members(sessionmaker, world.users)) == 5
    assert len(await customers(sessionmaker, world)) == 5


async def test_removals_resume_after_an_intercom_outage_and_count_each_member_once(
    world: World, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    world.workspace.contacts = people(10)
    await sync(world, world.users)
    world.workspace.contacts = people(10)[:4]
    world.workspace.elsewhere = {c.id for c in people(10)[4:]}
    checks = 0
    exists = world.workspace.contact_exists

    async def flaky(contact_id: str) -> bool:
        nonlocal checks
        checks += 1
        if checks == 3:
            raise IntercomServerError("blip", status=502)
        return await exists(contact_id)

    world.workspace.contact_exists = flaky  # type: ignore[method-assign]
    # The blip defers the run; the next job goes straight back to its removals.
    run_id = await sync(world, world.users)

    run = await sync_run(sessionmaker, run_id)
    # The chunk that met the blip is checked again whole; each member is counted once.
    assert checks == 6 + 6
    assert run.status == SyncStatus.FINISHED
    assert run.removed_reasons == {"left_segment": 6}
    assert run.fetched == run.unchanged == 4


async def test_a_member_this_run_could_not_import_has_not_left_the_list(
    world: World, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    world.workspace.contacts = people(3)
    await sync(world, world.users)
    # Its name grew too long: it fails this run, and stays a member with its tag.
    world.workspace.contacts = [*people(3)[:2], contact("c002", name="n" * 301, email="p2@x.io")]

    run = await sync_run(sessionmaker, await sync(world, world.users))

    assert run.failed_reasons == {"value_too_long:name": 1}
    assert (run.removed, await tagged(sessionmaker, world)) == (0, 3)
    assert await members(sessionmaker, world.users) == {"c000", "c001", "c002"}


async def test_a_member_intercom_cannot_say_about_stays_and_the_run_finishes(
    world: World, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    world.workspace.contacts = people(3)
    await sync(world, world.users)
    world.workspace.contacts = people(3)[1:]  # c000 is no longer read

    async def refused(contact_id: str) -> bool:
        raise IntercomError("Bad request", status=400)

    world.workspace.contact_exists = refused  # type: ignore[method-assign]
    run = await sync_run(sessionmaker, await sync(world, world.users))

    assert (run.status, run.removed) == (SyncStatus.FINISHED, 0)
    assert "c000" in await members(sessionmaker, world.users)


async def test_a_member_the_read_missed_but_the_list_still_holds_is_not_removed(
    world: World, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    world.workspace.contacts = people(4)
    await sync(world, world.users)
    # The next read misses c001 (a moving workspace, the index's lag), though it is still a
    # user; c003 left the list for real (it is a lead now).
    reader = world.workspace.reader

    def missing_one(query: Any, **options: Any) -> Any:
        inner = reader(query, **options)
        if query.get("operator") != "AND":  # the run's read, not the confirming search
            inner._contacts = [c for c in inner._contacts if c.id != "c001"]
        return inner

    world.workspace.reader = missing_one  # type: ignore[method-assign]
    world.workspace.contacts = [*people(3), contact("c003", role="lead", email="p3@x.io")]

    run = await sync_run(sessionmaker, await sync(world, world.users))

    assert run.removed_reasons == {"left_segment": 1}
    assert await members(sessionmaker, world.users) == {"c000", "c001", "c002"}
    assert await tagged(sessionmaker, world) == 3


async def test_a_deleted_contact_s_source_goes_and_its_customer_takes_the_values_left(
    world: World, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    """The user wins the customer's values (users before leads); once it is deleted in
    Intercom the customer is the lead's, and when the lead goes too the customer is deleted:
    a stale source would keep it for ever."""
    await on_deleted(sessionmaker, world, "delete")
    user = contact("u1", email="ana@x.io", name="Ana the user")
    lead = contact("l1", email="ana@x.io", name="Ana the lead", role="lead")
    world.workspace.contacts = [user, lead]
    await sync(world, world.users)
    await sync(world, world.leads)
    assert await names(sessionmaker, world) == {"ana@x.io": "Ana the user"}

    world.workspace.contacts = [lead]
    await sync(world, world.users)
    assert await names(sessionmaker, world) == {"ana@x.io": "Ana the lead"}
    assert await sources(sessionmaker, world) == {"l1"}

    world.workspace.contacts = []
    run = await sync_run(sessionmaker, await sync(world, world.leads))
    assert run.removed_reasons == {"deleted_in_intercom:delete": 1}
    assert await names(sessionmaker, world) == {}
    assert await sources(sessionmaker, world) == set()


async def names(sessionmaker: async_sessionmaker[AsyncSession], world: World) -> dict[str, str]:
    async with sessionmaker() as session:
        rows = await session.execute(
            select(Customer.email, Customer.name).where(Customer.account_id == world.account.id)
        )
        return {str(email): str(name) for email, name in rows.all()}


async def sources(sessionmaker: async_sessionmaker[AsyncSession], world: World) -> set[str]:
    async with sessionmaker() as session:
        rows = await session.scalars(
            select(CustomerSource.intercom_contact_id).where(
                CustomerSource.account_id == world.account.id
            )
        )
        return set(rows.all())
