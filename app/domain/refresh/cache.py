"""What a refresh reads from Intercom and how it lands in the cache. Everything is read first and
written in one go, so that lists, counts and data attributes are never half refreshed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.filters.counting import OnPage
from app.domain.models import Integration
from app.domain.ports import IntercomWorkspace
from app.domain.refresh import custom_counts
from app.domain.refresh.repository import AttributeRepository
from app.domain.schedule.slots import next_slot
from app.domain.scope import AccountScope
from app.domain.segments import service as segment_service
from app.intercom.models import DataAttribute

# The periodic refresh's cadence unless configured (Settings.refresh_interval_s); a workspace
# connected now is first refreshed periodically at its slot of this period.
DEFAULT_REFRESH_INTERVAL = timedelta(hours=6)


@dataclass(frozen=True)
class Snapshot:
    lists: segment_service.ListsSnapshot
    attributes: list[DataAttribute]
    planned: custom_counts.Planned = field(default_factory=custom_counts.Planned.nothing)
    custom_counts: list[custom_counts.Counted] = field(default_factory=list)


async def fetch(
    workspace: IntercomWorkspace,
    planned: custom_counts.Planned | None = None,
    *,
    timezone: str | None = None,
    read_concurrency: int = 1,
    on_page: OnPage | None = None,
) -> Snapshot:
    lists = await segment_service.fetch_lists(workspace)
    # Archived attributes too: a mapping may still name one, and should say it is archived.
    attributes = await workspace.list_data_attributes(include_archived=True)
    planned = planned or custom_counts.Planned.nothing()
    counts = await custom_counts.count(
        workspace,
        planned.plans,
        timezone=timezone,
        concurrency=read_concurrency,
        on_page=on_page,
    )
    return Snapshot(lists, attributes, planned, counts)


async def apply(
    session: AsyncSession,
    integration: Integration,
    snapshot: Snapshot,
    *,
    now: datetime,
    interval: timedelta = DEFAULT_REFRESH_INTERVAL,
) -> None:
    """Writes the snapshot: lists and counts, the data attributes (those no longer returned are
    marked removed), and `refreshed_at`; then when the next refresh is due: at the
    integration's slot of `interval`, or at once when a custom segment's filters changed while
    this one counted."""
    await segment_service.apply_lists(session, integration, snapshot.lists, now=now)
    await AttributeRepository(session).replace(
        AccountScope(integration.account_id), integration.id, snapshot.attributes, now=now
    )
    stale = await custom_counts.apply_counts(
        session, integration, snapshot.planned, snapshot.custom_counts, now=now
    )
    integration.refreshed_at = now
    integration.refresh_due_at = now if stale else next_slot(integration.id, interval, after=now)
    await session.flush()


async def apply_on_connect(
    session: AsyncSession, integration: Integration, snapshot: Snapshot
) -> None:
    """The inline refresh of a workspace being connected (its snapshot read before the connect
    took any lock); the periodic ones follow at the integration's own slot, so that workspaces
    connected together never refresh together."""
    await apply(session, integration, snapshot, now=datetime.now(UTC))
