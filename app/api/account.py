from __future__ import annotations

import uuid

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict

from app.api.deps import AccountDep, AdaptersDep, ReadSessionDep
from app.api.problems import problem_responses
from app.domain.accounts import service as account_service
from app.domain.segments import service as segment_service
from app.domain.segments.schemas import AutoSyncQuota

router = APIRouter(tags=["account"])


class AccountRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f",
                    "name": "Acme NPS",
                    "nps_campaigns": 3,
                    "auto_sync": {"used": 2, "allowed": 3},
                }
            ]
        }
    )

    id: uuid.UUID
    name: str
    nps_campaigns: int
    auto_sync: AutoSyncQuota


@router.get(
    "/account",
    response_model=AccountRead,
    responses=problem_responses(401),
    summary="The caller's account, with its auto-sync quota",
)
async def get_account(
    account: AccountDep, session: ReadSessionDep, adapters: AdaptersDep
) -> AccountRead:
    row = await account_service.get(session, account.id)
    quota = await segment_service.auto_sync_quota(
        session, account, adapters.settings.auto_sync_per_campaign
    )
    return AccountRead(id=row.id, name=row.name, nps_campaigns=row.nps_campaigns, auto_sync=quota)
