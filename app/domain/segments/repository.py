from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    and_,
    case,
    cast,
    func,
    or_,
    select,
    true,
    tuple_,
)
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from app.domain.models import Integration, Segment, SegmentKind, SyncRun
from app.domain.scope import AccountScope

KIND_ORDER = {SegmentKind.USERS: 0, SegmentKind.LEADS: 1, SegmentKind.INTERCOM: 2}
# Never-synced lists sort before every synced one (ascending): a real instant, so that it
# fits a cursor like any other value.
NEVER_SYNCED = datetime(1970, 1, 1, tzinfo=UTC)
NEVER = "never"


@dataclass(frozen=True)
class SegmentQuery:
    kinds: Sequence[str] = ()
    last_sync_statuses: Sequence[str] = ()
    sort: str = "type"
    descending: bool = False


@dataclass(frozen=True)
class SegmentKey:
    """Where a page ended: the last row's sort value, name and id."""

    value: Any
    name: str
    id: uuid.UUID


def _sort_key(sort: str, last_run: Any) -> ColumnElement[Any]:
    if sort == "count":
        return func.coalesce(Segment.contact_count, -1)
    if sort == "auto_sync":
        return cast(Segment.auto_sync, Integer)
    if sort == "last_sync":
        return func.coalesce(last_run.created_at, NEVER_SYNCED)
    return case(KIND_ORDER, value=Segment.kind, else_=3)


def sort_value(sort: str, segment: Segment, run: SyncRun | None) -> Any:
    """The row's value of `_sort_key`, computed in Python for its cursor."""
    if sort == "count":
        return -1 if segment.contact_count is None else segment.contact_count
    if sort == "auto_sync":
        return int(segment.auto_sync)
    if sort == "last_sync":
        return run.created_at if run is not None else NEVER_SYNCED
    return KIND_ORDER.get(segment.kind, 3)


class SegmentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get_for_account(
        self,
        account: AccountScope,
        segment_id: uuid.UUID,
        *,
        share_lock: bool = False,
        update_lock: bool = False,
    ) -> Segment | None:
        """A visible segment: not deleted, of a connected integration. `share_lock` holds the
        segment and its integration as they are until the transaction ends: a delete or a
        disconnect waits for it, or it waits for them and then finds the segment gone.
        `update_lock` locks the segment alone for a caller that writes it (FOR NO KEY UPDATE:
        writers of the segment wait, inserts referencing it do not); not its integration, which
        a disconnect locks before the segments."""
        statement = (
            select(Segment)
            .join(Integration, Integration.id == Segment.integration_id)
            .where(
                Segment.id == segment_id,
                Segment.account_id == account.id,
                Segment.removed_at.is_(None),
                Integration.disconnected_at.is_(None),
            )
        )
        if update_lock or share_lock:
            # A locked read sees the row as committed now, not as this session loaded it.
            statement = statement.execution_options(populate_existing=True)
        if update_lock:
            statement = statement.with_for_update(key_share=True, of=Segment)
        elif share_lock:
            # The integration first, then the segment: the order of a disconnect, a refresh
            # and a custom segment's rename, which write the integration before its segments.
            # (One statement locking both would take the segment first: a deadlock.)
            if not await self._share_lock_integration_of(account, segment_id):
                return None
            statement = statement.with_for_update(read=True, of=Segment)
        return await self.session.scalar(statement)

    async def _share_lock_integration_of(
        self, account: AccountScope, segment_id: uuid.UUID
    ) -> bool:
        integration_id = await self.session.scalar(
            select(Segment.integration_id).where(
                Segment.id == segment_id, Segment.account_id == account.id
            )
        )
        if integration_id is None:
            return False
        locked = await self.session.scalar(
            select(Integration.id)
            .where(Integration.id == integration_id, Integration.account_id == account.id)
            .with_for_update(read=True)
        )
        return locked is not None

    async def page_for_integration(
        self,
        account: AccountScope,
        integration_id: uuid.UUID,
        query: SegmentQuery,
        *,
        after: SegmentKey | None,
        limit: int,
    ) -> list[tuple[Segment, SyncRun | None]]:
        """A page of the integration's visible segments with each one's last run, filtered and
        sorted in SQL; keyset-paginated on (sort key, name, id)."""
        last_run = aliased(
            SyncRun,
            select(SyncRun)
            .where(SyncRun.segment_id == Segment.id, SyncRun.account_id == Segment.account_id)
            .order_by(SyncRun.created_at.desc(), SyncRun.id.desc())
            .limit(1)
            .lateral("last_run"),
        )
        key = _sort_key(query.sort, last_run)
        statement = (
            select(Segment, last_run)
            .outerjoin(last_run, true())
            .where(
                Segment.account_id == account.id,
                Segment.integration_id == integration_id,
                Segment.removed_at.is_(None),
            )
        )
        if query.kinds:
            statement = statement.where(Segment.kind.in_(query.kinds))
        if query.last_sync_statuses:
            statuses = [s for s in query.last_sync_statuses if s != NEVER]
            conditions = [last_run.status.in_(statuses)] if statuses else []
            if NEVER in query.last_sync_statuses:
                conditions.append(last_run.id.is_(None))
            statement = statement.where(or_(*conditions))
        if after is not None:
            beyond = key < after.value if query.descending else key > after.value
            statement = statement.where(
                or_(
                    beyond,
                    and_(
                        key == after.value,
                        tuple_(Segment.name, Segment.id) > (after.name, after.id),
                    ),
                )
            )
        primary = key.desc() if query.descending else key.asc()
        statement = statement.order_by(primary, Segment.name, Segment.id).limit(limit)
        rows = await self.session.execute(statement)
        return [(segment, run) for segment, run in rows.all()]

    async def lock_integration(self, account: AccountScope, integration_id: uuid.UUID) -> None:
        """Serialises changes to one integration's custom segments (names stay unique)."""
        await self.session.execute(
            select(Integration.id)
            .where(Integration.id == integration_id, Integration.account_id == account.id)
            # NO KEY UPDATE: sources inserted meanwhile (their foreign key takes KEY SHARE on
            # the integration) do not wait for it.
            .with_for_update(key_share=True)
        )

    async def count_auto_synced(self, account: AccountScope) -> int:
        """Lists and segments with auto-sync on, of the account's connected integrations."""
        count = await self.session.scalar(
            select(func.count())
            .select_from(Segment)
            .join(Integration, Integration.id == Segment.integration_id)
            .where(
                Segment.account_id == account.id,
                Segment.auto_sync.is_(True),
                Segment.removed_at.is_(None),
                Integration.disconnected_at.is_(None),
            )
        )
        return count or 0

    async def custom_name_taken(
        self,
        account: AccountScope,
        integration_id: uuid.UUID,
        name: str,
        *,
        other_than: uuid.UUID | None,
    ) -> bool:
        statement = select(Segment.id).where(
            Segment.account_id == account.id,
            Segment.integration_id == integration_id,
            Segment.kind == SegmentKind.CUSTOM,
            Segment.removed_at.is_(None),
            func.lower(Segment.name) == name.lower(),
        )
        if other_than is not None:
            statement = statement.where(Segment.id != other_than)
        return (await self.session.scalar(statement.limit(1))) is not None

    async def main_list(
        self, account: AccountScope, integration_id: uuid.UUID, kind: SegmentKind
    ) -> Segment | None:
        return await self.session.scalar(
            select(Segment).where(
                Segment.account_id == account.id,
                Segment.integration_id == integration_id,
                Segment.kind == kind,
            )
        )

    async def all_for_integration(
        self, account: AccountScope, integration_id: uuid.UUID, *, lock: bool = False
    ) -> Sequence[Segment]:
        """Including removed ones. Locked: read again under the lock (a settings write that
        committed meanwhile is seen)."""
        query = select(Segment).where(
            Segment.account_id == account.id, Segment.integration_id == integration_id
        )
        if lock:
            query = (
                query.order_by(Segment.id)
                .with_for_update(key_share=True)
                .execution_options(populate_existing=True)
            )
        result = await self.session.scalars(query)
        return result.all()

    async def last_syncs(
        self, account: AccountScope, segment_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, SyncRun]:
        if not segment_ids:
            return {}
        result = await self.session.scalars(
            select(SyncRun)
            .where(SyncRun.account_id == account.id, SyncRun.segment_id.in_(segment_ids))
            .order_by(SyncRun.segment_id, SyncRun.created_at.desc())
            .ext(distinct_on(SyncRun.segment_id))
        )
        return {run.segment_id: run for run in result.all()}
