from __future__ import annotations

import uuid

from fastapi import APIRouter, Response, status

from app.adapters import refresh_settings
from app.api.deps import AccountDep, AdaptersDep, SessionDep
from app.api.problems import problem_responses
from app.domain.refresh import service as refresh_service
from app.domain.refresh.schemas import RefreshRead

router = APIRouter(tags=["integrations"])


@router.post(
    "/integrations/{integration_id}/refresh",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=RefreshRead,
    responses=problem_responses(401, 404, 409, 422),
    summary="Reload the integration's lists, segments, counts and data attributes",
    description="Accepted: a job reloads them from Intercom. Asking while a refresh is pending "
    "or running answers its state again. Lists and counts are served from the cache meanwhile; "
    "read the integration to see the refresh's state. 409 `integration_reauth_required` when "
    "Intercom refused the stored token.",
)
async def refresh_integration(
    integration_id: uuid.UUID,
    account: AccountDep,
    session: SessionDep,
    adapters: AdaptersDep,
    response: Response,
) -> RefreshRead:
    integration = await refresh_service.request(
        session, account, integration_id, refresh_settings(adapters.settings)
    )
    # Where to watch it: the integration's `refresh`.
    response.headers["Location"] = f"/v1/integrations/{integration.id}"
    return RefreshRead.model_validate(integration.refresh_state)
