"""Property-based proof of a list's filters, end to end: for random filter sets over contacts seeded
with every awkward value (case and space variants, blanks, nulls, missing keys, negative numbers,
instants a second either side of midnight in a timezone far from UTC), a real sync imports
exactly the users that the pure evaluator selects, each mapped by the run's own config the way
the preview maps it (filters/preview.py); and the part of the filters pushed into Intercom's
search never selects fewer, so the sync fetches exactly what that search returns.

The module runs a world of its own. The sandbox has no endpoint that creates contacts or data
attributes (its custom attributes are fixed: plan string, seats integer, mrr float, beta_tester
boolean, renewal_date date), so one runs in this process with one workspace whose contacts are
replaced before it serves; a database, an API and a worker of the module's own point at it (a
worker of the shared database sweeps every run in it, and would read these from the wrong
sandbox).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import hypothesis
import pytest
from hypothesis import HealthCheck, event, given, note
from hypothesis import strategies as st
from sqlalchemy import delete
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.cli import migrate
from app.config import Settings
from app.db import create_engine, create_sessionmaker, transaction
from app.domain.filters import apply, counting, pushdown
from app.domain.filters.language import (
    DATE_RANGE_VALUE,
    DATE_VALUE,
    DAYS_VALUE,
    NO_VALUE,
    NUMBER_VALUE,
    OPERATORS_BY_TYPE,
    TEXT_LIST_VALUE,
    TEXT_VALUE,
    Operator,
)
from app.domain.mapping.config import RunConfig
from app.domain.models import Customer, Segment
from app.domain.properties.catalog import PropertyType
from app.domain.scope import AccountScope
from app.domain.segments import service as segment_service
from app.domain.syncs.mapping import Fail, Mapper, Skip, map_contact
from app.domain.syncs.pipeline import filter_values
from app.intercom.models import Contact
from app.main import create_app
from app.workers.arq_backend import build_worker
from intercom_sandbox.server import create_app as create_sandbox_app
from intercom_sandbox.state import Sandbox, SandboxConfig
from tests.conftest import drop_database
from tests.fixtures.factories import (
    Tenant,
    create_tenant,
    customers_by_email,
    first_segment,
    sync_run,
)
from tests.servers import api_server
from tests.test_end_to_end import sandbox_contacts
from tests.test_mapping_sync import put, sync

# Far from UTC, with daylight saving: local midnight is mid-morning of the day before in UTC.
TIMEZONE = "Pacific/Auckland"
ZONE = ZoneInfo(TIMEZONE)
TODAY = datetime.now(ZONE).date()


def midnight(day: date) -> int:
    return int(datetime.combine(day, time(), tzinfo=ZONE).timestamp())


# Days near today (for "N days ago"), a leap day and both of Auckland's 2025 DST changes.
EDGE_DAYS = sorted(
    {TODAY + timedelta(days=k) for k in (-40, -10, -3, -1, 0, 1, 7)}
    | {date(2024, 2, 29), date(2025, 4, 6), date(2025, 9, 28)}
)
# A second before and after each day's start, and the day's last second.
EDGE_INSTANTS = [
    instant
    for day in EDGE_DAYS
    for instant in (
        midnight(day) - 1,
        midnight(day),
        midnight(day) + 1,
        midnight(day + timedelta(days=1)) - 1,
    )
]

MISSING = object()  # the attribute's key is absent (None: present and null)
PLANS = [
    "Free Trial",
    " free trial ",
    "FREE TRIAL",
    "Free Trial Extended",
    "Pro",
    "pro ",
    "Enterprise",
    "Straße",
    "STRASSE",
    "",
    "   ",
    # A string attribute Intercom returns as a number (set before the attribute existed).
    42,
    2.5,
    None,
    MISSING,
]
# 2**53 + 1 is where a float stops telling integers apart.
SEATS = [-5, -1, 0, 1, 7, 100, 2**53, 2**53 + 1, None, MISSING]
MRR = [-3.25, 0.0, 0.5, 12.5, 99.99, None, MISSING]
BETA = [True, False, None, MISSING]
RENEWALS = [*EDGE_INSTANTS, None, MISSING]
SIGNED_UP = [*EDGE_INSTANTS, None]  # a standard field: null when unset
COUNTRIES = ["New Zealand", " new zealand ", "NEW ZEALAND", "United States", "Åland", "", None]
NAMES = ["Ana Smith", " ana smith ", "ANA SMITH", "Straße Müller", "Zoë", "", None]
USERS, LEADS = 72, 16

ENTRIES: list[dict[str, Any]] = [
    {"attribute": "email", "property": "email"},
    {"attribute": "name", "property": "full_name"},
    {"attribute": "signed_up_at", "property": "signed_up_at"},
    {"attribute": "location.country", "property": "country"},
    *(
        {
            "attribute": f"custom_attributes.{attribute}",
            "create_property": {"key": key, "label": key.title(), "type": kind},
        }
        for attribute, key, kind in (
            ("plan", "plan", "text"),
            ("seats", "seats", "number"),  # an integer attribute: pushed
            ("mrr", "mrr", "number"),  # a float attribute: evaluated locally only
            ("beta_tester", "beta", "boolean"),
            ("renewal_date", "renewal", "date"),
        )
    ),
]
PROPERTY_TYPES = {
    "email": PropertyType.TEXT,
    "full_name": PropertyType.TEXT,
    "country": PropertyType.TEXT,
    "plan": PropertyType.TEXT,
    "seats": PropertyType.NUMBER,
    "mrr": PropertyType.NUMBER,
    "beta": PropertyType.BOOLEAN,
    "renewal": PropertyType.DATE,
    "signed_up_at": PropertyType.DATE,
}


def seeded_contacts() -> list[dict[str, Any]]:
    """The fields each contact gets, users then leads. Every value of the lists above occurs;
    emails are unique once normalised, but for a lead that shares a user's."""
    rng = random.Random(20260611)

    def pick(values: list[Any], position: int) -> Any:
        # Every value once in order, then at random, so that each occurs whatever the seed.
        return values[position] if position < len(values) else rng.choice(values)

    contacts = []
    for n in range(USERS + LEADS):
        role = "user" if n < USERS else "lead"
        address = f"{role}{n:02d}@example.com"
        email: str | None = [address, address.upper(), f"  {address} "][n % 3]
        if n == USERS - 1:
            email = None  # skipped: no email
        if n == USERS - 2:
            email = "user70@localhost"  # skipped: invalid (no dot in its domain)
        if n == USERS:
            email = "user07@example.com"  # a lead with a user's email: the source is users
        custom = {
            "plan": pick(PLANS, n),
            "seats": pick(SEATS, n),
            "mrr": pick(MRR, n),
            "beta_tester": pick(BETA, n),
            "renewal_date": pick(RENEWALS, n),
        }
        country = pick(COUNTRIES, n)
        contacts.append(
            {
                "role": role,
                "email": email,
                "name": pick(NAMES, n),
                "signed_up_at": pick(SIGNED_UP, n) if role == "user" else None,
                # Now and then no location at all, rather than one without a country.
                "location": {"type": "location", "country": country, "region": None, "city": None}
                if n % 11
                else None,
                "custom_attributes": {k: v for k, v in custom.items() if v is not MISSING},
            }
        )
    return contacts


