"""Lists and segments of an integration, and the Intercom query that selects each one's contacts."""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.accounts import service as account_service
from app.domain.mapping import service as mapping_service
from app.domain.mapping.errors import MappingNotConfirmed
from app.domain.models import Integration, Segment, SegmentKind, SyncRun
from app.domain.pagination import decode_cursor, encode_cursor
from app.domain.ports import IntercomWorkspace
from app.domain.schedule.slots import next_slot
from app.domain.scope import AccountScope
from app.domain.segments.errors import (
    AutoSyncQuotaExceeded,
    SegmentMissing,
    SegmentNameTaken,
    SegmentNotEditable,
    SegmentNotFound,
)
from app.domain.segments.repository import (
    NEVER_SYNCED,
    SegmentKey,
    SegmentQuery,
    SegmentRepository,
    sort_value,
)
from app.domain.segments.schemas import (
    SEGMENT_NAME_MAX_LENGTH,
    AutoSyncQuota,
    SegmentCreate,
    SegmentPage,
    SegmentRead,
    SegmentSource,
    SegmentUpdate,
)
from app.domain.syncs.repository import SyncRunRepository
from app.domain.syncs.schemas import summarise
from app.domain.types import clean_name, has_control_characters
from app.errors import InvalidInput
from app.intercom.models import Segment as IntercomSegment

log = structlog.get_logger(__name__)

AUTO_SYNC_PERIOD = timedelta(days=1)
# A segment list's cursor holds the last row's name (up to 200 characters, 4 bytes each in
# UTF-8), so it may be longer than other cursors.
SEGMENT_CURSOR_MAX_LENGTH = 2048

MAIN_LISTS = (
    (SegmentKind.USERS, "users", "Users", "user"),
    (SegmentKind.LEADS, "leads", "Leads", "lead"),
)


def _role_query(person_type: str | None) -> dict[str, Any]:
    return {"field": "role", "operator": "=", "value": person_type}


def search_query(segment: Segment) -> dict[str, Any]:
    """The Intercom search filter whose results are exactly the segment's contacts."""
    if segment.kind in (SegmentKind.USERS, SegmentKind.LEADS, SegmentKind.CUSTOM):
        # A custom segment matches its whole source until its filters exist.
        return _role_query(segment.person_type)
    if segment.kind == SegmentKind.INTERCOM and segment.intercom_segment_id:
        return {"field": "segment_id", "operator": "=", "value": segment.intercom_segment_id}
    raise NotImplementedError(f"no Intercom query for segment kind {segment.kind}")


async def get(
    session: AsyncSession,
    account: AccountScope,
    segment_id: uuid.UUID,
    *,
    share_lock: bool = False,
    update_lock: bool = False,
) -> Segment:
    segment = await SegmentRepository(session).get_for_account(
        account, segment_id, share_lock=share_lock, update_lock=update_lock
    )
    if segment is None:
        raise SegmentNotFound(segment_id)
    return segment


def ensure_syncable(segment: Segment) -> None:
    if segment.missing_since is not None:
        raise SegmentMissing(segment.id)


def to_read(segment: Segment, last_run: SyncRun | None) -> SegmentRead:
    return SegmentRead(
        id=segment.id,
        integration_id=segment.integration_id,
        kind=segment.kind,
        name=segment.name,
        source=SegmentSource.USERS if segment.person_type == "user" else SegmentSource.LEADS,
        intercom_segment_id=segment.intercom_segment_id,
        person_type=segment.person_type,
        contact_count=segment.contact_count,
        count_refreshed_at=segment.count_refreshed_at,
        count_method=segment.count_method,
        auto_sync=segment.auto_sync,
        next_sync_at=segment.next_sync_at,
        missing=segment.missing_since is not None,
        missing_since=segment.missing_since,
        mapping_confirmed=segment.mapping_confirmed_at is not None,
        last_sync=summarise(last_run) if last_run is not None else None,
        created_at=segment.created_at,
    )


async def read(session: AsyncSession, account: AccountScope, segment_id: uuid.UUID) -> SegmentRead:
    segment = await get(session, account, segment_id)
    last = await SegmentRepository(session).last_syncs(account, [segment.id])
    return to_read(segment, last.get(segment.id))


async def list_page(
    session: AsyncSession,
    account: AccountScope,
    integration_id: uuid.UUID,
    query: SegmentQuery,
    *,
    cursor: str | None,
    limit: int,
) -> SegmentPage:
    after = _decode_cursor(cursor, query) if cursor else None
    rows = await SegmentRepository(session).page_for_integration(
        account, integration_id, query, after=after, limit=limit + 1
    )
    page = rows[:limit]
    next_cursor = None
    if len(rows) > limit:
        segment, run = page[-1]
        value = sort_value(query.sort, segment, run)
        next_cursor = encode_cursor(
            [
                _sort_name(query),
                value.isoformat() if isinstance(value, datetime) else value,
                segment.name,
                str(segment.id),
            ]
        )
    return SegmentPage(
        data=[to_read(segment, run) for segment, run in page], next_cursor=next_cursor
    )


