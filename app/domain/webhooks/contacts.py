"""A contact created, updated or merged in Intercom, told by a webhook: written as a sync of each
auto-synced list that holds it would write it.

A list holds the contact when its role matches (Users, Leads, and custom segments of either),
and, for a custom segment, when its filters accept it here; a saved Intercom segment is asked
about once per notification (`GET /contacts/{id}/segments`, which a webhook cannot tell). Each
such list applies its own run config (mapping with conversions, duplicates policy, tag), as its
next run would. A list whose mapping nobody confirmed is left to its first sync.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.customers.repository import CustomerRepository
from app.domain.customers.sources import WriteOptions
from app.domain.filters import apply as filters
from app.domain.mapping import service as mapping_service
from app.domain.mapping.config import Duplicates
from app.domain.models import CustomerSource, Integration, Segment, SegmentKind, SegmentMember
from app.domain.scope import AccountScope
from app.domain.syncs import pipeline, removals
from app.intercom.models import Contact

SegmentIds = Callable[[], Awaitable[set[str]]]


async def contact_changed(
    session: AsyncSession,
    account: AccountScope,
    integration: Integration,
    contact: Contact,
    segment_ids: SegmentIds,
) -> str:
    """Writes the contact for every auto-synced list of the integration that holds it; says
    what it did."""
    lists = (
        await session.scalars(
            select(Segment)
            .where(
                Segment.account_id == account.id,
                Segment.integration_id == integration.id,
                Segment.auto_sync.is_(True),
                Segment.missing_since.is_(None),
                Segment.mapping_confirmed_at.is_not(None),
            )
            .order_by(Segment.created_at, Segment.id)
        )
    ).all()
    written: list[str] = []
    for segment in lists:
        if not await _holds(segment, contact, segment_ids):
            continue
        config, _ = await mapping_service.run_config(session, account, segment, integration)
        prepared = pipeline.prepare([contact], config, filters.predicate(config))
        if not prepared.seen:  # its filters leave the contact out
            continue
        if prepared.sources:
            await CustomerRepository(session).write_sources(
                account,
                integration.id,
                prepared.winners_by_email,
                prepared.sources,
                WriteOptions(
                    segment_id=segment.id,
                    skip_existing=config.duplicates == Duplicates.SKIP,
                    tag=config.tag,
                    untag=config.untag,
                ),
            )
        await removals.join(session, account, segment.id, prepared.seen)
        reasons = {**prepared.report.skipped_reasons, **prepared.report.failed_reasons}
        written.append(f"{segment.name}: " + (", ".join(reasons) if reasons else "written"))
    return "; ".join(written) or "in no auto-synced list"


async def _holds(segment: Segment, contact: Contact, segment_ids: SegmentIds) -> bool:
    if segment.kind in (SegmentKind.USERS, SegmentKind.LEADS, SegmentKind.CUSTOM):
        return segment.person_type is None or segment.person_type == contact.role
    if segment.kind == SegmentKind.INTERCOM and segment.intercom_segment_id:
        return segment.intercom_segment_id in await segment_ids()
    return False


async def contact_merged(
    session: AsyncSession,
    account: AccountScope,
    integration_id: uuid.UUID,
    merged_from: str,
    survivor: Contact,
) -> None:
    """The merged-away contact's lists now hold the surviving one. When both share an email
    (a lead that became a user), its customer is the survivor's too: its source becomes the
    survivor's, unless the survivor has one here already, so that the person is never deleted
    and created again (tags, unsubscribe, history kept), whatever the "deleted in Intercom"
    setting. The caller then writes the survivor and handles the merged-away contact as
    deleted: a lead merged into a user of another email leaves its customer as a deleted
    contact would."""
    segments = (
        await session.scalars(
            select(SegmentMember.segment_id)
            .join(Segment, Segment.id == SegmentMember.segment_id)
            .where(
                SegmentMember.account_id == account.id,
                Segment.account_id == account.id,
                Segment.integration_id == integration_id,
                SegmentMember.intercom_contact_id == merged_from,
            )
            .order_by(SegmentMember.segment_id)
        )
    ).all()
    surviving = survivor.id
    for segment_id in segments:
        await removals.join(session, account, segment_id, [surviving])
    email = (survivor.email or "").strip().lower()
    if not email:
        return
    # Locked before their sources change, as a sync's batch locks them.
    await removals.lock_customers_of(session, account, integration_id, [merged_from, surviving])
    survivor_source = (
        select(CustomerSource.id)
        .where(
            CustomerSource.account_id == account.id,
            CustomerSource.integration_id == integration_id,
            CustomerSource.intercom_contact_id == surviving,
        )
        .exists()
    )
    await session.execute(
        update(CustomerSource)
        .where(
            CustomerSource.account_id == account.id,
            CustomerSource.integration_id == integration_id,
            CustomerSource.intercom_contact_id == merged_from,
            func.lower(CustomerSource.email) == email,
            ~survivor_source,
        )
        # The survivor's now, and older than any state of it: its write (next) is never
        # refused as stale for the lead's date, and until it comes the lead's values stay.
        .values(intercom_contact_id=surviving, role=survivor.role, intercom_updated_at=0)
    )
