from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select, text, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.models import Customer
from app.domain.scope import AccountScope


@dataclass(frozen=True, slots=True)
class IncomingSource:
    """What one Intercom contact would make of its customer, ready for the database: every value
    already checked (lengths, NUL, JSON) by the sync pipeline."""

    intercom_contact_id: str
    role: str
    email: str
    name: str | None
    phone: str | None
    properties_json: str
    intercom_updated_at: int

    @property
    def rank(self) -> tuple[bool, int, str]:
        """Sorts the winner first among sources of one integration: the order of WINNER_ORDER."""
        return (self.role != "user", -self.intercom_updated_at, self.intercom_contact_id)


@dataclass(frozen=True)
class BatchWrite:
    """What the database made of a batch, for the pipeline to report."""

    customer_by_email: dict[str, uuid.UUID]
    created: set[uuid.UUID]
    changed: set[uuid.UUID]
    # The source each customer takes its values from: (integration id, Intercom contact id).
    winners: dict[uuid.UUID, tuple[uuid.UUID, str]]


# A user over a lead (leads are unverified: anyone can type an email into the Messenger), then the
# most recently updated contact, then the integration connected first. "C" collation: the same
# order as Python's string comparison, which picks the winner among a batch's new customers.
WINNER_ORDER = """
    (s.role = 'user') DESC, s.intercom_updated_at DESC, i.created_at, i.id,
    s.intercom_contact_id COLLATE "C"
"""

# jsonb's text form is canonical (key order, spacing), so equal values hash equal.
CONTENT_HASH = "decode(md5(jsonb_build_array({name}, {phone}, {properties})::text), 'hex')"

_INCOMING = """
    unnest(
        CAST(:contact_ids AS text[]), CAST(:roles AS text[]), CAST(:emails AS text[]),
        CAST(:names AS text[]), CAST(:phones AS text[]), CAST(:properties AS text[]),
        CAST(:updated_ats AS bigint[])
    ) AS incoming(contact_id, role, email, name, phone, properties, updated_at)
"""

_LOCK_CUSTOMERS = text(
    """
    SELECT id, email FROM customers
    WHERE account_id = :account_id AND email = ANY(CAST(:emails AS text[]))
    ORDER BY id
    FOR UPDATE
    """
)

_INSERT_CUSTOMERS = text(
    f"""
    INSERT INTO customers (id, account_id, email, name, phone, properties, content_hash)
    SELECT gen_random_uuid(), :account_id, incoming.email, incoming.name, incoming.phone,
           CAST(incoming.properties AS jsonb),
           {
        CONTENT_HASH.format(
            name="incoming.name",
            phone="incoming.phone",
            properties="CAST(incoming.properties AS jsonb)",
        )
    }
    FROM {_INCOMING}
    ORDER BY incoming.email
    ON CONFLICT (account_id, email) DO NOTHING
    RETURNING id, email
    """
)

# Which customer each contact of the batch belongs to now: a contact whose email changed in
# Intercom leaves its customer, which must then pick a new winner.
_CURRENT_LINKS = text(
    """
    SELECT intercom_contact_id, customer_id FROM customer_sources
    WHERE integration_id = :integration_id
      AND intercom_contact_id = ANY(CAST(:contact_ids AS text[]))
    """
)

# Writes only sources that are new or whose values, customer or rank changed: an unchanged
# re-sync rewrites no row.
_UPSERT_SOURCES = text(
    f"""
    INSERT INTO customer_sources AS s (
        id, account_id, customer_id, integration_id, intercom_contact_id, role, email, name,
        phone, properties, content_hash, intercom_updated_at, changed_at
    )
    SELECT gen_random_uuid(), :account_id, incoming.customer_id, :integration_id,
           incoming.contact_id, incoming.role, incoming.email, incoming.name, incoming.phone,
           CAST(incoming.properties AS jsonb),
           {
        CONTENT_HASH.format(
            name="incoming.name",
            phone="incoming.phone",
            properties="CAST(incoming.properties AS jsonb)",
        )
    },
           incoming.updated_at, now()
    FROM unnest(
        CAST(:contact_ids AS text[]), CAST(:customer_ids AS uuid[]), CAST(:roles AS text[]),
        CAST(:emails AS text[]), CAST(:names AS text[]), CAST(:phones AS text[]),
        CAST(:properties AS text[]), CAST(:updated_ats AS bigint[])
    ) AS incoming(contact_id, customer_id, role, email, name, phone, properties, updated_at)
    ORDER BY incoming.contact_id
    ON CONFLICT (integration_id, intercom_contact_id) DO UPDATE SET
        customer_id = excluded.customer_id, role = excluded.role, email = excluded.email,
        name = excluded.name, phone = excluded.phone, properties = excluded.properties,
        content_hash = excluded.content_hash,
        intercom_updated_at = excluded.intercom_updated_at, changed_at = excluded.changed_at
    WHERE (s.customer_id, s.role, s.content_hash, s.intercom_updated_at)
          IS DISTINCT FROM (excluded.customer_id, excluded.role, excluded.content_hash,
                            excluded.intercom_updated_at)
    """
)

