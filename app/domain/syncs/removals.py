"""Removals: what a complete run does with the contacts its list held that it did not see.

Each batch a run writes links the contacts it read to the list (`segment_members`, with the run
that saw them last): imported or not, all but those the list's filters leave out. When the run
has read the whole list, the members it did not see are taken a chunk at a time: Intercom is
asked whether each contact still exists (a 404 means it was deleted, archived or merged away),
then one transaction per chunk unlinks them and counts them:

- `left_segment`: the contact is still in Intercom, and the list's own search (`id IN` the
  chunk, and its filters here) no longer holds it: one it still holds was missed by the read
  and stays. Unlinked; the list's tag comes off its customer.
- `deleted_in_intercom:<action>`: gone from Intercom. Unlinked from every list of the
  integration, and the integration's "deleted in Intercom" setting applies to its customer:
  `delete` (unless the customer still has another Intercom contact, or another list holds it),
  `unsubscribe` (from surveys), or `keep`.

Every chunk deletes the member rows it handled, so the phase resumes where it stopped after a
crash, and handling a member twice is impossible. A member Intercom cannot answer about (an
error other than a 404) stays, for a later run.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.customers.repository import CustomerRepository
from app.domain.filters import apply, counting
from app.domain.integrations.settings import OnDeletedInIntercom
from app.domain.mapping.config import RunConfig
from app.domain.models import (
    ContactTombstone,
    Customer,
    CustomerSource,
    CustomerTag,
    Segment,
    SegmentMember,
)
from app.domain.ports import IntercomWorkspace
from app.domain.scope import AccountScope
from app.domain.syncs.mapping import Mapper
from app.intercom.errors import (
    IntercomAuthError,
    IntercomError,
    IntercomRateLimited,
    IntercomServerError,
    IntercomTransportError,
)
from app.intercom.models import Contact
from app.intercom.query import Filter, QueryBuilder, and_with

LEFT_SEGMENT = "left_segment"
DELETED_IN_INTERCOM = "deleted_in_intercom"
# Existence checks in flight at once, under the workspace's shared rate budget.
CHECK_CONCURRENCY = 8

_LINK = text(
    """
    INSERT INTO segment_members AS m (segment_id, intercom_contact_id, account_id, last_seen_run_id)
    SELECT :segment_id, contact_id, :account_id, :run_id
    FROM unnest(CAST(:contact_ids AS text[])) AS contact_id
    ON CONFLICT (segment_id, intercom_contact_id)
    DO UPDATE SET last_seen_run_id = excluded.last_seen_run_id
    WHERE m.last_seen_run_id IS DISTINCT FROM excluded.last_seen_run_id
    """
)


async def link(
    session: AsyncSession,
    account: AccountScope,
    segment_id: uuid.UUID,
    run_id: uuid.UUID,
    contact_ids: Sequence[str],
) -> None:
    """Marks the batch's contacts members of the list, seen by this run."""
    if contact_ids:
        await session.execute(
            _LINK,
            {
                "segment_id": segment_id,
                "account_id": account.id,
                "run_id": run_id,
                # Sorted: two batches touching the same rows lock them in one order.
                "contact_ids": sorted(set(contact_ids)),
            },
        )


_JOIN = text(
    """
    INSERT INTO segment_members AS m (segment_id, intercom_contact_id, account_id, last_seen_run_id)
    SELECT :segment_id, contact_id, :account_id, NULL
    FROM unnest(CAST(:contact_ids AS text[])) AS contact_id
    ON CONFLICT (segment_id, intercom_contact_id) DO NOTHING
    """
)


async def join(
    session: AsyncSession, account: AccountScope, segment_id: uuid.UUID, contact_ids: Sequence[str]
) -> None:
    """Marks contacts members of the list outside any run (a webhook): seen by no run, so a
    run that does not read them checks them, and one that already saw them is left as it is."""
    if contact_ids:
        await session.execute(
            _JOIN,
            {
                "segment_id": segment_id,
                "account_id": account.id,
                "contact_ids": sorted(set(contact_ids)),
            },
        )