def _sort_name(query: SegmentQuery) -> str:
    return f"-{query.sort}" if query.descending else query.sort


# The range of each sort key's values: a forged cursor outside it would reach PostgreSQL as a
# parameter its column type cannot hold.
_KEY_RANGES = {"type": (0, 3), "count": (-1, 2**31 - 1), "auto_sync": (0, 1)}


def _decode_cursor(cursor: str, query: SegmentQuery) -> SegmentKey:
    sort, value, name, segment_id = decode_cursor(
        cursor, arity=4, max_length=SEGMENT_CURSOR_MAX_LENGTH
    )
    if sort != _sort_name(query):
        raise InvalidInput("query.cursor", "was made for another sort order; start again")
    try:
        if not isinstance(name, str) or len(name) > SEGMENT_NAME_MAX_LENGTH or "\x00" in name:
            raise TypeError
        name.encode()  # a lone surrogate raises UnicodeEncodeError, a ValueError
        if query.sort == "last_sync":
            moment = datetime.fromisoformat(value)
            if moment.tzinfo is None:
                raise ValueError
            value = moment.astimezone(UTC)
            if not NEVER_SYNCED <= value < datetime(9999, 1, 1, tzinfo=UTC):
                raise ValueError
        else:
            low, high = _KEY_RANGES[query.sort]
            if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
                raise TypeError
        return SegmentKey(value=value, name=name, id=uuid.UUID(segment_id))
    except (TypeError, ValueError, AttributeError, OverflowError):
        raise InvalidInput("query.cursor", "is not a cursor returned by this API") from None


async def create_custom(
    session: AsyncSession, account: AccountScope, integration_id: uuid.UUID, data: SegmentCreate
) -> SegmentRead:
    repository = SegmentRepository(session)
    await repository.lock_integration(account, integration_id)
    if await repository.custom_name_taken(account, integration_id, data.name, other_than=None):
        raise SegmentNameTaken(data.name)
    kind = SegmentKind.USERS if data.source == SegmentSource.USERS else SegmentKind.LEADS
    source = await repository.main_list(account, integration_id, kind)
    segment_id = uuid.uuid4()
    segment = Segment(
        id=segment_id,
        account_id=account.id,
        integration_id=integration_id,
        kind=SegmentKind.CUSTOM,
        source_key=f"custom:{segment_id}",
        name=data.name,
        person_type="user" if kind == SegmentKind.USERS else "lead",
        # Without filters yet, it counts what its source counts.
        contact_count=source.contact_count if source else None,
        count_refreshed_at=source.count_refreshed_at if source else None,
        count_method=source.count_method if source else None,
        auto_sync=False,
    )
    session.add(segment)
    await session.flush()
    return to_read(segment, None)


async def update(
    session: AsyncSession,
    account: AccountScope,
    segment_id: uuid.UUID,
    data: SegmentUpdate,
    *,
    auto_sync_ratio: float,
    now: datetime,
) -> SegmentRead:
    repository = SegmentRepository(session)
    # Locks in the order of a disconnect: the account (which also serialises auto-sync
    # switches against the quota), the integration (custom names are unique in it), then the
    # segment, read again under its lock so that a disconnect or a delete that committed
    # meanwhile is seen (a 404), not overwritten.
    await account_service.get(session, account.id, lock=True)
    segment = await get(session, account, segment_id)
    await repository.lock_integration(account, segment.integration_id)
    segment = await get(session, account, segment_id, update_lock=True)
    if data.name is not None and data.name != segment.name:
        if segment.kind != SegmentKind.CUSTOM:
            raise SegmentNotEditable(segment.id, segment.kind, "renamed")
        if await repository.custom_name_taken(
            account, segment.integration_id, data.name, other_than=segment.id
        ):
            raise SegmentNameTaken(data.name)
        segment.name = data.name
    if data.auto_sync is not None and data.auto_sync != segment.auto_sync:
        if data.auto_sync:
            ensure_syncable(segment)
            # Under the account lock taken above: two requests cannot both take the last
            # free place.
            quota = await auto_sync_quota(session, account, auto_sync_ratio)
            if quota.used >= quota.allowed:
                raise AutoSyncQuotaExceeded(quota.used, quota.allowed)
            if segment.mapping_confirmed_at is None:
                if not data.use_default_mapping:
                    raise MappingNotConfirmed(segment.id)
                await mapping_service.confirm_default(session, account, segment, now=now)
        set_auto_sync(segment, data.auto_sync, now=now)
    await session.flush()
    return await read(session, account, segment.id)