# Every customer of the batch takes the values of its winning source; only those whose values
# differ are written. Returns each customer's winner and whether it changed.
_APPLY_WINNERS = text(
    f"""
    WITH winner AS (
        SELECT DISTINCT ON (s.customer_id)
               s.customer_id, s.integration_id, s.intercom_contact_id, s.name, s.phone,
               s.properties, s.content_hash
        FROM customer_sources AS s
        JOIN integrations AS i ON i.id = s.integration_id
        WHERE s.account_id = :account_id AND s.customer_id = ANY(CAST(:customer_ids AS uuid[]))
        ORDER BY s.customer_id, {WINNER_ORDER}
    ),
    changed AS (
        UPDATE customers AS c
        SET name = winner.name, phone = winner.phone, properties = winner.properties,
            content_hash = winner.content_hash, updated_at = now()
        FROM winner
        WHERE c.id = winner.customer_id AND c.account_id = :account_id
          AND c.content_hash IS DISTINCT FROM winner.content_hash
        RETURNING c.id
    )
    SELECT winner.customer_id, winner.integration_id, winner.intercom_contact_id,
           changed.id IS NOT NULL
    FROM winner LEFT JOIN changed ON changed.id = winner.customer_id
    """
)

_INDEX_LOOKUPS_ONLY = text("SET LOCAL enable_seqscan = off")

# Concurrent inserts of one email: the loser's ON CONFLICT waits, then sees the row only in a
# later statement. A few rounds always suffice; more means something else is wrong.
_MAX_LOCK_ROUNDS = 5


class CustomerRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def page_for_account(
        self, account: AccountScope, *, after: tuple[int, uuid.UUID] | None, limit: int
    ) -> Sequence[Customer]:
        """Customers in the order their transactions began, listing only rows no running
        transaction can still add before: `created_xid` below the snapshot's xmin is final.
        So a client paging to the end, then on from its last cursor, never misses a customer
        that concurrent syncs commit out of order."""
        visible_before = text("(pg_snapshot_xmin(pg_current_snapshot())::text)::bigint")
        query = select(Customer).where(
            Customer.account_id == account.id, Customer.created_xid < visible_before
        )
        if after is not None:
            query = query.where(tuple_(Customer.created_xid, Customer.id) > tuple_(*after))
        result = await self.session.scalars(
            query.order_by(Customer.created_xid, Customer.id).limit(limit)
        )
        return result.all()

    async def write_sources(
        self,
        account: AccountScope,
        integration_id: uuid.UUID,
        winners_by_email: dict[str, IncomingSource],
        sources: Sequence[IncomingSource],
    ) -> BatchWrite:
        """Links each source to the customer of its email (creating the customer from
        `winners_by_email` when there is none), stores its values, and gives every touched
        customer the values of its winning source, in a few set-based statements whose cost
        does not grow with bind parameters.

        Customers are locked in id order first, so two batches touching one customer (a Users
        and a Leads sync, two workspaces) run one after the other and the later one sees the
        earlier one's sources: the winner never depends on timing."""
        # Every statement below looks up a batch of keys: index probes are always the right
        # plan, but during a large import the tables' statistics lag behind their size and the
        # planner picks scans whose cost grows with the table (a quadratic import). Local to
        # this transaction.
        await self.session.execute(_INDEX_LOOKUPS_ONLY)
        ids, created = await self._lock_or_create(account, winners_by_email)
        customer_ids = [ids[source.email] for source in sources]
        columns = _columns(sources)
        links = await self.session.execute(
            _CURRENT_LINKS,
            {"integration_id": integration_id, "contact_ids": columns["contact_ids"]},
        )
        linked: dict[str, uuid.UUID] = {row.intercom_contact_id: row.customer_id for row in links}
        moved_from = {
            linked[s.intercom_contact_id]
            for s, customer_id in zip(sources, customer_ids, strict=True)
            if linked.get(s.intercom_contact_id, customer_id) != customer_id
        }
        await self.session.execute(
            _UPSERT_SOURCES,
            {
                "account_id": account.id,
                "integration_id": integration_id,
                "customer_ids": customer_ids,
                **columns,
            },
        )
        touched = sorted({*ids.values(), *moved_from})
        rows = await self.session.execute(
            _APPLY_WINNERS, {"account_id": account.id, "customer_ids": touched}
        )
        winners: dict[uuid.UUID, tuple[uuid.UUID, str]] = {}
        changed: set[uuid.UUID] = set()
        for customer_id, winner_integration, winner_contact, was_changed in rows:
            winners[customer_id] = (winner_integration, winner_contact)
            if was_changed:
                changed.add(customer_id)
        return BatchWrite(customer_by_email=ids, created=created, changed=changed, winners=winners)

    async def _lock_or_create(
        self, account: AccountScope, winners_by_email: dict[str, IncomingSource]
    ) -> tuple[dict[str, uuid.UUID], set[uuid.UUID]]:
        found: dict[str, uuid.UUID] = {}
        created: set[uuid.UUID] = set()
        missing = sorted(winners_by_email)
        for _ in range(_MAX_LOCK_ROUNDS):
            locked = await self.session.execute(
                _LOCK_CUSTOMERS, {"account_id": account.id, "emails": missing}
            )
            found.update({email: customer_id for customer_id, email in locked})
            missing = [email for email in missing if email not in found]
            if not missing:
                break
            inserted = await self.session.execute(
                _INSERT_CUSTOMERS,
                {"account_id": account.id, **_columns([winners_by_email[e] for e in missing])},
            )
            for customer_id, email in inserted:
                found[email] = customer_id
                created.add(customer_id)
            missing = [email for email in missing if email not in found]
            if not missing:
                break
        else:
            raise RuntimeError(f"{len(missing)} customers could neither be found nor created")
        return found, created


def _columns(sources: Sequence[IncomingSource]) -> dict[str, list[object]]:
    return {
        "contact_ids": [s.intercom_contact_id for s in sources],
        "roles": [s.role for s in sources],
        "emails": [s.email for s in sources],
        "names": [s.name for s in sources],
        "phones": [s.phone for s in sources],
        "properties": [s.properties_json for s in sources],
        "updated_ats": [s.intercom_updated_at for s in sources],
    }