async def unseen(
    session: AsyncSession,
    account: AccountScope,
    segment_id: uuid.UUID,
    run_id: uuid.UUID,
    limit: int,
    *,
    after: str | None = None,
) -> list[str]:
    """Members the run did not see, the next `limit` of them after `after`."""
    query = select(SegmentMember.intercom_contact_id).where(
        SegmentMember.account_id == account.id,
        SegmentMember.segment_id == segment_id,
        SegmentMember.last_seen_run_id.is_distinct_from(run_id),
    )
    if after is not None:
        query = query.where(SegmentMember.intercom_contact_id > after)
    result = await session.scalars(query.order_by(SegmentMember.intercom_contact_id).limit(limit))
    return list(result.all())


async def still_exist(
    workspace: IntercomWorkspace, contact_ids: Sequence[str]
) -> dict[str, bool | None]:
    """Asks Intercom about each contact, a few at a time (no transaction is open). None: it
    could not say for this contact (an answer other than the contact or a 404): that member is
    left for a later run. What concerns the workspace (a refused token, the rate limit, an
    outage) stops the phase, to be resumed."""
    gate = asyncio.Semaphore(CHECK_CONCURRENCY)

    async def check(contact_id: str) -> tuple[str, bool | None]:
        async with gate:
            try:
                return contact_id, await workspace.contact_exists(contact_id)
            except _WORKSPACE_WIDE:
                raise
            except IntercomError:
                return contact_id, None

    return dict(await asyncio.gather(*(check(contact_id) for contact_id in contact_ids)))


# Ids per confirming search (`id IN [...]`): well within what a search filter carries.
CONFIRM_BATCH = 50


async def still_in_list(
    workspace: IntercomWorkspace,
    query: Mapping[str, Any],
    custom_types: Mapping[str, str],
    config: RunConfig,
    contact_ids: Sequence[str],
    *,
    timezone: str | None,
) -> set[str]:
    """Of these contacts (still in Intercom, unseen by the run), those the list's own search
    returns and its filters select: the run's read missed them (a long read of a moving
    workspace, the search index's lag). They are members still, not `left_segment`."""
    accept = apply.predicate(config)
    mapper = Mapper(config)
    keys = counting.filtered_properties(config)
    found: set[str] = set()
    parsed = QueryBuilder(custom_types).parse(query)
    for start in range(0, len(contact_ids), CONFIRM_BATCH):
        ids = list(contact_ids[start : start + CONFIRM_BATCH])
        # Into the list's top AND: its two levels are all Intercom allows.
        combined = and_with(parsed, (Filter("id", "IN", tuple(ids)),))
        if combined is None:  # no room: not confirmed, as before there was a confirmation
            continue
        narrowed = combined.to_json()
        reader = workspace.reader(
            narrowed, timezone=timezone, concurrency=1, custom_attribute_types=custom_types
        )
        async with contextlib.aclosing(reader.pages()) as pages:
            async for page in pages:
                for contact in page.contacts:
                    if not isinstance(contact, Contact) or contact.id not in ids:
                        continue
                    if counting.selects(mapper, accept, keys, contact):
                        found.add(contact.id)
    return found


_WORKSPACE_WIDE = (
    IntercomAuthError,
    IntercomRateLimited,
    IntercomServerError,
    IntercomTransportError,
)


@dataclass
class Handled:
    """What one chunk did, by reason."""

    reasons: dict[str, int] = field(default_factory=dict)

    def count(self, reason: str) -> None:
        self.reasons[reason] = self.reasons.get(reason, 0) + 1