def seeded_sandbox() -> Sandbox:
    """A sandbox of one workspace in Auckland holding exactly the seeded contacts."""
    sandbox = Sandbox(SandboxConfig(seed=3, contacts=0, workspaces=1))
    workspace = sandbox.workspaces[0]
    seeded = seeded_contacts()
    # One contact a minute, so that the reader's created_at partitions see distinct instants.
    start = midnight(TODAY - timedelta(days=400))
    workspace.load([start + 60 * n for n in range(len(seeded))], timezone=TIMEZONE)
    # Nothing was served yet, so nothing rendered or cached holds the generated values.
    for contact, fields in zip(workspace.data.contacts, seeded, strict=True):
        contact.update(fields)
    return sandbox


# -- filter sets ------------------------------------------------------------------------------

TEXT_SEEDS = {
    "plan": [
        "Free Trial",
        "Trial",
        "Free",
        "Pro",
        "Enterprise",
        "Straße",
        "strasse",
        "ss",
        "e",
        "42",
        "2.5",
        "4",
    ],
    "country": ["New Zealand", "Zealand", "New", "United States", "Åland", "åland", "a"],
    "full_name": ["Ana Smith", "ana", "Smith", "Straße Müller", "strasse", "Zoë", "ë", "m"],
    "email": ["user01@example.com", "USER09@EXAMPLE.COM", "example.com", "user0", "lead", ".com"],
}
TEXT_VARIANTS: list[Callable[[str], str]] = [
    lambda text: text,
    str.upper,
    str.lower,
    lambda text: f"  {text} ",
    lambda text: text[: max(1, len(text) // 2)],
    lambda text: text[len(text) // 2 :],
]
NUMBER_SEEDS: dict[str, list[float]] = {
    "seats": [-5, -1, 0, 1, 7, 100, 2**53, 2**53 + 1],
    "mrr": [-3.25, 0.0, 0.5, 12.5, 99.99],
}
FILTER_DAYS = sorted({day + timedelta(days=k) for day in EDGE_DAYS for k in (-1, 0, 1)})
DAYS_AGO = sorted({max(0, (TODAY - day).days) for day in FILTER_DAYS})


def text_values(key: str) -> st.SearchStrategy[str]:
    return (
        st.tuples(st.sampled_from(TEXT_SEEDS[key]), st.sampled_from(TEXT_VARIANTS))
        .map(lambda seed_and_variant: seed_and_variant[1](seed_and_variant[0]))
        .filter(str.strip)
    )


def number_values(key: str) -> st.SearchStrategy[float]:
    near = st.sampled_from(NUMBER_SEEDS[key]).flatmap(
        lambda value: st.sampled_from([value, value - 1, value + 1, value - 0.5, value + 0.5])
    )
    return st.one_of(near, st.sampled_from([-0.0, 1.0, 2.5, 1e15]))


def values_for(key: str, operator: Operator) -> st.SearchStrategy[Any]:
    days = st.sampled_from(FILTER_DAYS)
    if operator in NO_VALUE:
        return st.none()
    if operator in TEXT_VALUE:
        return text_values(key)
    if operator in TEXT_LIST_VALUE:
        return st.lists(text_values(key), min_size=1, max_size=3)
    if operator in NUMBER_VALUE:
        return number_values(key)
    if operator in DATE_VALUE:
        return days.map(date.isoformat)
    if operator in DATE_RANGE_VALUE:
        return st.tuples(days, days).map(lambda pair: [d.isoformat() for d in sorted(pair)])
    assert operator in DAYS_VALUE, operator
    return st.sampled_from(DAYS_AGO)


@st.composite
def conditions(draw: st.DrawFn) -> dict[str, Any]:
    key = draw(st.sampled_from(sorted(PROPERTY_TYPES)))
    operator = draw(st.sampled_from(sorted(OPERATORS_BY_TYPE[PROPERTY_TYPES[key]])))
    value = draw(values_for(key, operator))
    condition = {"property": key, "operator": str(operator)}
    return condition if value is None else {**condition, "value": value}


def filter_sets() -> st.SearchStrategy[dict[str, Any]]:
    """Two times in three a shape whose conditions all AND with the list's query (pushed)."""
    one_group_of_any = st.fixed_dictionaries(
        {
            "combine": st.just("any"),
            "groups": st.lists(conditions(), min_size=1, max_size=3).map(lambda g: [g]),
        }
    )
    groups_of_one = st.fixed_dictionaries(
        {
            "combine": st.just("all"),
            "groups": st.lists(conditions().map(lambda c: [c]), min_size=1, max_size=3),
        }
    )
    anything = st.fixed_dictionaries(
        {
            "combine": st.sampled_from(["any", "all"]),
            "groups": st.lists(
                st.lists(conditions(), min_size=1, max_size=3), min_size=1, max_size=3
            ),
        }
    )
    return st.one_of(one_group_of_any, groups_of_one, anything)


# -- the module's world -----------------------------------------------------------------------


@dataclass
class World:
    api: httpx.AsyncClient
    sessionmaker: async_sessionmaker[AsyncSession]
    tenant: Tenant
    users_id: str
    intercom: httpx.AsyncClient  # the sandbox, as the workspace's token
    contacts: list[Contact]  # every contact of the workspace, leads included
    etag: str = '"0"'

    @property
    def account(self) -> AccountScope:
        return AccountScope(self.tenant.account_id)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        # How Hypothesis prints it with a falsifying example: not every contact, field by field.
        printer.text(f"World(users list {self.users_id}, {len(self.contacts)} contacts)")


@pytest.fixture(scope="module")
def filters_database_url(database_url: str) -> Iterator[str]:
    url = str(make_url(database_url).set(database=f"{make_url(database_url).database}_filters"))
    migrate(url)
    yield url
    asyncio.run(drop_database(url))


@contextlib.asynccontextmanager
async def running_worker(settings: Settings) -> AsyncIterator[None]:
    """A worker in the test's event loop, stopped as conftest's `worker` is."""
    worker = build_worker(settings, handle_signals=False, poll_delay=0.05)
    task = asyncio.create_task(worker.async_run())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        in_flight = [job for job in worker.tasks.values() if not job.done()]
        if in_flight:
            await asyncio.wait(in_flight, timeout=30)
        await worker.close()


@pytest.fixture(scope="module")
async def world(
    settings: Settings, filters_database_url: str, redis_cleanup: None
) -> AsyncIterator[World]:
    sandbox = seeded_sandbox()
    workspace = sandbox.workspaces[0].data
    async with api_server(create_sandbox_app(sandbox)) as sandbox_url:
        own = settings.model_copy(
            update={
                "database_url": filters_database_url,
                "intercom_base_url": sandbox_url,
                # Under the session's prefix: its clean-up takes these keys too.
                "redis_prefix": f"{settings.redis_prefix}-filters",
            }
        )
        engine = create_engine(filters_database_url, pool_size=3)
        try:
            async with (
                api_server(create_app(own)) as api_url,
                running_worker(own),
                httpx.AsyncClient(base_url=api_url, timeout=30) as api,
                httpx.AsyncClient(
                    base_url=sandbox_url,
                    headers={"Authorization": f"Bearer {workspace.access_token}"},
                    timeout=30,
                ) as intercom,
            ):
                sessionmaker = create_sessionmaker(engine)
                tenant = await create_tenant(sessionmaker)
                users = await first_segment(api, tenant, workspace.access_token, "users")
                await put(api, tenant, f"/v1/segments/{users['id']}/mapping", {"entries": ENTRIES})
                raw = await sandbox_contacts(sandbox_url, workspace.app_id)
                yield World(
                    api=api,
                    sessionmaker=sessionmaker,
                    tenant=tenant,
                    users_id=users["id"],
                    intercom=intercom,
                    contacts=[Contact.model_validate(contact) for contact in raw],
                )
        finally:
            await engine.dispose()


# -- the two sides ----------------------------------------------------------------------------


def selected_users(contacts: list[Contact], config: RunConfig) -> dict[str, Contact]:
    """The users the run's filters select, by email: each mapped by the run's config, then
    evaluated on the values filters see, exactly as the preview does."""
    accept = apply.predicate(config)
    selected = {}
    for contact in contacts:
        if contact.role != "user":
            continue
        try:
            mapped = map_contact(contact, config)
        except (Skip, Fail):
            continue
        if accept is None or accept(filter_values(mapped)):
            assert mapped.email not in selected, f"seeded users share {mapped.email}"
            selected[mapped.email] = contact
    return selected


async def search_ids(world: World, query: dict[str, Any]) -> set[str]:
    """Every contact the sandbox's search returns, page after page."""
    ids: set[str] = set()
    pagination: dict[str, Any] = {"per_page": 150}
    while True:
        response = await world.intercom.post(
            "/contacts/search", json={"query": query, "pagination": pagination}
        )
        assert response.status_code == 200, response.text
        body = response.json()
        ids.update(contact["id"] for contact in body["data"])
        following = (body.get("pages") or {}).get("next")
        if not following:
            return ids
        pagination["starting_after"] = following["starting_after"]


def described(world: World, config: RunConfig, emails: set[str]) -> str:
    """Each contact behind these emails, as its attributes and as the values filters saw."""
    lines = []
    for contact in world.contacts:
        try:
            mapped = map_contact(contact, config)
        except (Skip, Fail):
            continue
        if mapped.email in emails:
            lines.append(
                f"  {contact.role} {contact.id} {contact.email!r}: "
                f"custom_attributes={contact.custom_attributes} "
                f"country={contact.location.country if contact.location else None!r} "
                f"signed_up_at={contact.signed_up_at} -> {filter_values(mapped)}"
            )
    return "\n".join(lines)


async def clear_customers(world: World) -> None:
    """Each example starts from no customer, so that a sync's customers are its own."""
    async with transaction(world.sessionmaker) as session:
        await session.execute(delete(Customer).where(Customer.account_id == world.account.id))


@hypothesis.settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(filters=filter_sets())
async def test_a_sync_imports_exactly_what_the_evaluator_selects_and_the_search_never_selects_fewer(
    world: World, filters: dict[str, Any]
) -> None:
    await clear_customers(world)
    saved = await world.api.put(
        f"/v1/segments/{world.users_id}/filters",
        json=filters,
        headers={**world.tenant.headers, "If-Match": world.etag},
    )
    assert saved.status_code == 200, saved.text
    world.etag = saved.headers["etag"]

    run = await sync(world.api, world.tenant, world.users_id)

    stored = (await sync_run(world.sessionmaker, uuid.UUID(run["id"]))).config
    assert stored is not None
    config = RunConfig.from_json(stored)
    async with world.sessionmaker() as session:
        users = await session.get(Segment, uuid.UUID(world.users_id))
        assert users is not None
        query, _ = pushdown.search_query(segment_service.search_query(users), config)
    # Printed with the falsifying example, whichever assertion fails.
    note(f"pushed query {json.dumps(query)}\nrun counters {json.dumps(run['counters'])}")
    expected = selected_users(world.contacts, config)
    # Seen with --hypothesis-show-statistics: the examples are not all trivial.
    event("pushed" if query.get("operator") == "AND" else "evaluated locally only")
    event("selects none" if not expected else "selects some")
    # From the database: the API lists a customer only once no older transaction is open
    # (CustomerRepository.page_for_account), and the worker's own ticks may hold one.
    imported = set(await customers_by_email(world.sessionmaker, world.account))
    assert imported == set(expected), (
        f"imported, not selected:\n{described(world, config, imported - set(expected))}\n"
        f"selected, not imported:\n{described(world, config, set(expected) - imported)}"
    )

    found = await search_ids(world, query)
    missed = {email for email, contact in expected.items() if contact.id not in found}
    assert not missed, (
        f"selected, yet not found by the pushed search:\n{described(world, config, missed)}"
    )
    # The sync read what the pushed search returns, no more and no less.
    assert run["counters"]["fetched"] == len(found)
    # Claimed whole in Intercom, the search is the selection itself (what a count counts:
    # every user the filters select, an email or not).
    if pushdown.fully_pushed(segment_service.search_query(users), config):
        event("pushed whole")
        mapper, keys = Mapper(config), counting.filtered_properties(config)
        accept = apply.predicate(config)
        counted = {
            c.id
            for c in world.contacts
            if c.role == "user" and counting.selects(mapper, accept, keys, c)
        }
        assert found == counted, (
            f"searched, not selected: {sorted(found - counted)}; "
            f"selected, not searched: {sorted(counted - found)}"
        )
