"""Concurrent batches on real PostgreSQL: the customer a contact leaves is locked with the
others, so its new winner is never computed from a snapshot a concurrent batch made stale."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import orjson
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.config import Settings
from app.crypto import SecretBox
from app.db import transaction
from app.domain.customers import repository
from app.domain.customers.repository import CustomerRepository
from app.domain.customers.sources import IncomingSource, WriteOptions
from app.domain.scope import AccountScope
from tests.fixtures.factories import create_integration, create_tenant, customers_by_email


def source(contact_id: str, email: str, name: str, role: str = "user") -> IncomingSource:
    return IncomingSource(
        intercom_contact_id=contact_id,
        role=role,
        email=email,
        name=name,
        phone=None,
        properties_json=orjson.dumps({}).decode(),
        intercom_updated_at=1,
    )


async def write(
    session: AsyncSession, account: AccountScope, integration: uuid.UUID, *sources: IncomingSource
) -> None:
    await CustomerRepository(session).write_sources(
        account,
        integration,
        {s.email: s for s in sources},
        list(sources),
        WriteOptions(segment_id=uuid.uuid4()),
    )


async def test_a_contact_moving_away_waits_for_a_concurrent_batch_on_the_customer_it_leaves(
    sessionmaker: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    tenant = await create_tenant(sessionmaker)
    account = AccountScope(tenant.account_id)
    cipher = SecretBox(settings.encryption_keys)
    first = await create_integration(sessionmaker, tenant, cipher.encrypt("t"), slot=1)
    second = await create_integration(sessionmaker, tenant, cipher.encrypt("t"), slot=2)
    async with transaction(sessionmaker) as session:
        await write(session, account, first, source("user", "a@x.io", "The user"))
    async with transaction(sessionmaker) as session:
        await write(session, account, second, source("lead", "a@x.io", "Old lead", "lead"))

    async with sessionmaker() as lead_batch, sessionmaker() as user_batch:
        # The lead changes in one batch, still uncommitted...
        await lead_batch.begin()
        await write(lead_batch, account, second, source("lead", "a@x.io", "New lead", "lead"))
        # ...while the user moves to another email in another batch.
        await user_batch.begin()
        moving = asyncio.create_task(
            write(user_batch, account, first, source("user", "new@x.io", "The user"))
        )
        await asyncio.sleep(0.3)
        assert not moving.done(), "the move must wait for the lock on the customer it leaves"
        await lead_batch.commit()
        await moving
        await user_batch.commit()

    customers = await customers_by_email(sessionmaker, account)
    assert customers["a@x.io"][0] == "New lead"
    assert customers["new@x.io"][0] == "The user"


def _rows_read(plan: dict[str, Any], table: str) -> int:
    """Rows the plan's scans of `table` read: returned or filtered out, over every loop."""
    read = 0
    if plan.get("Relation Name") == table and "Scan" in plan["Node Type"]:
        read = (int(plan["Actual Rows"]) + int(plan.get("Rows Removed by Filter", 0))) * int(
            plan["Actual Loops"]
        )
    join_filtered = int(plan.get("Rows Removed by Join Filter", 0))
    return read + join_filtered + sum(_rows_read(child, table) for child in plan.get("Plans", []))


