"""The sync runner on real PostgreSQL with an in-memory Intercom workspace and a recording queue:
leases, hand-overs, crashes, deferrals, fencing, hostile contacts and the order of syncs."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from prometheus_client import CollectorRegistry, Counter
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app import metrics
from app.config import Settings
from app.crypto import SecretBox
from app.db import transaction
from app.domain.mapping.config import Duplicates, MappedAttribute, RunConfig, standard_config
from app.domain.mapping.conversions import Conversion
from app.domain.models import (
    Customer,
    CustomerTag,
    Integration,
    Segment,
    SegmentKind,
    SyncRun,
    SyncStatus,
)
from app.domain.outbox import service as outbox
from app.domain.properties.catalog import Target
from app.domain.scope import AccountScope
from app.domain.syncs import commands, runner
from app.domain.syncs.repository import SyncRunRepository
from app.intercom.errors import IntercomServerError
from app.intercom.models import Contact, MalformedContact
from tests.fakes.intercom import FakeGateway, FakeWorkspace, contact
from tests.fakes.queue import RecordingQueue
from tests.fixtures.factories import (
    Tenant,
    create_integration,
    create_tenant,
    customers_by_email,
    sync_run,
)

SETTINGS = runner.SyncSettings(
    batch_size=4,
    read_concurrency=1,
    lease=timedelta(seconds=30),
    slice=timedelta(seconds=60),
    max_attempts=3,
    max_deferrals=2,
    defer_initial=timedelta(seconds=1),
)


@dataclass
class World:
    tenant: Tenant
    account: AccountScope
    integration_id: uuid.UUID
    users: uuid.UUID
    leads: uuid.UUID
    workspace: FakeWorkspace
    queue: RecordingQueue
    ports: runner.RunnerPorts


@pytest.fixture
async def world(sessionmaker: async_sessionmaker[AsyncSession], settings: Settings) -> World:
    tenant = await create_tenant(sessionmaker)
    cipher = SecretBox(settings.encryption_keys)
    integration = await add_integration(sessionmaker, tenant, cipher, slot=1)
    async with transaction(sessionmaker) as session:
        users, leads = await add_main_lists(session, integration)
    workspace = FakeWorkspace()
    queue = RecordingQueue()
    ports = runner.RunnerPorts(
        sessionmaker=sessionmaker,
        queue=queue,
        intercom=FakeGateway(workspace),
        cipher=cipher,
        settings=SETTINGS,
    )
    return World(
        tenant,
        AccountScope(tenant.account_id),
        integration.id,
        users,
        leads,
        workspace,
        queue,
        ports,
    )


async def add_integration(
    sessionmaker: async_sessionmaker[AsyncSession], tenant: Tenant, cipher: SecretBox, slot: int
) -> Integration:
    integration_id = await create_integration(
        sessionmaker, tenant, cipher.encrypt("token"), slot=slot
    )
    async with sessionmaker() as session:
        integration = await session.get(Integration, integration_id)
    assert integration is not None
    return integration


async def add_main_lists(
    session: AsyncSession, integration: Integration
) -> tuple[uuid.UUID, uuid.UUID]:
    ids = []
    for kind, person_type in ((SegmentKind.USERS, "user"), (SegmentKind.LEADS, "lead")):
        segment = Segment(
            account_id=integration.account_id,
            integration_id=integration.id,
            kind=kind,
            source_key=kind.value,
            name=kind.value.title(),
            person_type=person_type,
        )
        session.add(segment)
        await session.flush()
        ids.append(segment.id)
    return ids[0], ids[1]


# The standard attributes and three custom ones, as a saved mapping would give them.
TEST_CONFIG = RunConfig(
    mapping=(
        *standard_config().mapping,
        *(
            MappedAttribute(
                attribute=f"custom_attributes.{key}",
                property=key,
                conversion=conversion,
                target=Target.PROPERTIES,
            )
            for key, conversion in (
                ("plan", Conversion.TEXT),
                ("mrr", Conversion.NUMBER),
                ("note", Conversion.TEXT),
            )
        ),
    )
)


async def start(world: World, segment_id: uuid.UUID, config: RunConfig = TEST_CONFIG) -> uuid.UUID:
    async with outbox.unit_of_work(world.ports.sessionmaker, world.queue) as session:
        run = await commands.start(
            session,
            world.account,
            segment_id,
            start_within=timedelta(seconds=30),
            use_default_mapping=True,
        )
        run.config = config.to_json()
    return run.id


async def run_queued(world: World, *, owner: str = "worker-1") -> None:
    """Runs the queued jobs of the world's runs, in order, until none is left."""
    while world.queue.jobs:
        job = world.queue.jobs.pop(0)
        await runner.run_slice(
            world.ports,
            uuid.UUID(job.kwargs["sync_id"]),
            job.kwargs["generation"],
            owner=owner,
        )


