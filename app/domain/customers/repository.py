from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ARRAY,
    Uuid,
    any_,
    bindparam,
    delete,
    exists,
    func,
    select,
    text,
    tuple_,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.customers.sources import BatchWrite, IncomingSource, WriteOptions
from app.domain.models import Customer, CustomerSource, CustomerTag, Segment, SegmentMember
from app.domain.scope import AccountScope

# A user over a lead (leads are unverified: anyone can type an email into the Messenger), then the
# most recently updated contact, then the integration connected first. "C" collation: the same
# order as Python's string comparison, which picks the winner among a batch's new customers.
WINNER_ORDER = """
    (s.role = 'user') DESC, s.intercom_updated_at DESC, i.created_at, i.id,
    s.intercom_contact_id COLLATE "C"
"""

# jsonb's text form is canonical (key order, spacing), so equal values hash equal.
CONTENT_HASH = "decode(md5(jsonb_build_array({name}, {phone}, {properties})::text), 'hex')"

# Each lookup below is LATERAL ... LIMIT 1 over the batch's keys: one probe of the unique
# index per key, a plan the planner cannot turn into a scan of the account's rows. (Given
# `= ANY(array)` instead, it did: with statistics that lag behind a growing import, or a generic
# plan cached while the table was small, each lookup read every row of the account.)

# Locks the batch's customers that exist and creates the others from their winning source, in
# one round trip. Locks are taken in email order (_lock_or_create sorts), the same in every
# transaction, so two batches touching the same customers wait for each other instead of
# deadlocking. A customer a concurrent transaction inserts meanwhile is neither locked nor
# created here (ON CONFLICT DO NOTHING): the caller asks again for those.
_LOCK_OR_CREATE_CUSTOMERS = text(
    f"""
    WITH locked AS MATERIALIZED (
        SELECT found.id, found.email
        FROM unnest(CAST(:lock_emails AS text[])) AS wanted(email)
        CROSS JOIN LATERAL (
            SELECT id, email FROM customers
            WHERE account_id = :account_id AND email = wanted.email
            LIMIT 1
            FOR UPDATE
        ) AS found
    ),
    created AS (
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
        FROM unnest(
            CAST(:emails AS text[]), CAST(:names AS text[]), CAST(:phones AS text[]),
            CAST(:properties AS text[])
        ) AS incoming(email, name, phone, properties)
        WHERE NOT EXISTS (SELECT FROM locked WHERE locked.email = incoming.email)
        ORDER BY incoming.email
        ON CONFLICT (account_id, email) DO NOTHING
        RETURNING id, email
    )
    SELECT id, email, false AS created FROM locked
    UNION ALL
    SELECT id, email, true AS created FROM created
    """
)

# The customers the batch's contacts belong to now. A contact whose email changed in Intercom
# leaves its customer, which must be locked with the others (then pick a new winner): reading
# its winner unlocked, a concurrent batch could make it stale before it is written.
# With each its last written `updated_at`: a contact read older than that (a sync's page read
# before a webhook wrote a newer state) is not written back over it.
_LINKED_CUSTOMER_EMAILS = text(
    """
    SELECT wanted.contact_id, link.intercom_updated_at, customer.email
    FROM unnest(CAST(:contact_ids AS text[])) AS wanted(contact_id)
    CROSS JOIN LATERAL (
        SELECT customer_id, intercom_updated_at FROM customer_sources
        WHERE integration_id = :integration_id AND intercom_contact_id = wanted.contact_id
          AND account_id = :account_id
        LIMIT 1
    ) AS link
    CROSS JOIN LATERAL (
        SELECT email FROM customers
        WHERE id = link.customer_id AND account_id = :account_id
        LIMIT 1
    ) AS customer
    """
)

