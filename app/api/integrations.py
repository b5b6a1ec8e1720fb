from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from app.api.deps import AccountDep, AdaptersDep, SessionDep
from app.api.problems import problem_responses
from app.domain.integrations import service as integration_service
from app.domain.integrations.schemas import (
    IntegrationCreate,
    IntegrationPage,
    IntegrationRead,
    IntegrationUpdate,
)

router = APIRouter(tags=["integrations"])


@router.post(
    "/integrations",
    status_code=status.HTTP_201_CREATED,
    response_model=IntegrationRead,
    responses=problem_responses(400, 401, 409, 413, 415, 422, 502, 503),
    summary="Connect an Intercom workspace with an access token",
)
async def create_integration(
    data: IntegrationCreate, account: AccountDep, session: SessionDep, adapters: AdaptersDep
) -> IntegrationRead:
    integration = await integration_service.connect_with_token(
        session, account, data, intercom=adapters.intercom, cipher=adapters.cipher
    )
    return IntegrationRead.model_validate(integration)


@router.get(
    "/integrations",
    response_model=IntegrationPage,
    responses=problem_responses(401),
    summary="List the account's connected workspaces, with their last sync stats",
)
async def list_integrations(account: AccountDep, session: SessionDep) -> IntegrationPage:
    integrations = await integration_service.list_all(session, account)
    reads = [await integration_service.read(session, account, item) for item in integrations]
    return IntegrationPage(data=reads, next_cursor=None)


@router.get(
    "/integrations/{integration_id}",
    response_model=IntegrationRead,
    responses=problem_responses(401, 404, 422),
    summary="Read one integration",
)
async def get_integration(
    integration_id: uuid.UUID, account: AccountDep, session: SessionDep
) -> IntegrationRead:
    integration = await integration_service.get(session, account, integration_id)
    return await integration_service.read(session, account, integration)


@router.patch(
    "/integrations/{integration_id}",
    response_model=IntegrationRead,
    responses=problem_responses(400, 401, 404, 415, 422),
    summary="Rename an integration",
)
async def update_integration(
    integration_id: uuid.UUID, data: IntegrationUpdate, account: AccountDep, session: SessionDep
) -> IntegrationRead:
    integration = await integration_service.rename(session, account, integration_id, data.name)
    return await integration_service.read(session, account, integration)
