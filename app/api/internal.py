"""The internal API: the main NPS product tells this service about its accounts. It carries
the product's own credential, not an account's, and may name any account."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

from app.api.auth import is_bearer_of
from app.api.deps import AdaptersDep, SessionDep
from app.api.problems import problem_responses
from app.domain.accounts import service as account_service
from app.domain.scope import AccountScope
from app.domain.segments import service as segment_service
from app.domain.segments.schemas import AutoSyncQuota
from app.errors import Unauthenticated

internal_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="internalBearer",
    description="The main product's internal API token (`INTERNAL_API_TOKEN`), not an account "
    "credential.",
)


async def require_product(
    adapters: AdaptersDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(internal_bearer)],
) -> None:
    given = credentials.credentials if credentials else ""
    if not is_bearer_of(given, adapters.settings.internal_api_token):
        raise Unauthenticated("Send `Authorization: Bearer <internal API token>`.")


router = APIRouter(
    prefix="/internal/v1", tags=["internal"], dependencies=[Depends(require_product)]
)


def _json_integer(value: object) -> object:
    # JSON Schema's integer is a number without a fraction, 3.0 as much as 3; "3" and true are
    # not numbers at all (pydantic's strict mode refused 3.0, its lax mode takes all three).
    if isinstance(value, str | bool):
        raise PydanticCustomError("int_type", "Input should be a valid integer")
    return value


class CampaignCount(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"nps_campaigns": 3}]}
    )

    nps_campaigns: Annotated[int, BeforeValidator(_json_integer)] = Field(
        ge=0,
        le=account_service.MAX_NPS_CAMPAIGNS,
        description="NPS campaigns the account runs.",
    )


class AccountCampaigns(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "account_id": "6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f",
                    "nps_campaigns": 3,
                    "auto_sync": {"used": 2, "allowed": 3},
                }
            ]
        }
    )

    account_id: uuid.UUID
    nps_campaigns: int
    auto_sync: AutoSyncQuota


@router.put(
    "/accounts/{account_id}/nps-campaigns",
    response_model=AccountCampaigns,
    responses=problem_responses(400, 401, 404, 413, 415, 422),
    summary="Set an account's NPS campaign count (drives its auto-sync quota)",
    description="Called by the main product whenever an account's campaigns change. When the "
    "count drops below what is switched on, those stay on; switching more on is refused.",
)
async def set_nps_campaigns(
    account_id: uuid.UUID, data: CampaignCount, session: SessionDep, adapters: AdaptersDep
) -> AccountCampaigns:
    account = await account_service.set_nps_campaigns(session, account_id, data.nps_campaigns)
    quota = await segment_service.auto_sync_quota(
        session, AccountScope(account.id), adapters.settings.auto_sync_per_campaign
    )
    return AccountCampaigns(
        account_id=account.id, nps_campaigns=account.nps_campaigns, auto_sync=quota
    )
