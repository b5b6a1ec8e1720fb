"""A list's filters: read, and saved (versioned) once checked against what its mapping fills."""

from __future__ import annotations

import uuid

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.filters import pushdown
from app.domain.filters.language import Combination, Condition, FilterSet
from app.domain.filters.validate import compile_filters
from app.domain.integrations import service as integration_service
from app.domain.mapping import properties as property_lookup
from app.domain.mapping import service as mapping_service
from app.domain.models import Segment, SegmentKind
from app.domain.properties.catalog import PropertyType
from app.domain.refresh import service as refresh_service
from app.domain.refresh.service import RefreshSettings
from app.domain.scope import AccountScope
from app.domain.segments.errors import SegmentNotFound
from app.domain.segments.repository import SegmentRepository
from app.errors import ensure_version


class PlacementRead(BaseModel):
    group: int
    condition: int
    runs_in: str = Field(
        description="`intercom`: also pushed into Intercom's search, so that fewer contacts are "
        "fetched; `local`: evaluated here only. Every condition is evaluated here."
    )
    reason: str = Field(
        description="`intercom_search`; `intercom_search_partly` (a date range in an OR: "
        "its lower bound narrows the search); or why it runs here only: "
        "`attribute_not_searchable`, "
        "`no_search_equivalent` (no search operator means the same), "
        "`or_with_unsearchable_branch` (another branch of its OR runs here, so the OR does), "
        "`one_condition_per_group` (an OR of groups pushes one condition of each), "
        "`too_many_filters`."
    )


class FiltersRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "version": 2,
                    "combine": "any",
                    "groups": [
                        [{"property": "plan", "operator": "is", "value": "Free Trial"}],
                        [{"property": "country", "operator": "is", "value": "USA"}],
                    ],
                    "placements": [
                        {
                            "group": 0,
                            "condition": 0,
                            "runs_in": "intercom",
                            "reason": "intercom_search",
                        },
                        {
                            "group": 1,
                            "condition": 0,
                            "runs_in": "intercom",
                            "reason": "intercom_search",
                        },
                    ],
                }
            ]
        }
    )

    version: int = Field(description="Also the ETag; name it in If-Match when saving.")
    combine: Combination
    groups: list[list[Condition]] = Field(description="None: every contact of the list.")
    placements: list[PlacementRead] = Field(
        default_factory=list, description="Where each condition runs, with the current mapping."
    )


async def to_read(session: AsyncSession, account: AccountScope, segment: Segment) -> FiltersRead:
    filters = FilterSet.model_validate(segment.filters or {})
    integration = await integration_service.get(session, account, segment.integration_id)
    config, _ = await mapping_service.run_config(session, account, segment, integration)
    return FiltersRead(
        version=segment.filters_version,
        combine=filters.combine,
        groups=[list(group) for group in filters.groups],
        placements=[
            PlacementRead(
                group=item.group,
                condition=item.condition,
                runs_in=item.runs_in,
                reason=item.reason,
            )
            for item in pushdown.placements(config)
        ],
    )


async def read(session: AsyncSession, account: AccountScope, segment_id: uuid.UUID) -> FiltersRead:
    segment = await SegmentRepository(session).get_for_account(account, segment_id)
    if segment is None:
        raise SegmentNotFound(segment_id)
    return await to_read(session, account, segment)


async def save(
    session: AsyncSession,
    account: AccountScope,
    segment_id: uuid.UUID,
    data: FilterSet,
    *,
    expected_version: int | None,
    refresh: RefreshSettings,
) -> FiltersRead:
    """Replaces the list's filters; 422 names every condition at fault, and nothing is saved.
    A custom segment's count (what its filters select) is then unknown until a refresh, asked
    for here, counts it."""
    repository = SegmentRepository(session)
    segment = await repository.get_for_account(account, segment_id)
    if segment is None:
        raise SegmentNotFound(segment_id)
    if segment.kind == SegmentKind.CUSTOM:
        # The integration before the segment: the order every writer locks them in.
        await refresh_service.ask_for_counts(session, account, segment.integration_id, refresh)
    # The row lock makes the version check and the bump one step.
    segment = await repository.get_for_account(account, segment_id, update_lock=True)
    if segment is None:
        raise SegmentNotFound(segment_id)
    ensure_version("filters", segment.filters_version, expected_version)
    compile_filters(data, await mapped_property_types(session, account, segment))
    segment.filters = data.model_dump(mode="json") if data.groups else None
    segment.filters_version += 1
    if segment.kind == SegmentKind.CUSTOM:
        segment.contact_count = None
        segment.count_method = None
        segment.count_refreshed_at = None
    await session.flush()
    return await to_read(session, account, segment)


async def mapped_property_types(
    session: AsyncSession, account: AccountScope, segment: Segment
) -> dict[str, PropertyType]:
    """The properties the list's mapping fills (the default mapping until one is saved)."""
    entries = segment.mapping
    if entries is None:
        entries = await mapping_service.default_mapping(session, account, segment.integration_id)
    properties = await property_lookup.all_properties(session, account)
    return {
        entry["property"]: properties[entry["property"]].type
        for entry in entries
        if entry["property"] in properties
    }