async def handle(
    session: AsyncSession,
    account: AccountScope,
    integration_id: uuid.UUID,
    segment_id: uuid.UUID,
    run_id: uuid.UUID,
    exists: dict[str, bool | None],
    on_deleted: OnDeletedInIntercom,
) -> Handled:
    """Unlinks the chunk's members, as the module's docstring says, in the caller's transaction.
    Only members still unseen by this run are handled. Their customers are locked first, in
    the order a batch's write locks them (by email): a batch adding a source to one of them
    meanwhile is waited for, and then seen."""
    handled = Handled()
    exists = {contact_id: found for contact_id, found in exists.items() if found is not None}
    if not exists:
        return handled
    await lock_customers_of(session, account, integration_id, list(exists))
    members = set(
        (
            await session.scalars(
                select(SegmentMember.intercom_contact_id)
                .where(
                    SegmentMember.account_id == account.id,
                    SegmentMember.segment_id == segment_id,
                    SegmentMember.intercom_contact_id.in_(list(exists)),
                    SegmentMember.last_seen_run_id.is_distinct_from(run_id),
                )
                .order_by(SegmentMember.intercom_contact_id)
                .with_for_update()
            )
        ).all()
    )
    left = sorted(contact_id for contact_id in members if exists[contact_id])
    gone = sorted(contact_id for contact_id in members if not exists[contact_id])
    if left:
        await _untag(session, account, integration_id, segment_id, left)
        await session.execute(
            delete(SegmentMember).where(
                SegmentMember.account_id == account.id,
                SegmentMember.segment_id == segment_id,
                SegmentMember.intercom_contact_id.in_(left),
            )
        )
        for _ in left:
            handled.count(LEFT_SEGMENT)
    if gone:
        await _deleted_in_intercom(session, account, integration_id, segment_id, gone, on_deleted)
        for _ in gone:
            handled.count(f"{DELETED_IN_INTERCOM}:{on_deleted}")
    return handled


async def lock_customers_of(
    session: AsyncSession, account: AccountScope, integration_id: uuid.UUID, contact_ids: list[str]
) -> None:
    """Locks the customers the contacts' sources belong to, in email order, as every writer
    of customers does before it changes their sources."""
    customers = await _customers_of(session, account, integration_id, contact_ids)
    if customers:
        await session.execute(
            select(Customer.id)
            .where(
                Customer.account_id == account.id, Customer.id.in_(sorted(set(customers.values())))
            )
            .order_by(Customer.email)
            .with_for_update()
        )


async def _customers_of(
    session: AsyncSession,
    account: AccountScope,
    integration_id: uuid.UUID,
    contact_ids: Sequence[str],
) -> dict[str, uuid.UUID]:
    rows = await session.execute(
        select(CustomerSource.intercom_contact_id, CustomerSource.customer_id).where(
            CustomerSource.account_id == account.id,
            CustomerSource.integration_id == integration_id,
            CustomerSource.intercom_contact_id.in_(list(contact_ids)),
        )
    )
    return dict(rows.all())


async def _untag(
    session: AsyncSession,
    account: AccountScope,
    integration_id: uuid.UUID,
    segment_id: uuid.UUID,
    contact_ids: Sequence[str],
) -> None:
    """The list's tag comes off the customers of these contacts, unless another of the
    customer's contacts is still a member of the list."""
    customers = await _customers_of(session, account, integration_id, contact_ids)
    if not customers:
        return
    still_held = set(
        (
            await session.scalars(
                select(CustomerSource.customer_id)
                .join(
                    SegmentMember,
                    (SegmentMember.intercom_contact_id == CustomerSource.intercom_contact_id)
                    & (SegmentMember.segment_id == segment_id),
                )
                .where(
                    CustomerSource.account_id == account.id,
                    CustomerSource.integration_id == integration_id,
                    CustomerSource.customer_id.in_(list(customers.values())),
                    CustomerSource.intercom_contact_id.not_in(list(contact_ids)),
                )
            )
        ).all()
    )
    untagged = sorted(set(customers.values()) - still_held)
    if untagged:
        await session.execute(
            delete(CustomerTag).where(
                CustomerTag.account_id == account.id,
                CustomerTag.segment_id == segment_id,
                CustomerTag.customer_id.in_(untagged),
            )
        )