# Writes only sources that are new or whose values, customer or rank changed: an unchanged
# re-sync rewrites no row.
_UPSERT_SOURCES = text(
    f"""
    INSERT INTO customer_sources AS s (
        id, account_id, customer_id, integration_id, intercom_contact_id, role, email,
        name, phone, properties, content_hash, intercom_updated_at, changed_at
    )
    SELECT gen_random_uuid(), :account_id, incoming.customer_id, :integration_id,
           incoming.contact_id, incoming.role, incoming.email, incoming.name,
           incoming.phone, CAST(incoming.properties AS jsonb),
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
    -- The account check guards the tenant even if a caller passed a foreign integration; the
    -- age check, a write racing one that read the source (never an older state over a newer).
    WHERE s.account_id = :account_id
      AND s.intercom_updated_at <= excluded.intercom_updated_at
      AND (s.customer_id, s.role, s.content_hash, s.intercom_updated_at)
          IS DISTINCT FROM (excluded.customer_id, excluded.role, excluded.content_hash,
                            excluded.intercom_updated_at)
    """
)

# A customer this batch created whose sources the upsert's age check refused (a newer state of
# them was committed after this batch read its ages): nothing is left to make it a customer.
_DELETE_CREATED_WITHOUT_SOURCES = text(
    """
    DELETE FROM customers AS c
    WHERE c.account_id = :account_id AND c.id = ANY(CAST(:customer_ids AS uuid[]))
      AND NOT EXISTS (SELECT 1 FROM customer_sources s WHERE s.customer_id = c.id)
    RETURNING c.id
    """
)

# Every customer of the batch takes the values of its winning source; only those whose values
# differ are written. Returns each customer's winner and whether it changed. The winner is
# looked up customer by customer (LATERAL ... LIMIT 1: an index probe each, which the planner
# cannot turn into a scan of the account's sources).
_APPLY_WINNERS = text(
    f"""
    WITH winner AS MATERIALIZED (
        SELECT best.*
        FROM unnest(CAST(:customer_ids AS uuid[])) AS wanted(customer_id)
        CROSS JOIN LATERAL (
            SELECT s.customer_id, s.integration_id, s.intercom_contact_id, s.name, s.phone,
                   s.properties, s.content_hash
            FROM customer_sources AS s
            JOIN integrations AS i ON i.id = s.integration_id
            WHERE s.customer_id = wanted.customer_id AND s.account_id = :account_id
            ORDER BY {WINNER_ORDER}
            LIMIT 1
        ) AS best
    ),
    changed AS (
        -- By key (see above _UNSUBSCRIBE_CUSTOMERS); the winners are the account's, found above.
        UPDATE customers AS c
        SET name = winner.name, phone = winner.phone, properties = winner.properties,
            content_hash = winner.content_hash, updated_at = now()
        FROM winner
        WHERE c.id = ANY(ARRAY(SELECT customer_id FROM winner))
          AND c.id = winner.customer_id
          AND c.content_hash IS DISTINCT FROM winner.content_hash
        RETURNING c.id
    )
    SELECT winner.customer_id, winner.integration_id, winner.intercom_contact_id,
           changed.id IS NOT NULL
    FROM winner LEFT JOIN changed ON changed.id = winner.customer_id
    """
)

# The segment's tag on each customer it wrote (one row per customer and segment).
_TAG_CUSTOMERS = text(
    """
    INSERT INTO customer_tags AS t (customer_id, segment_id, account_id, tag)
    SELECT wanted.id, :segment_id, :account_id, :tag
    FROM unnest(CAST(:customer_ids AS uuid[])) AS wanted(id)
    ORDER BY wanted.id
    ON CONFLICT (customer_id, segment_id) DO UPDATE SET tag = excluded.tag
    WHERE t.tag IS DISTINCT FROM excluded.tag AND t.account_id = :account_id
    """
)

# The segment has no tag (any more): its customers lose the one it put on them.
_UNTAG_CUSTOMERS = text(
    """
    WITH target AS MATERIALIZED (
        SELECT found.customer_id
        FROM unnest(CAST(:customer_ids AS uuid[])) AS wanted(id)
        CROSS JOIN LATERAL (
            SELECT customer_id FROM customer_tags
            WHERE customer_id = wanted.id AND segment_id = :segment_id
              AND account_id = :account_id
            LIMIT 1
        ) AS found
    )
    DELETE FROM customer_tags AS t
    WHERE t.customer_id = ANY(ARRAY(SELECT customer_id FROM target))
      AND t.segment_id = :segment_id
    """
)

