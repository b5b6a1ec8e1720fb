"""An integration's settings (versioned: ETag on reads, If-Match on writes) and the Intercom data
attributes its mappings can take values from."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from app.api.deps import AccountDep, ReadSessionDep, SessionDep
from app.api.problems import problem_responses
from app.api.versioning import expected_version, set_etag
from app.domain.integrations import attributes as attribute_service
from app.domain.integrations import settings_service
from app.domain.integrations.attributes import AttributePage
from app.domain.integrations.settings import IntegrationSettings

router = APIRouter(tags=["integrations"])


@router.get(
    "/integrations/{integration_id}/attributes",
    response_model=AttributePage,
    responses=problem_responses(401, 404, 422),
    summary="The workspace's contact data attributes a mapping can import",
    description="As of the integration's last refresh: standard attributes first, then custom "
    "ones, each by name. Attributes deleted in Intercom are not listed; archived ones are "
    "(`archived`), unless `include_archived=false`. One page.",
)
async def list_attributes(
    integration_id: uuid.UUID,
    account: AccountDep,
    session: SessionDep,
    include_archived: Annotated[
        bool, Query(description="List attributes archived in Intercom too.")
    ] = True,
) -> AttributePage:
    return await attribute_service.page(
        session, account, integration_id, include_archived=include_archived
    )


@router.get(
    "/integrations/{integration_id}/settings",
    response_model=IntegrationSettings,
    responses=problem_responses(401, 404, 422),
    summary="Read the integration's settings (with their ETag)",
    description="What happens when a contact is deleted or unsubscribed in Intercom, and the "
    "events sent to Intercom; settings never saved have their defaults. The `ETag` header is "
    "the version to send as `If-Match` when saving.",
)
async def get_integration_settings(
    integration_id: uuid.UUID, account: AccountDep, session: ReadSessionDep, response: Response
) -> IntegrationSettings:
    current = await settings_service.read(session, account, integration_id)
    set_etag(response, current.version)
    return current.settings


@router.put(
    "/integrations/{integration_id}/settings",
    response_model=IntegrationSettings,
    responses=problem_responses(400, 401, 404, 412, 413, 415, 422),
    summary="Replace the integration's settings",
    description="The whole document: keys left out take their defaults, unknown keys are a "
    "422. With `If-Match` (the `ETag` read), 412 `version_mismatch` when someone saved since; "
    "nothing is saved on any error. Answers the saved settings and their new `ETag`.",
)
async def replace_integration_settings(
    integration_id: uuid.UUID,
    data: IntegrationSettings,
    account: AccountDep,
    session: SessionDep,
    response: Response,
    expected: Annotated[int | None, Depends(expected_version)],
) -> IntegrationSettings:
    saved = await settings_service.replace(
        session, account, integration_id, data, expected_version=expected
    )
    set_etag(response, saved.version)
    return saved.settings