def set_auto_sync(segment: Segment, on: bool, *, now: datetime) -> None:
    """On: its first scheduled sync is its next daily slot; off: no slot."""
    segment.auto_sync = on
    segment.next_sync_at = next_slot(segment.id, AUTO_SYNC_PERIOD, after=now) if on else None


async def delete_custom(
    session: AsyncSession, account: AccountScope, segment_id: uuid.UUID
) -> None:
    """Hides a custom segment; its sync history stays. An active sync of it is cancelled."""
    segment = await get(session, account, segment_id, update_lock=True)
    if segment.kind != SegmentKind.CUSTOM:
        raise SegmentNotEditable(segment.id, segment.kind, "deleted")
    segment.removed_at = datetime.now(UTC)
    segment.auto_sync = False
    segment.next_sync_at = None
    # The segment's row is locked from here: a "sync now" either committed its run before
    # (cancelled below) or waits and then finds the segment gone.
    await session.flush()
    await SyncRunRepository(session).cancel_active(
        account,
        [segment.id],
        code="segment_deleted",
        message="The custom segment was deleted while it synced.",
    )
    await session.flush()


def allowed_auto_syncs(nps_campaigns: int, ratio: float) -> int:
    # The epsilon keeps 100 * 0.29 at 29 rather than 28.999... floored to 28.
    return max(0, math.floor(nps_campaigns * ratio + 1e-9))


async def auto_sync_quota(
    session: AsyncSession, account: AccountScope, ratio: float
) -> AutoSyncQuota:
    row = await account_service.get(session, account.id)
    used = await SegmentRepository(session).count_auto_synced(account)
    return AutoSyncQuota(used=used, allowed=allowed_auto_syncs(row.nps_campaigns, ratio))


@dataclass(frozen=True)
class ListsSnapshot:
    """What Intercom says of a workspace's lists, read before any row is written, so that a
    refresh writes all of it in one transaction or nothing."""

    # Contacts per role ("user", "lead"): the main lists' counts, and those of the custom
    # segments without filters.
    role_counts: dict[str, int]
    segments: list[IntercomSegment]


async def fetch_lists(workspace: IntercomWorkspace) -> ListsSnapshot:
    role_counts = {
        person_type: await workspace.count_contacts(_role_query(person_type))
        for _, _, _, person_type in MAIN_LISTS
    }
    return ListsSnapshot(role_counts, await workspace.list_segments(include_count=True))


_MAX_SEGMENT_ID = 100  # segments.intercom_segment_id
_MAX_COUNT = 2**31 - 1  # segments.contact_count, an integer column


def _storable_id(segment_id: str) -> bool:
    return 0 < len(segment_id) <= _MAX_SEGMENT_ID and not has_control_characters(segment_id)


def _count(count: int | None) -> int | None:
    return None if count is None else max(0, min(count, _MAX_COUNT))


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
        segment.count_method = "intercom"
        segment.missing_since = None

    for kind, key, name, person_type in MAIN_LISTS:
        count = _count(snapshot.role_counts[person_type])
        upsert(key, kind=kind, name=name, person_type=person_type, contact_count=count)

    for remote in snapshot.segments:
        source_key = f"intercom:{remote.id}"
        # What Intercom sends is not trusted to fit: an id that cannot be stored, or one
        # listed twice, is left out; a name is made to fit; a count to the column.
        if source_key in seen or not _storable_id(remote.id):
            log.warning("segments.unusable_intercom_segment", integration_id=str(integration.id))
            continue
        upsert(
            source_key,
            kind=SegmentKind.INTERCOM,
            name=clean_name(remote.name or "", max_length=SEGMENT_NAME_MAX_LENGTH)
            or f"Segment {remote.id}",
            intercom_segment_id=remote.id,
            # INTERCOM.md §3: person_type "contact" means leads.
            person_type="user" if remote.person_type == "user" else "lead",
            contact_count=_count(remote.count),
        )

    for key, segment in existing.items():
        if key in seen:
            continue
        if segment.kind == SegmentKind.CUSTOM:
            # Filtered ones are counted by the refresh (app/domain/refresh/custom_counts.py).
            unfiltered = segment.filters is None and segment.removed_at is None
            if unfiltered and segment.person_type in snapshot.role_counts:
                segment.contact_count = _count(snapshot.role_counts[segment.person_type])
                segment.count_refreshed_at = now
                segment.count_method = "intercom"
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