# By key: a statement that changes a batch's rows finds them first, LATERAL ... LIMIT 1 per id
# with the account's condition, then changes `key = ANY(ARRAY(SELECT ...))` of those, with no
# other condition an index could serve. Joined to the ids, or given the account on the rows it
# changes, the planner (its statistics behind a growing import) read every customer of the
# account per batch, or per id: 5 s a batch at 100,000 customers.

# Contacts unsubscribed from Intercom emails unsubscribe their customers from surveys. Never the
# other way: a customer unsubscribed here (or earlier) stays so whatever a sync reads.
_UNSUBSCRIBE_CUSTOMERS = text(
    """
    WITH target AS MATERIALIZED (
        SELECT found.id
        FROM unnest(CAST(:customer_ids AS uuid[])) AS wanted(id)
        CROSS JOIN LATERAL (
            SELECT id FROM customers
            WHERE id = wanted.id AND account_id = :account_id AND unsubscribed_at IS NULL
            LIMIT 1
        ) AS found
    )
    UPDATE customers AS c SET unsubscribed_at = now(), updated_at = now()
    WHERE c.id = ANY(ARRAY(SELECT id FROM target))
    RETURNING c.id
    """
)

# Local to the batch's transaction: other queries of the session keep the planner's judgement.
_INDEX_PROBES_ONLY = text("SET LOCAL enable_seqscan = off")

# Concurrent inserts of one email: the loser's ON CONFLICT waits, then sees the row only in a
# later statement. A few rounds always suffice; more means something else is wrong.
_MAX_LOCK_ROUNDS = 5


_DELETE_ONLY_FROM_INTEGRATION = text(
    """
    DELETE FROM customers AS c
    WHERE c.account_id = :account_id
      AND EXISTS (
          SELECT FROM customer_sources AS s
          WHERE s.customer_id = c.id AND s.integration_id = :integration_id
      )
      AND NOT EXISTS (
          SELECT FROM customer_sources AS s
          WHERE s.customer_id = c.id AND s.integration_id <> :integration_id
      )
    RETURNING c.id
    """
)


@dataclass(frozen=True, slots=True)
class ListedCustomer:
    """A customer as a page lists it."""

    id: uuid.UUID
    email: str
    name: str | None
    phone: str | None
    properties: dict[str, Any]
    unsubscribed_at: datetime | None
    created_at: datetime
    updated_at: datetime
    created_xid: int


_LISTED_COLUMNS = [getattr(Customer, field.name) for field in fields(ListedCustomer)]


class CustomerRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def delete_only_from_integration(
        self, account: AccountScope, integration_id: uuid.UUID
    ) -> int:
        """Deletes the account's customers whose every source is a contact of the integration
        (their sources go with them); a customer another integration also brought stays, whole.
        Returns how many were deleted."""
        result = await self.session.execute(
            _DELETE_ONLY_FROM_INTEGRATION,
            {"account_id": account.id, "integration_id": integration_id},
        )
        return len(result.all())

    async def drop_sources(
        self, account: AccountScope, integration_id: uuid.UUID, contact_ids: Sequence[str]
    ) -> set[uuid.UUID]:
        """Deletes the sources of these contacts (gone from Intercom): the customers they
        belonged to, which the caller has locked, no longer come from them. Answers those of
        the customers that still have a source, after taking their new winner's values."""
        if not contact_ids:
            return set()
        dropped = await self.session.scalars(
            delete(CustomerSource)
            .where(
                CustomerSource.account_id == account.id,
                CustomerSource.integration_id == integration_id,
                CustomerSource.intercom_contact_id.in_(sorted(set(contact_ids))),
            )
            .returning(CustomerSource.customer_id)
        )
        affected = sorted(set(dropped.all()))
        if not affected:
            return set()
        rows = await self.session.execute(
            _APPLY_WINNERS, {"account_id": account.id, "customer_ids": affected}
        )
        return {customer_id for customer_id, *_ in rows}

    async def unsubscribe_contacts(
        self, account: AccountScope, integration_id: uuid.UUID, contact_ids: Sequence[str]
    ) -> int:
        """Unsubscribes (from surveys) the customers these contacts are sources of; answers how
        many were subscribed until now."""
        if not contact_ids:
            return 0
        of_contacts = select(CustomerSource.customer_id).where(
            CustomerSource.account_id == account.id,
            CustomerSource.integration_id == integration_id,
            CustomerSource.intercom_contact_id.in_(sorted(set(contact_ids))),
        )
        result = await self.session.execute(
            update(Customer)
            .where(
                Customer.account_id == account.id,
                Customer.id.in_(of_contacts.scalar_subquery()),
                Customer.unsubscribed_at.is_(None),
            )
            .values(unsubscribed_at=func.now(), updated_at=func.now())
            .returning(Customer.id)
        )
        return len(result.all())

    async def sources_newer_than(
        self,
        account: AccountScope,
        integration_id: uuid.UUID,
        contact_ids: Sequence[str],
        instant: int,
    ) -> set[str]:
        """Those of the contacts whose last sync read them as updated after `instant` (epoch
        seconds): what a notification from before then says of them is out of date."""
        rows = await self.session.scalars(
            select(CustomerSource.intercom_contact_id).where(
                CustomerSource.account_id == account.id,
                CustomerSource.integration_id == integration_id,
                CustomerSource.intercom_contact_id.in_(sorted(set(contact_ids))),
                CustomerSource.intercom_updated_at > instant,
            )
        )
        return set(rows.all())

    async def page_for_account(
        self,
        account: AccountScope,
        *,
        after: tuple[int, uuid.UUID] | None,
        limit: int,
        tag: str | None = None,
        subscribed: bool | None = None,
        integration_id: uuid.UUID | None = None,
        segment_id: uuid.UUID | None = None,
        properties: Sequence[tuple[str, str]] = (),
    ) -> list[ListedCustomer]:
        """Customers in the order their transactions began, listing only rows no running
        transaction can still add before: `created_xid` below the snapshot's xmin is final.
        So a client paging to the end, then on from its last cursor, never misses a customer
        that concurrent syncs commit out of order. Plain rows, not ORM instances: loading a
        hundred into the session was a sixth of a page's CPU."""
        visible_before = text("(pg_snapshot_xmin(pg_current_snapshot())::text)::bigint")
        query = select(*_LISTED_COLUMNS).where(
            Customer.account_id == account.id, Customer.created_xid < visible_before
        )
        if after is not None:
            query = query.where(tuple_(Customer.created_xid, Customer.id) > tuple_(*after))
        for key, value in properties:
            if key == "email":
                query = query.where(Customer.email == value.strip().lower())
            elif key in ("name", "phone"):
                query = query.where(getattr(Customer, key) == value)
            else:
                query = query.where(Customer.properties[key].astext == value)
        if tag is not None:
            query = query.where(
                exists().where(
                    CustomerTag.customer_id == Customer.id,
                    CustomerTag.account_id == account.id,
                    CustomerTag.tag == tag,
                )
            )
        if subscribed is not None:
            query = query.where(
                Customer.unsubscribed_at.is_(None)
                if subscribed
                else Customer.unsubscribed_at.is_not(None)
            )
        if integration_id is not None:
            query = query.where(
                exists().where(
                    CustomerSource.customer_id == Customer.id,
                    CustomerSource.account_id == account.id,
                    CustomerSource.integration_id == integration_id,
                )
            )
        if segment_id is not None:
            query = query.where(
                exists().where(
                    CustomerSource.customer_id == Customer.id,
                    CustomerSource.account_id == account.id,
                    Segment.id == segment_id,
                    Segment.account_id == account.id,
                    CustomerSource.integration_id == Segment.integration_id,
                    SegmentMember.segment_id == Segment.id,
                    SegmentMember.intercom_contact_id == CustomerSource.intercom_contact_id,
                )
            )
        result = await self.session.execute(
            query.order_by(Customer.created_xid, Customer.id).limit(limit)
        )
        return [ListedCustomer(*row) for row in result]

    async def tags_of(
        self, account: AccountScope, customer_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, list[str]]:
        """Each customer's tags, sorted, without repeats (two segments may put the same)."""
        if not customer_ids:
            return {}
        # One array parameter, not one per id: building a hundred bound parameters was a
        # quarter of a customers page's CPU.
        ids = bindparam("customer_ids", list(customer_ids), type_=ARRAY(Uuid()))
        rows = await self.session.execute(
            select(CustomerTag.customer_id, CustomerTag.tag)
            .where(CustomerTag.account_id == account.id, CustomerTag.customer_id == any_(ids))
            .distinct()
            .order_by(CustomerTag.customer_id, CustomerTag.tag)
        )
        tags: dict[uuid.UUID, list[str]] = {}
        for customer_id, tag in rows:
            tags.setdefault(customer_id, []).append(tag)
        return tags

    async def write_sources(
        self,
        account: AccountScope,
        integration_id: uuid.UUID,
        winners_by_email: dict[str, IncomingSource],
        sources: Sequence[IncomingSource],
        options: WriteOptions,
    ) -> BatchWrite:
        """Links each source to the customer of its email (creating the customer from
        `winners_by_email` when there is none), stores its values, and gives every touched
        customer the values of its winning source, in a few set-based statements whose cost
        does not grow with bind parameters.

        Customers are locked first (in email order), so two batches touching one customer (a
        Users and a Leads sync, two workspaces) run one after the other and the later one sees
        the earlier one's sources: the winner never depends on timing."""
        # Belt and braces for the keyed lookups (see _LOCK_OR_CREATE_CUSTOMERS): no table scan.
        await self.session.execute(_INDEX_PROBES_ONLY)
        columns = _columns(sources)
        linked = (
            await self.session.execute(
                _LINKED_CUSTOMER_EMAILS,
                {
                    "account_id": account.id,
                    "integration_id": integration_id,
                    "contact_ids": columns["contact_ids"],
                },
            )
        ).all()
        written_at = {contact_id: updated_at for contact_id, updated_at, _ in linked}
        stale = frozenset(
            source.intercom_contact_id
            for source in sources
            if written_at.get(source.intercom_contact_id, source.intercom_updated_at)
            > source.intercom_updated_at
        )
        if stale:  # a newer state of these contacts is stored already: they change nothing
            sources = [source for source in sources if source.intercom_contact_id not in stale]
            winners_by_email = {}
            for source in sorted(sources, key=lambda source: source.rank):
                winners_by_email.setdefault(source.email, source)
            columns = _columns(sources)
        ids, created = await self._lock_or_create(
            account, winners_by_email, also_lock={email for _, _, email in linked}
        )
        skipped: frozenset[str] = frozenset()
        if options.skip_existing:
            # Duplicates "skip": an email that already was a customer is left as it is (locked
            # above, so the answer cannot change before this transaction ends).
            # Only the batch's own emails: a customer a moved contact leaves (locked too) must
            # still get its new winner below.
            skipped = frozenset(email for email in winners_by_email if ids[email] not in created)
            sources = [source for source in sources if source.email not in skipped]
            columns = _columns(sources)
        if sources:
            await self.session.execute(
                _UPSERT_SOURCES,
                {
                    "account_id": account.id,
                    "integration_id": integration_id,
                    "customer_ids": [ids[source.email] for source in sources],
                    **columns,
                },
            )
            if created:
                orphans = set(
                    (
                        await self.session.execute(
                            _DELETE_CREATED_WITHOUT_SOURCES,
                            {"account_id": account.id, "customer_ids": sorted(created)},
                        )
                    ).scalars()
                )
                if orphans:  # their sources lost the race: stale, as if read so
                    gone = {email for email, customer_id in ids.items() if customer_id in orphans}
                    stale |= {s.intercom_contact_id for s in sources if s.email in gone}
                    sources = [s for s in sources if s.email not in gone]
                    created -= orphans
                    ids = {email: id_ for email, id_ in ids.items() if email not in gone}
                    winners_by_email = {
                        email: source
                        for email, source in winners_by_email.items()
                        if email not in gone
                    }
        # Every locked customer may have gained or lost a source; one this batch created has
        # only this batch's sources and took its winner's values when it was inserted.
        touched = sorted(
            customer_id
            for email, customer_id in ids.items()
            if customer_id not in created and email not in skipped
        )
        winners: dict[uuid.UUID, tuple[uuid.UUID, str]] = {
            ids[email]: (integration_id, source.intercom_contact_id)
            for email, source in winners_by_email.items()
            if email in ids and ids[email] in created
        }
        changed: set[uuid.UUID] = set()
        if touched:
            rows = await self.session.execute(
                _APPLY_WINNERS, {"account_id": account.id, "customer_ids": touched}
            )
            for customer_id, winner_integration, winner_contact, was_changed in rows:
                winners[customer_id] = (winner_integration, winner_contact)
                if was_changed:
                    changed.add(customer_id)
        changed |= await self._apply_segment_settings(account, ids, sources, options)
        return BatchWrite(
            customer_by_email=ids,
            created=created,
            changed=changed,
            winners=winners,
            skipped_existing=skipped,
            stale=stale,
        )

    async def _apply_segment_settings(
        self,
        account: AccountScope,
        ids: dict[str, uuid.UUID],
        sources: Sequence[IncomingSource],
        options: WriteOptions,
    ) -> set[uuid.UUID]:
        """The segment's tag and the contacts' unsubscribes, on the customers of the batch's
        written sources only (not one a moved contact left, nor one skipped); returns the
        customers that were unsubscribed now (a change to report)."""
        customer_ids = sorted({ids[source.email] for source in sources})
        if options.tag or options.untag:
            await self.session.execute(
                _TAG_CUSTOMERS if options.tag else _UNTAG_CUSTOMERS,
                {
                    "account_id": account.id,
                    "segment_id": options.segment_id,
                    "customer_ids": customer_ids,
                    **({"tag": options.tag} if options.tag else {}),
                },
            )
        unsubscribing = sorted({ids[source.email] for source in sources if source.unsubscribed})
        if not unsubscribing:
            return set()
        rows = await self.session.execute(
            _UNSUBSCRIBE_CUSTOMERS, {"account_id": account.id, "customer_ids": unsubscribing}
        )
        return set(rows.scalars())

    async def _lock_or_create(
        self,
        account: AccountScope,
        winners_by_email: dict[str, IncomingSource],
        *,
        also_lock: set[str],
    ) -> tuple[dict[str, uuid.UUID], set[uuid.UUID]]:
        """Locks (in email order) or creates the batch's customers, and locks `also_lock`."""
        found: dict[str, uuid.UUID] = {}
        created: set[uuid.UUID] = set()
        missing = sorted(winners_by_email)
        to_lock = sorted(also_lock.union(missing))
        for _ in range(_MAX_LOCK_ROUNDS):
            winners = [winners_by_email[email] for email in missing]
            rows = await self.session.execute(
                _LOCK_OR_CREATE_CUSTOMERS,
                {
                    "account_id": account.id,
                    "lock_emails": to_lock,
                    "emails": missing,
                    "names": [w.name for w in winners],
                    "phones": [w.phone for w in winners],
                    "properties": [w.properties_json for w in winners],
                },
            )
            for customer_id, email, was_created in rows:
                found[email] = customer_id
                if was_created:
                    created.add(customer_id)
            missing = [email for email in missing if email not in found]
            if not missing:
                break
            to_lock = missing
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