def counters(run: SyncRun) -> dict[str, Any]:
    return {
        "fetched": run.fetched,
        "created": run.created,
        "updated": run.updated,
        "unchanged": run.unchanged,
        "skipped": run.skipped_reasons,
        "failed": run.failed_reasons,
    }


async def expire_lease(sessionmaker: async_sessionmaker[AsyncSession], run_id: uuid.UUID) -> None:
    async with transaction(sessionmaker) as session:
        await session.execute(
            update(SyncRun)
            .where(SyncRun.id == run_id)
            .values(lease_expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )


class WorkerKilled(BaseException):
    """What a SIGKILL leaves: the job stops mid-read and no handler of the runner runs."""


def people(count: int, *, role: str = "user", prefix: str = "c") -> list[Contact]:
    return [
        contact(f"{prefix}{index:03}", role=role, name=f"Person {index}", email=f"p{index}@x.io")
        for index in range(count)
    ]


async def test_a_sync_reads_every_contact_and_finishes_with_a_report_that_reconciles(
    world: World, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    world.workspace.contacts = people(10)
    run_id = await start(world, world.users)
    assert world.queue.last().kwargs == {"sync_id": str(run_id), "generation": 0}

    await run_queued(world)

    run = await sync_run(sessionmaker, run_id)
    assert run.status == SyncStatus.FINISHED
    assert counters(run) == {
        "fetched": 10,
        "created": 10,
        "updated": 0,
        "unchanged": 0,
        "skipped": {},
        "failed": {},
    }
    assert (run.lease_owner, run.lease_expires_at, run.checkpoint) == (None, None, None)
    assert len(await customers_by_email(sessionmaker, world.account)) == 10


async def test_one_bad_contact_fails_alone_with_its_reason_and_the_run_goes_on(
    world: World, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    world.workspace.contacts = [
        contact("ok1", email="ok1@x.io"),
        contact("long-name", name="n" * 301),
        contact("long-phone", phone="1" * 65),
        contact("long-email", email="a" * 310 + "@example.com"),
        contact("nul-name", name="Ana\x00Lopez"),
        contact("nul-attribute", custom_attributes={"plan": "Pro\x00"}),
        contact("nul-key", custom_attributes={"pl\x00an": "Pro"}),
        contact("surrogate", name="bad \udc80 text"),
        contact("huge-int", custom_attributes={"mrr": 2**70}),
        contact("x" * 65),
        MalformedContact(id="m1", problem="invalid fields: role"),
        contact("ok2", email="ok2@x.io", name="Zoë 李 🚀", custom_attributes={"note": "é\u200b"}),
    ]
    run_id = await start(world, world.users)

    await run_queued(world)

    run = await sync_run(sessionmaker, run_id)
    assert run.status == SyncStatus.FINISHED
    # "nul-key": an attribute no mapping names is not imported, whatever its name.
    assert run.created == 3
    assert run.failed_reasons == {
        "value_too_long:name": 1,
        "value_too_long:phone": 1,
        "value_too_long:email": 1,
        "invalid_text:name": 2,
        "invalid_text:properties.plan": 1,
        "conversion_failed:mrr": 1,
        "value_too_long:id": 1,
        "malformed_contact": 1,
    }
    assert run.fetched == run.created + run.failed
    customers = await customers_by_email(sessionmaker, world.account)
    assert customers["ok2@x.io"][0] == "Zoë 李 🚀"


async def test_a_crashed_slice_resumes_from_its_checkpoint_to_the_report_of_a_clean_run(
    world: World, sessionmaker: async_sessionmaker[AsyncSession], monkeypatch: pytest.MonkeyPatch
) -> None:
    # A counter of the test's own: the session's worker sweeps (and counts) in this process too.
    takeovers = Counter("lease_takeovers", "test", ["work"], registry=CollectorRegistry())
    monkeypatch.setattr(metrics, "LEASE_TAKEOVERS", takeovers)
    world.workspace.contacts = people(20)
    await start(world, world.users)
    await run_queued(world)
    # Everyone changed in Intercom: an uninterrupted run would report 20 updated.
    world.workspace.contacts = [
        contact(c.id, email=c.email, name=f"{c.name} v2", updated_at=1_800_000_000)
        for c in world.workspace.contacts
    ]
    # Batches close at 6 contacts (pages of 3, batches of at least 4): the first batch has
    # committed when the worker dies on the fifth page; the second may be in flight.
    world.workspace.pages_served = 0
    world.workspace.fail_after_pages = 5
    world.workspace.failure = WorkerKilled()  # type: ignore[assignment]
    crashed_id = await start(world, world.users)
    job = world.queue.jobs.pop(0)
    with pytest.raises(WorkerKilled):
        await runner.run_slice(world.ports, crashed_id, job.kwargs["generation"], owner="doomed")
    halfway = await sync_run(sessionmaker, crashed_id)
    assert halfway.status == SyncStatus.RUNNING
    assert (halfway.lease_owner or "").endswith("@doomed")  # one token per claim
    assert 0 < halfway.fetched < 20
    assert halfway.checkpoint is not None

    world.workspace.fail_after_pages = None
    assert await runner.recover_lapsed(world.ports) == 0  # the lease has not lapsed yet
    await expire_lease(sessionmaker, crashed_id)
    assert await runner.recover_lapsed(world.ports) == 1
    assert takeovers.labels("sync")._value.get() == 1
    assert world.queue.last().kwargs == {"sync_id": str(crashed_id), "generation": 1}
    await run_queued(world, owner="survivor")

    resumed = await sync_run(sessionmaker, crashed_id)
    assert resumed.status == SyncStatus.FINISHED
    assert resumed.attempts == 0
    assert counters(resumed) == {
        "fetched": 20,
        "created": 0,
        "updated": 20,
        "unchanged": 0,
        "skipped": {},
        "failed": {},
    }
    customers = await customers_by_email(sessionmaker, world.account)
    assert {name for name, _, _ in customers.values()} == {f"Person {i} v2" for i in range(20)}


async def test_a_job_of_a_replaced_generation_does_nothing(
    world: World, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    world.workspace.contacts = people(5)
    run_id = await start(world, world.users)
    await expire_lease(sessionmaker, run_id)
    await runner.recover_lapsed(world.ports)  # the job never started: generation 1 replaces it
    stale, current = world.queue.jobs

    await runner.run_slice(world.ports, run_id, stale.kwargs["generation"], owner="late")
    assert (await sync_run(sessionmaker, run_id)).fetched == 0
    assert (await sync_run(sessionmaker, run_id)).attempts == 0  # a lost job is not a crash

    await runner.run_slice(world.ports, run_id, current.kwargs["generation"], owner="w")
    assert (await sync_run(sessionmaker, run_id)).status == SyncStatus.FINISHED


async def test_a_worker_that_lost_its_lease_writes_nothing_more(
    world: World, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    world.workspace.contacts = people(12)
    world.workspace.page_size = 4
    run_id = await start(world, world.users)
    world.queue.jobs.clear()

    pages = world.workspace.reader

    def reader(*args: Any, **kwargs: Any) -> Any:
        inner = pages(*args, **kwargs)
        original = inner.pages

        async def pages_then_takeover() -> Any:
            served = 0
            async for page in original():
                yield page
                served += 1
                if served == 2:
                    # Meanwhile the sweeper decided this worker was dead (it skips the run
                    # while a batch holds its row, so it tries until it gets it).
                    for _ in range(100):
                        await expire_lease(sessionmaker, run_id)
                        if await runner.recover_lapsed(world.ports):
                            break
                        await asyncio.sleep(0.01)

        inner.pages = pages_then_takeover  # type: ignore[method-assign]
        return inner

    world.workspace.reader = reader  # type: ignore[method-assign]
    await runner.run_slice(world.ports, run_id, 0, owner="zombie")

    run = await sync_run(sessionmaker, run_id)
    assert run.generation == 1
    # The batch in flight at the takeover may have won the race; nothing read after it is
    # written, and the counters match the rows.
    assert run.fetched in (4, 8)
    assert run.status == SyncStatus.RUNNING
    assert len(await customers_by_email(sessionmaker, world.account)) == run.fetched


async def test_a_run_whose_jobs_keep_dying_fails_after_max_attempts(
    world: World, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    world.workspace.contacts = people(5)
    run_id = await start(world, world.users)
    world.queue.jobs.clear()
    for attempt in range(SETTINGS.max_attempts):
        run = await sync_run(sessionmaker, run_id)
        async with transaction(sessionmaker) as session:
            await SyncRunRepository(session).claim(
                run_id, run.generation, f"dies-{attempt}", SETTINGS.lease
            )
        await expire_lease(sessionmaker, run_id)
        await runner.recover_lapsed(world.ports)

    run = await sync_run(sessionmaker, run_id)
    assert run.status == SyncStatus.FAILED
    assert run.error_code == "internal_error"
    assert run.attempts == SETTINGS.max_attempts
    assert run.lease_expires_at is None


async def test_an_intercom_outage_defers_the_run_then_fails_it_when_it_lasts(
    world: World, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    world.workspace.contacts = people(10)
    world.workspace.fail_after_pages = 2
    world.workspace.failure = IntercomServerError("Service Unavailable", status=503)
    run_id = await start(world, world.users)

    job = world.queue.jobs.pop(0)
    await runner.run_slice(world.ports, run_id, job.kwargs["generation"], owner="w")
    deferred = await sync_run(sessionmaker, run_id)
    assert deferred.status == SyncStatus.RUNNING
    assert deferred.deferrals == 1
    assert deferred.lease_owner is None
    retry = world.queue.last()
    assert retry.kwargs["generation"] == 1
    assert retry.defer_until is not None
    assert retry.defer_until > datetime.now(UTC)

    await run_queued(world)  # fails again on every try, with no progress
    failed = await sync_run(sessionmaker, run_id)
    assert failed.status == SyncStatus.FAILED
    assert failed.error_code == "intercom_unavailable"
    assert failed.fetched == 6  # the batch read before the outage was written, and stays


async def test_an_outage_with_retry_after_defers_the_run_until_then(
    world: World, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    world.workspace.contacts = people(3)
    world.workspace.fail_after_pages = 0
    world.workspace.failure = IntercomServerError("Maintenance", status=503, retry_after_s=120)
    await start(world, world.users)

    job = world.queue.jobs.pop(0)
    await runner.run_slice(world.ports, uuid.UUID(job.kwargs["sync_id"]), 0, owner="w")

    retry = world.queue.last()
    assert retry.defer_until is not None
    wait_s = (retry.defer_until - datetime.now(UTC)).total_seconds()
    assert 110 < wait_s <= 120


async def test_a_run_whose_segment_disappeared_fails_instead_of_being_resent_forever(
    world: World, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    world.workspace.contacts = people(3)
    run_id = await start(world, world.users)
    async with transaction(sessionmaker) as session:
        await session.execute(
            update(Segment).where(Segment.id == world.users).values(missing_since=datetime.now(UTC))
        )
    await run_queued(world)
    run = await sync_run(sessionmaker, run_id)
    assert (run.status, run.error_code) == (SyncStatus.FAILED, "source_removed")


async def test_a_checkpoint_this_code_cannot_read_fails_the_run_with_its_own_code(
    world: World, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    run_id = await start(world, world.users)
    async with transaction(sessionmaker) as session:
        await session.execute(
            update(SyncRun)
            .where(SyncRun.id == run_id)
            .values(checkpoint={"reader": {"version": 99, "partitions": []}})
        )
    await run_queued(world)
    run = await sync_run(sessionmaker, run_id)
    assert (run.status, run.error_code) == (SyncStatus.FAILED, "checkpoint_unreadable")


async def test_an_undecryptable_token_fails_the_run_with_its_own_code(
    world: World, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    async with transaction(sessionmaker) as session:
        await session.execute(
            update(Integration)
            .where(Integration.id == world.integration_id)
            .values(access_token_encrypted=SecretBox([_other_key()]).encrypt("token"))
        )
    run_id = await start(world, world.users)
    await run_queued(world)
    run = await sync_run(sessionmaker, run_id)
    assert (run.status, run.error_code) == (SyncStatus.FAILED, "token_undecryptable")


def _other_key() -> Any:
    from pydantic import SecretStr

    from app.crypto import generate_key

    return SecretStr(generate_key())


USER = {"role": "user", "name": "Ana (user)", "custom_attributes": {"plan": "Pro", "mrr": 99}}
LEAD = {"role": "lead", "name": "ana (lead)", "custom_attributes": {"plan": "Free"}}


def shared_email_contacts() -> list[Contact]:
    return [
        contact("u1", email="Ana@X.io", updated_at=1_000, **USER),
        # The lead is more recent, and still loses to the user: leads are unverified.
        contact("l1", email="ana@x.io ", updated_at=2_000, **LEAD),
        contact("l2", email="bob@x.io", updated_at=1_000, **LEAD),
        contact("l3", email="BOB@x.io", updated_at=3_000, role="lead", name="Bob newer"),
        contact("u2", email="cy@x.io", updated_at=1_000, role="user", name="Cy"),
    ]


@pytest.mark.parametrize("order", ["users_then_leads", "leads_then_users", "both_at_once"])
async def test_a_user_and_a_lead_with_one_email_give_the_same_customers_in_any_order(
    world: World, sessionmaker: async_sessionmaker[AsyncSession], order: str
) -> None:
    world.workspace.contacts = shared_email_contacts()
    world.workspace.page_size = 1
    lists = [world.users, world.leads]
    if order == "leads_then_users":
        lists.reverse()
    if order == "both_at_once":
        ids = [await start(world, segment) for segment in lists]
        jobs = list(world.queue.jobs)
        world.queue.jobs.clear()
        await asyncio.gather(
            *(
                runner.run_slice(world.ports, run_id, job.kwargs["generation"], owner=f"w{i}")
                for i, (run_id, job) in enumerate(zip(ids, jobs, strict=True))
            )
        )
    else:
        for segment in lists:
            await start(world, segment)
            await run_queued(world)

    customers = await customers_by_email(sessionmaker, world.account)
    assert customers == {
        "ana@x.io": ("Ana (user)", None, {"plan": "Pro", "mrr": 99}),
        "bob@x.io": ("Bob newer", None, {}),
        "cy@x.io": ("Cy", None, {}),
    }

    for segment in (world.users, world.leads):
        again = await start(world, segment)
        await run_queued(world)
        run = await sync_run(sessionmaker, again)
        assert (run.created, run.updated) == (0, 0), counters(run)
        assert run.fetched == run.unchanged + run.skipped


@pytest.mark.parametrize("second_first", [True, False])
async def test_an_earlier_connected_workspace_wins_a_tie_whatever_the_order(
    world: World,
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    second_first: bool,
) -> None:
    cipher = SecretBox(settings.encryption_keys)
    second = await add_integration(sessionmaker, world.tenant, cipher, slot=2)
    async with transaction(sessionmaker) as session:
        second_users, _ = await add_main_lists(session, second)
    world.workspace.contacts = [contact("a1", email="tie@x.io", name="From one", updated_at=5)]
    gateway = world.ports.intercom
    assert isinstance(gateway, FakeGateway)
    gateway.by_app_id[second.intercom_app_id] = FakeWorkspace(
        contacts=[contact("b1", email="tie@x.io", name="From two", updated_at=5)]
    )
    lists = [second_users, world.users] if second_first else [world.users, second_users]
    for segment in lists:
        await start(world, segment)
        await run_queued(world)

    customers = await customers_by_email(sessionmaker, world.account)
    assert customers["tie@x.io"][0] == "From one"


async def test_a_contact_whose_email_changed_leaves_its_customer_to_the_next_winner(
    world: World, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    world.workspace.contacts = [
        contact("u1", email="old@x.io", name="The user", updated_at=1),
        contact("l1", role="lead", email="old@x.io", name="The lead", updated_at=1),
    ]
    for segment in (world.users, world.leads):
        await start(world, segment)
        await run_queued(world)
    assert (await customers_by_email(sessionmaker, world.account))["old@x.io"][0] == "The user"

    world.workspace.contacts = [
        contact("u1", email="new@x.io", name="The user", updated_at=2),
        contact("l1", role="lead", email="old@x.io", name="The lead", updated_at=1),
    ]
    run_id = await start(world, world.users)
    await run_queued(world)

    customers = await customers_by_email(sessionmaker, world.account)
    assert customers["new@x.io"][0] == "The user"
    assert customers["old@x.io"][0] == "The lead"
    assert (await sync_run(sessionmaker, run_id)).created == 1


async def customer_state(
    sessionmaker: async_sessionmaker[AsyncSession], world: World
) -> dict[str, tuple[str | None, bool, list[str]]]:
    """email -> (name, unsubscribed, tags)."""
    async with sessionmaker() as session:
        customers = (
            await session.scalars(select(Customer).where(Customer.account_id == world.account.id))
        ).all()
        tags = (
            await session.execute(
                select(CustomerTag.customer_id, CustomerTag.tag).where(
                    CustomerTag.account_id == world.account.id
                )
            )
        ).all()
    by_customer: dict[uuid.UUID, list[str]] = {}
    for customer_id, tag in tags:
        by_customer.setdefault(customer_id, []).append(tag)
    return {
        c.email: (c.name, c.unsubscribed_at is not None, sorted(by_customer.get(c.id, [])))
        for c in customers
    }


async def test_duplicates_skip_leaves_existing_customers_untouched_and_creates_the_new(
    world: World, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    world.workspace.contacts = people(3)
    await start(world, world.users)
    await run_queued(world)
    world.workspace.contacts = [
        contact("c000", name="Renamed", email="p0@x.io"),
        *people(3)[1:],
        contact("c100", name="Newcomer", email="new@x.io"),
    ]

    run_id = await start(
        world, world.users, TEST_CONFIG.model_copy(update={"duplicates": Duplicates.SKIP})
    )
    await run_queued(world)

    run = await sync_run(sessionmaker, run_id)
    assert (run.fetched, run.created, run.updated, run.unchanged) == (4, 1, 0, 0)
    assert run.skipped_reasons == {"duplicate_skipped": 3}
    state = await customer_state(sessionmaker, world)
    assert state["p0@x.io"][0] == "Person 0"  # untouched
    assert state["new@x.io"][0] == "Newcomer"


async def test_a_segment_tags_the_customers_it_syncs_and_takes_its_tag_back_when_it_has_none(
    world: World, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    world.workspace.contacts = people(2)

    async def tags() -> dict[str, list[str]]:
        state = await customer_state(sessionmaker, world)
        return {email: tags for email, (_, _, tags) in state.items()}

    await start(world, world.users, TEST_CONFIG.model_copy(update={"tag": "VIP"}))
    await run_queued(world)
    assert await tags() == {"p0@x.io": ["VIP"], "p1@x.io": ["VIP"]}

    await start(world, world.users, TEST_CONFIG.model_copy(update={"tag": "Gold"}))
    await run_queued(world)
    assert await tags() == {"p0@x.io": ["Gold"], "p1@x.io": ["Gold"]}

    await start(world, world.users)
    await run_queued(world)
    assert await tags() == {"p0@x.io": [], "p1@x.io": []}


@pytest.mark.parametrize("policy", [True, False])
async def test_contacts_unsubscribed_from_emails_unsubscribe_their_customers_for_good(
    world: World, sessionmaker: async_sessionmaker[AsyncSession], policy: bool
) -> None:
    world.workspace.contacts = [
        contact("c1", email="out@x.io", unsubscribed_from_emails=True),
        contact("c2", email="in@x.io"),
    ]
    config = TEST_CONFIG.model_copy(update={"unsubscribe_from_intercom": policy})
    run_id = await start(world, world.users, config)
    await run_queued(world)
    state = await customer_state(sessionmaker, world)
    assert (state["out@x.io"][1], state["in@x.io"][1]) == (policy, False)
    assert (await sync_run(sessionmaker, run_id)).created == 2

    # Subscribing again in Intercom does not subscribe the customer to surveys again.
    world.workspace.contacts = [contact("c1", email="out@x.io"), contact("c2", email="in@x.io")]
    await start(world, world.users, config)
    await run_queued(world)
    assert (await customer_state(sessionmaker, world))["out@x.io"][1] is policy
