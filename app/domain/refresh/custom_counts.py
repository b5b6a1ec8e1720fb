"""Counting the custom segments that have filters, as part of a refresh.

Planned from the database (each segment's mapping and filters, and their versions), counted
from Intercom outside any transaction (counting.py: Intercom's total when its search evaluates
the filters whole; else the contacts of the pushed query read and evaluated here, all of them
up to COUNT_READ_LIMIT, or that many and the share extrapolated), and written with the rest of
the refresh, only where the versions counted are still the segment's: a count of filters
changed meanwhile is left for the refresh that change asked for. Bounded reads keep a refresh
short whatever the lists' sizes; one segment whose count Intercom refuses keeps its old count
rather than failing the refresh of every list.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.filters import apply, counting
from app.domain.filters.counting import CountMethod, OnPage
from app.domain.filters.validate import FiltersInvalid
from app.domain.mapping import service as mapping_service
from app.domain.mapping.config import RunConfig
from app.domain.models import Integration, Segment, SegmentKind
from app.domain.ports import IntercomWorkspace
from app.domain.scope import AccountScope
from app.domain.segments import service as segment_service
from app.domain.segments.repository import SegmentRepository
from app.intercom.errors import IntercomAuthError, IntercomError, IntercomRateLimited

log = structlog.get_logger(__name__)

_MAX_COUNT = 2**31 - 1  # segments.contact_count, an integer column
# Some 67 pages of Intercom's search, read 8 at a time: seconds for a segment.
COUNT_READ_LIMIT = 10_000


@dataclass(frozen=True)
class Plan:
    segment_id: uuid.UUID
    base_query: dict[str, Any]
    config: RunConfig
    versions: tuple[int, int]  # the filters' and the mapping's, when planned


@dataclass(frozen=True)
class Counted:
    segment_id: uuid.UUID
    versions: tuple[int, int]
    count: int
    method: CountMethod


def _versions(segment: Segment) -> tuple[int, int]:
    return segment.filters_version, segment.mapping_version


@dataclass(frozen=True)
class Planned:
    plans: list[Plan]
    # The versions seen of every filtered custom segment, planned or not.
    seen: dict[uuid.UUID, tuple[int, int]]

    @classmethod
    def nothing(cls) -> Planned:
        return cls([], {})


def _filtered_custom(segment: Segment) -> bool:
    return (
        segment.kind == SegmentKind.CUSTOM
        and segment.removed_at is None
        and segment.filters is not None
    )


async def plan(session: AsyncSession, integration: Integration) -> Planned:
    """The integration's custom segments that have filters, with what counting them applies.
    One whose filters no longer fit its mapping is left uncounted (its syncs refuse to start
    and say why)."""
    account = AccountScope(integration.account_id)
    plans: list[Plan] = []
    seen: dict[uuid.UUID, tuple[int, int]] = {}
    for segment in await SegmentRepository(session).all_for_integration(account, integration.id):
        if not _filtered_custom(segment):
            continue
        seen[segment.id] = _versions(segment)
        config, _ = await mapping_service.run_config(session, account, segment, integration)
        try:
            apply.predicate(config)
        except FiltersInvalid:
            log.info("refresh.custom_count_skipped", segment_id=str(segment.id))
            continue
        plans.append(
            Plan(segment.id, segment_service.search_query(segment), config, _versions(segment))
        )
    return Planned(plans, seen)


async def count(
    workspace: IntercomWorkspace,
    plans: Sequence[Plan],
    *,
    timezone: str | None,
    concurrency: int,
    on_page: OnPage | None = None,
) -> list[Counted]:
    result = []
    for item in plans:
        try:
            counted = await counting.count_selected(
                workspace,
                item.base_query,
                item.config,
                timezone=timezone,
                read_limit=COUNT_READ_LIMIT,
                concurrency=concurrency,
                on_page=on_page,
            )
        except (IntercomAuthError, IntercomRateLimited):
            raise  # the workspace's, not the segment's: the refresh handles them
        except IntercomError as exc:
            log.warning(
                "refresh.custom_count_failed", segment_id=str(item.segment_id), error=exc.message
            )
            continue
        result.append(Counted(item.segment_id, item.versions, counted.count, counted.method))
    return result


async def apply_counts(
    session: AsyncSession,
    integration: Integration,
    planned: Planned,
    counts: Sequence[Counted],
    *,
    now: datetime,
) -> bool:
    """Writes the counts whose versions are still the segments' (the caller holds the
    integration's lock; the segments are locked here, after it). True when a segment's
    filters or mapping changed since the plan: the refresh is then due again at once."""
    segments = {
        segment.id: segment
        for segment in await SegmentRepository(session).all_for_integration(
            AccountScope(integration.account_id), integration.id, lock=True
        )
    }
    for counted in counts:
        segment = segments.get(counted.segment_id)
        if segment is None or segment.removed_at or _versions(segment) != counted.versions:
            continue
        segment.contact_count = min(counted.count, _MAX_COUNT)
        segment.count_method = str(counted.method)
        segment.count_refreshed_at = now
    await session.flush()
    # A segment that has filters, or had them when planned, whose versions moved on.
    return any(
        planned.seen.get(segment.id) != _versions(segment)
        for segment in segments.values()
        if _filtered_custom(segment) or segment.id in planned.seen
    )