async def contacts_gone(
    session: AsyncSession,
    account: AccountScope,
    integration_id: uuid.UUID,
    contact_ids: Sequence[str],
    on_deleted: OnDeletedInIntercom,
    *,
    gone_at: int | None = None,
) -> None:
    """Contacts Intercom says were deleted or archived (a webhook), handled as a removal
    handles those it finds gone, in the caller's transaction, their customers locked first."""
    if contact_ids:
        await lock_customers_of(session, account, integration_id, list(contact_ids))
        await _deleted_in_intercom(
            session, account, integration_id, None, contact_ids, on_deleted, gone_at=gone_at
        )


_BURY = text(
    """
    INSERT INTO contact_tombstones AS t (integration_id, intercom_contact_id, account_id, gone_at)
    SELECT :integration_id, contact_id, :account_id, :gone_at
    FROM unnest(CAST(:contact_ids AS text[])) AS contact_id
    ORDER BY contact_id
    ON CONFLICT (integration_id, intercom_contact_id)
    DO UPDATE SET gone_at = GREATEST(t.gone_at, excluded.gone_at), recorded_at = now()
    WHERE t.account_id = excluded.account_id
    """
)


async def gone_since(
    session: AsyncSession, account: AccountScope, integration_id: uuid.UUID, contact_id: str
) -> int | None:
    """When the contact was last known gone (epoch seconds), if ever."""
    found: int | None = await session.scalar(
        select(ContactTombstone.gone_at).where(
            ContactTombstone.account_id == account.id,
            ContactTombstone.integration_id == integration_id,
            ContactTombstone.intercom_contact_id == contact_id,
        )
    )
    return found


async def _deleted_in_intercom(
    session: AsyncSession,
    account: AccountScope,
    integration_id: uuid.UUID,
    segment_id: uuid.UUID | None,
    contact_ids: Sequence[str],
    on_deleted: OnDeletedInIntercom,
    *,
    gone_at: int | None = None,
) -> None:
    customers = await _customers_of(session, account, integration_id, contact_ids)
    await session.execute(
        _BURY,
        {
            "integration_id": integration_id,
            "account_id": account.id,
            "gone_at": gone_at if gone_at is not None else int(time.time()),
            "contact_ids": sorted(set(contact_ids)),
        },
    )
    # Gone from the workspace: a member of none of its lists any more, and tagged by none.
    unlinked = await session.execute(
        delete(SegmentMember)
        .where(
            SegmentMember.account_id == account.id,
            SegmentMember.intercom_contact_id.in_(list(contact_ids)),
            SegmentMember.segment_id.in_(
                select(Segment.id).where(Segment.integration_id == integration_id)
            ),
        )
        .returning(SegmentMember.segment_id, SegmentMember.intercom_contact_id)
    )
    by_segment: dict[uuid.UUID, list[str]] = {segment_id: list(contact_ids)} if segment_id else {}
    for member_segment, contact_id in unlinked.all():
        by_segment.setdefault(member_segment, []).append(contact_id)
    for member_segment, ids in sorted(by_segment.items()):
        await _untag(session, account, integration_id, member_segment, sorted(set(ids)))
    # Their sources go whatever the setting: a customer kept is no longer from these contacts,
    # takes its values from the sources it has left, and a later deletion of its last contact
    # finds it from none other.
    still_sourced = await CustomerRepository(session).drop_sources(
        account, integration_id, contact_ids
    )
    affected = sorted(set(customers.values()))
    if not affected or on_deleted == OnDeletedInIntercom.KEEP:
        return
    if on_deleted == OnDeletedInIntercom.UNSUBSCRIBE:
        await session.execute(
            update(Customer)
            .where(
                Customer.account_id == account.id,
                Customer.id.in_(affected),
                Customer.unsubscribed_at.is_(None),
            )
            .values(unsubscribed_at=func.now())
        )
        return
    # Deleted, unless the customer came from another contact too (another workspace, a lead
    # with the same email).
    doomed = [customer_id for customer_id in affected if customer_id not in still_sourced]
    if doomed:
        await session.execute(
            delete(Customer).where(Customer.account_id == account.id, Customer.id.in_(doomed))
        )
