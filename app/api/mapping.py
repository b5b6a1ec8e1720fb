"""A list's mapping (which Intercom attribute imports into which customer property) and its
settings (duplicates policy, tag): versioned resources with an ETag and If-Match writes."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Response

from app.adapters import refresh_settings
from app.api.deps import AccountDep, AdaptersDep, ReadSessionDep, SessionDep
from app.api.problems import problem_responses
from app.api.versioning import expected_version, set_etag
from app.domain.filters import preview as filter_preview
from app.domain.filters import service as filter_service
from app.domain.filters.language import FilterSet
from app.domain.filters.preview import PreviewRead
from app.domain.filters.service import FiltersRead
from app.domain.mapping import service as mapping_service
from app.domain.mapping.schemas import MappingRead, MappingUpdate, SuggestionList
from app.domain.refresh import service as refresh_service
from app.domain.segments import settings as segment_settings
from app.domain.segments.settings import SegmentSettingsRead, SegmentSettingsUpdate

router = APIRouter(tags=["mapping"])

ExpectedVersion = Annotated[int | None, Depends(expected_version)]


@router.get(
    "/segments/{segment_id}/mapping",
    response_model=MappingRead,
    responses=problem_responses(401, 404, 422),
    summary="The list's mapping: which Intercom attribute imports into which property",
    description="Never saved (`saved` false): the default mapping, the standard attributes' "
    "default properties and the attributes matching an existing property. The ETag is the "
    "version to name in If-Match when saving.",
)
async def get_mapping(
    segment_id: uuid.UUID, account: AccountDep, session: ReadSessionDep, response: Response
) -> MappingRead:
    mapping = await mapping_service.read(session, account, segment_id)
    set_etag(response, mapping.version)
    return mapping


@router.get(
    "/segments/{segment_id}/mapping/suggestions",
    response_model=SuggestionList,
    responses=problem_responses(401, 404, 422),
    summary="For each Intercom attribute, the property it should import into, and why",
    description="From the integration's cached data attributes (refresh the data to see new "
    "ones). A suggestion names an existing property (`property`) or proposes one to create "
    "(`create`), with a `reason`: `standard_attribute`, `same_key`, `same_label`, `no_match`, "
    "`archived` or `removed`.",
)
async def get_mapping_suggestions(
    segment_id: uuid.UUID, account: AccountDep, session: SessionDep
) -> SuggestionList:
    return await mapping_service.suggestions(session, account, segment_id)


@router.put(
    "/segments/{segment_id}/mapping",
    response_model=MappingRead,
    responses=problem_responses(400, 401, 404, 409, 412, 413, 415, 422),
    summary="Save and confirm the list's mapping, creating new properties on the way",
    description="Replaces the mapping whole. Each entry names an attribute of the cache (an "
    "archived one is allowed, a removed one is not) and an existing property (`property`) or "
    "one to create (`create_property`, created in the same transaction). 422 names every "
    "entry at fault (unknown attribute or property, a property mapped twice, a pair that does "
    "not convert, `email` not mapped); 409 `property_key_taken` for a property to create "
    "whose key exists; 409 `mapping_breaks_filters` when the list's filters name a property "
    "it would no longer fill; 412 `version_mismatch` when If-Match names an older version. "
    "Nothing is saved on any error.",
)
async def put_mapping(
    segment_id: uuid.UUID,
    data: MappingUpdate,
    account: AccountDep,
    session: SessionDep,
    response: Response,
    version: ExpectedVersion,
    adapters: AdaptersDep,
) -> MappingRead:
    await refresh_service.ask_for_counts_of(
        session, account, segment_id, refresh_settings(adapters.settings)
    )
    mapping = await mapping_service.save(
        session, account, segment_id, data, expected_version=version, now=datetime.now(UTC)
    )
    set_etag(response, mapping.version)
    return mapping


@router.get(
    "/segments/{segment_id}/settings",
    response_model=SegmentSettingsRead,
    responses=problem_responses(401, 404, 422),
    summary="The list's sync settings: duplicates policy and tag",
    tags=["segments"],
)
async def get_segment_settings(
    segment_id: uuid.UUID, account: AccountDep, session: ReadSessionDep, response: Response
) -> SegmentSettingsRead:
    settings = await segment_settings.read(session, account, segment_id)
    set_etag(response, settings.version)
    return settings


@router.put(
    "/segments/{segment_id}/settings",
    response_model=SegmentSettingsRead,
    responses=problem_responses(400, 401, 404, 412, 413, 415, 422),
    summary="Save the list's sync settings",
    description="412 `version_mismatch` when If-Match names an older version. Applies from "
    "the list's next sync.",
    tags=["segments"],
)
async def put_segment_settings(
    segment_id: uuid.UUID,
    data: SegmentSettingsUpdate,
    account: AccountDep,
    session: SessionDep,
    response: Response,
    version: ExpectedVersion,
) -> SegmentSettingsRead:
    settings = await segment_settings.save(
        session, account, segment_id, data, expected_version=version
    )
    set_etag(response, settings.version)
    return settings


@router.get(
    "/segments/{segment_id}/filters",
    response_model=FiltersRead,
    responses=problem_responses(401, 404, 422),
    summary="Which of the list's contacts its syncs import",
    tags=["segments"],
)
async def get_filters(
    segment_id: uuid.UUID, account: AccountDep, session: ReadSessionDep, response: Response
) -> FiltersRead:
    filters = await filter_service.read(session, account, segment_id)
    set_etag(response, filters.version)
    return filters


@router.put(
    "/segments/{segment_id}/filters",
    response_model=FiltersRead,
    responses=problem_responses(400, 401, 404, 412, 413, 415, 422),
    summary="Save the list's filters",
    description="Groups of conditions on the properties the list maps: `combine: any` (any "
    "group, each all of its conditions) or `all` (all groups, each any of its conditions). "
    "Operators by type: text `is`, `is_not`, `contains`, `does_not_contain`, `starts_with`, "
    "`ends_with`, `is_any_of`, `is_none_of`; number `=`, `!=`, `<`, `<=`, `>`, `>=`; boolean "
    "`is_true`, `is_false`; date `before`, `after`, `on`, `between`, `more_than_days_ago`, "
    "`less_than_days_ago`; any type `is_set`, `is_not_set`. Text compares without case or "
    "surrounding spaces; a value not set matches the negations; dates compare by day in the "
    "workspace's timezone. 422 names every condition at fault; 412 `version_mismatch` when "
    "If-Match names an older version. No group: every contact. Applies from the next sync; "
    "contacts left out are counted as skipped `filtered_out`.",
    tags=["segments"],
)
async def put_filters(
    segment_id: uuid.UUID,
    data: FilterSet,
    account: AccountDep,
    session: SessionDep,
    response: Response,
    version: ExpectedVersion,
    adapters: AdaptersDep,
) -> FiltersRead:
    filters = await filter_service.save(
        session,
        account,
        segment_id,
        data,
        expected_version=version,
        refresh=refresh_settings(adapters.settings),
    )
    set_etag(response, filters.version)
    return filters


@router.post(
    "/segments/{segment_id}/filters/preview",
    response_model=PreviewRead,
    responses=problem_responses(400, 401, 404, 409, 413, 415, 422, 502, 503),
    summary="Preview unsaved filters: how many contacts they select, and a sample",
    description="Bounded whatever the list's size: Intercom's count when its search evaluates "
    "every condition (`method` `intercom`); else the contacts its part selects read and "
    "counted here, up to 1,500 (`local`), or the share of the first 1,500 applied to "
    "`upper_bound` (`estimated`, `exact` false). The sample is taken from the first page. "
    "422 names every condition at fault, as saving would.",
    tags=["segments"],
)
async def preview_filters(
    segment_id: uuid.UUID,
    data: FilterSet,
    account: AccountDep,
    session: SessionDep,
    adapters: AdaptersDep,
) -> PreviewRead:
    return await filter_preview.preview(
        session, account, segment_id, data, intercom=adapters.intercom, cipher=adapters.cipher
    )