async def test_batch_updates_probe_customers_by_key_whatever_the_statistics_say(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    """A new account's customers always look few to the planner (its statistics predate the
    import). Updates of a batch's customers must still probe them key by key: given the account
    as a condition, the planner scanned every customer of the account once per id."""
    tenant = await create_tenant(sessionmaker)
    async with sessionmaker() as session, session.begin():
        # Statistics taken before the import, as autovacuum's would be in the middle of one.
        await session.execute(text("ANALYZE customers"))
        ids = list(
            (
                await session.execute(
                    text(
                        "INSERT INTO customers (id, account_id, email, properties) "
                        "SELECT gen_random_uuid(), :account, 'c' || n || '@x.io', '{}' "
                        "FROM generate_series(1, 5000) AS n RETURNING id"
                    ),
                    {"account": tenant.account_id},
                )
            ).scalars()
        )[:200]
        await session.execute(text("SET LOCAL enable_seqscan = off"))  # as a batch does
        for statement, table, parameters in (
            (repository._UNSUBSCRIBE_CUSTOMERS, "customers", {}),
            (repository._UNTAG_CUSTOMERS, "customer_tags", {"segment_id": uuid.uuid4()}),
        ):
            explained = await session.scalar(
                text(f"EXPLAIN (ANALYZE, FORMAT JSON) {statement.text}"),
                {"account_id": tenant.account_id, "customer_ids": ids, **parameters},
            )
            plan = explained[0]["Plan"]
            # Each id read twice at most: found, then changed.
            assert _rows_read(plan, table) <= 2 * len(ids), statement.text
        await session.rollback()


async def test_a_contact_read_older_than_the_state_stored_changes_nothing(
    sessionmaker: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    """A sync reads a page, a webhook writes a newer state of one of its contacts, then the sync
    writes its page: the newer state stays (its email change included), and the report says
    unchanged; a later state is written as usual."""
    tenant = await create_tenant(sessionmaker)
    account = AccountScope(tenant.account_id)
    cipher = SecretBox(settings.encryption_keys)
    integration = await create_integration(sessionmaker, tenant, cipher.encrypt("t"), slot=1)

    def at(updated_at: int, email: str, name: str) -> IncomingSource:
        incoming = source("c1", email, name)
        incoming.intercom_updated_at = updated_at
        return incoming

    async def write_one(incoming: IncomingSource) -> frozenset[str]:
        async with transaction(sessionmaker) as session:
            written = await CustomerRepository(session).write_sources(
                account,
                integration,
                {incoming.email: incoming},
                [incoming],
                WriteOptions(segment_id=uuid.uuid4()),
            )
        return written.stale

    assert await write_one(at(200, "new@x.io", "Newer")) == frozenset()
    assert await write_one(at(100, "old@x.io", "Older")) == {"c1"}
    found = await customers_by_email(sessionmaker, account)
    assert set(found) == {"new@x.io"}, "the stale read made a customer of its old email"
    assert found["new@x.io"][0] == "Newer"
    assert await write_one(at(300, "new@x.io", "Newest")) == frozenset()
    assert (await customers_by_email(sessionmaker, account))["new@x.io"][0] == "Newest"


async def test_a_stale_read_racing_a_newer_write_leaves_no_customer_without_a_contact(
    sessionmaker: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    """The newer state (another email) is written but not committed when the older one reads
    the contact's age: the older batch creates its email's customer, then its upsert finds the
    newer row and writes nothing. That customer goes again, and the contact is reported stale."""
    tenant = await create_tenant(sessionmaker)
    account = AccountScope(tenant.account_id)
    cipher = SecretBox(settings.encryption_keys)
    integration = await create_integration(sessionmaker, tenant, cipher.encrypt("t"), slot=1)
    newer, older = source("c1", "new@x.io", "Newer"), source("c1", "old@x.io", "Older")
    newer.intercom_updated_at, older.intercom_updated_at = 200, 100
    async with sessionmaker() as webhook, sessionmaker() as sync:
        await webhook.begin()
        await write(webhook, account, integration, newer)
        await sync.begin()
        racing = asyncio.create_task(
            CustomerRepository(sync).write_sources(
                account,
                integration,
                {older.email: older},
                [older],
                WriteOptions(segment_id=uuid.uuid4()),
            )
        )
        await asyncio.sleep(0.3)
        assert not racing.done(), "the older write must wait for the newer row"
        await webhook.commit()
        written = await racing
        await sync.commit()
    assert written.stale == {"c1"}
    assert not written.created
    found = await customers_by_email(sessionmaker, account)
    assert set(found) == {"new@x.io"}
    assert found["new@x.io"][0] == "Newer"
