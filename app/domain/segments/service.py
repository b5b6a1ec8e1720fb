"""Lists and segments of an integration, and the Intercom query that selects each one's contacts."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.models import Integration, Segment, SegmentKind
from app.domain.ports import IntercomWorkspace
from app.domain.scope import AccountScope
from app.domain.segments.errors import SegmentMissing, SegmentNotFound
from app.domain.segments.repository import SegmentRepository
from app.domain.segments.schemas import LastSync, SegmentRead
from app.intercom.models import Segment as IntercomSegment

MAIN_LISTS = (
    (SegmentKind.USERS, "users", "Users", "user"),
    (SegmentKind.LEADS, "leads", "Leads", "lead"),
)


def _role_query(person_type: str | None) -> dict[str, Any]:
    return {"field": "role", "operator": "=", "value": person_type}


def search_query(segment: Segment) -> dict[str, Any]:
    """The Intercom search filter whose results are exactly the segment's contacts."""
    if segment.kind in (SegmentKind.USERS, SegmentKind.LEADS):
        return _role_query(segment.person_type)
    if segment.kind == SegmentKind.INTERCOM and segment.intercom_segment_id:
        return {"field": "segment_id", "operator": "=", "value": segment.intercom_segment_id}
    raise NotImplementedError(f"no Intercom query for segment kind {segment.kind}")


async def get(session: AsyncSession, account: AccountScope, segment_id: uuid.UUID) -> Segment:
    segment = await SegmentRepository(session).get_for_account(account, segment_id)
    if segment is None:
        raise SegmentNotFound(segment_id)
    return segment


def ensure_syncable(segment: Segment) -> None:
    if segment.missing_since is not None:
        raise SegmentMissing(segment.id)


async def list_for_integration(
    session: AsyncSession, account: AccountScope, integration_id: uuid.UUID
) -> list[SegmentRead]:
    repository = SegmentRepository(session)
    segments = await repository.list_for_integration(account, integration_id)
    last_syncs = await repository.last_syncs(account, [segment.id for segment in segments])
    reads = []
    for segment in segments:
        read = SegmentRead.model_validate(segment)
        run = last_syncs.get(segment.id)
        read.last_sync = LastSync.model_validate(run) if run else None
        reads.append(read)
    return reads


@dataclass(frozen=True)
class ListsSnapshot:
    """What Intercom says of a workspace's lists, read before any row is written, so that a
    refresh writes all of it in one transaction or nothing."""

    # Contacts per role ("user", "lead"): the main lists' counts, and for now the custom
    # segments' too (a custom segment counts its source list until its filters exist).
    role_counts: dict[str, int]
    segments: list[IntercomSegment]


async def fetch_lists(workspace: IntercomWorkspace) -> ListsSnapshot:
    role_counts = {
        person_type: await workspace.count_contacts(_role_query(person_type))
        for _, _, _, person_type in MAIN_LISTS
    }
    return ListsSnapshot(role_counts, await workspace.list_segments(include_count=True))


async def apply_lists(
    session: AsyncSession, integration: Integration, snapshot: ListsSnapshot, *, now: datetime
) -> None:
    """Upserts the main lists and the Intercom segments with their counts, counts the custom
    segments, and marks the Intercom segments gone from Intercom missing (auto-sync off; their
    sync history stays)."""
    existing = {
        segment.source_key: segment
        for segment in await SegmentRepository(session).all_for_integration(
            AccountScope(integration.account_id), integration.id
        )
    }
    seen: set[str] = set()

    def upsert(source_key: str, **values: Any) -> None:
        seen.add(source_key)
        segment = existing.get(source_key)
        if segment is None:
            segment = Segment(
                account_id=integration.account_id,
                integration_id=integration.id,
                source_key=source_key,
            )
            session.add(segment)
        for name, value in values.items():
            setattr(segment, name, value)
        segment.count_refreshed_at = now
        segment.missing_since = None

    for kind, key, name, person_type in MAIN_LISTS:
        count = snapshot.role_counts[person_type]
        upsert(key, kind=kind, name=name, person_type=person_type, contact_count=count)

    for remote in snapshot.segments:
        upsert(
            f"intercom:{remote.id}",
            kind=SegmentKind.INTERCOM,
            name=remote.name,
            intercom_segment_id=remote.id,
            # INTERCOM.md §3: person_type "contact" means leads.
            person_type="user" if remote.person_type == "user" else "lead",
            contact_count=remote.count,
        )

    for key, segment in existing.items():
        if key in seen:
            continue
        if segment.kind == SegmentKind.CUSTOM:
            if segment.removed_at is None and segment.person_type in snapshot.role_counts:
                segment.contact_count = snapshot.role_counts[segment.person_type]
                segment.count_refreshed_at = now
        elif segment.kind == SegmentKind.INTERCOM and segment.missing_since is None:
            segment.missing_since = now
            segment.auto_sync = False
            segment.next_sync_at = None
    integration.refreshed_at = now
    await session.flush()


async def refresh_from_intercom(
    session: AsyncSession, integration: Integration, workspace: IntercomWorkspace
) -> None:
    """Reloads the lists and segments with fresh counts (see `apply_lists`)."""
    snapshot = await fetch_lists(workspace)
    await apply_lists(session, integration, snapshot, now=datetime.now(UTC))
