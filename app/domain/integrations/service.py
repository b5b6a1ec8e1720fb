"""Connecting Intercom workspaces to an account."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.integrations.errors import (
    IntegrationLimitReached,
    IntegrationNeedsReauth,
    IntegrationNotFound,
    IntercomTokenRejected,
    WorkspaceAlreadyConnected,
)
from app.domain.integrations.repository import IntegrationRepository
from app.domain.integrations.schemas import IntegrationCreate, IntegrationRead
from app.domain.models import Integration
from app.domain.models.integrations import CONNECTED, REAUTH_REQUIRED
from app.domain.ports import IntercomGateway, IntercomWorkspace, SecretCipher
from app.domain.refresh import cache as refresh_cache
from app.domain.scope import AccountScope
from app.domain.syncs.schemas import summarise
from app.intercom.errors import IntercomAuthError, IntercomNotFound

MAX_INTEGRATIONS_PER_ACCOUNT = 2


async def get(
    session: AsyncSession, account: AccountScope, integration_id: uuid.UUID
) -> Integration:
    integration = await IntegrationRepository(session).get_for_account(account, integration_id)
    if integration is None:
        raise IntegrationNotFound(integration_id)
    return integration


async def list_all(session: AsyncSession, account: AccountScope) -> Sequence[Integration]:
    return await IntegrationRepository(session).list_for_account(account)


async def read(
    session: AsyncSession, account: AccountScope, integration: Integration
) -> IntegrationRead:
    """The integration with its last sync stats."""
    run = await IntegrationRepository(session).last_sync(account, integration.id)
    result = IntegrationRead.model_validate(integration)
    result.last_sync = summarise(run) if run is not None else None
    return result


async def rename(
    session: AsyncSession, account: AccountScope, integration_id: uuid.UUID, name: str
) -> Integration:
    integration = await get(session, account, integration_id)
    integration.name = name
    await session.flush()
    return integration


def ensure_usable(integration: Integration) -> None:
    """Work that calls Intercom with the stored token is refused until it is replaced."""
    if integration.status == REAUTH_REQUIRED:
        raise IntegrationNeedsReauth(integration.id)


def workspace_for(
    integration: Integration, intercom: IntercomGateway, cipher: SecretCipher
) -> IntercomWorkspace:
    if integration.access_token_encrypted is None:  # disconnected: the token is destroyed
        raise IntegrationNotFound(integration.id)
    token = cipher.decrypt(integration.access_token_encrypted)
    return intercom.workspace(token, integration.region, app_id=integration.intercom_app_id)


async def connect_with_token(
    session: AsyncSession,
    account: AccountScope,
    data: IntegrationCreate,
    *,
    intercom: IntercomGateway,
    cipher: SecretCipher,
) -> Integration:
    token = data.access_token.get_secret_value().strip()
    try:
        me = await intercom.workspace(token).me()
    except (IntercomAuthError, IntercomNotFound) as exc:
        raise IntercomTokenRejected(exc.message) from exc

    # Serialises connects of one account, so two requests cannot take the same slot.
    repository = IntegrationRepository(session)
    await repository.lock_account(account)
    existing = await repository.list_for_account(account)
    if any(item.intercom_app_id == me.app.id_code for item in existing):
        raise WorkspaceAlreadyConnected(
            f"Workspace {me.app.name} ({me.app.id_code}) is already connected to this account."
        )
    free_slots = sorted({1, 2} - {item.slot for item in existing})
    if not free_slots:
        raise IntegrationLimitReached(
            f"An account connects at most {MAX_INTEGRATIONS_PER_ACCOUNT} Intercom workspaces; "
            "disconnect one first."
        )
    slot = free_slots[0]
    integration = Integration(
        account_id=account.id,
        slot=slot,
        name=data.name or f"Account {slot}",
        auth_method="access_token",
        status=CONNECTED,
        intercom_app_id=me.app.id_code,
        workspace_name=me.app.name,
        region=(me.app.region or "US").upper(),
        timezone=me.app.timezone,
        access_token_encrypted=cipher.encrypt(token),
    )
    session.add(integration)
    await session.flush()
    # Lists, counts and data attributes; sets the first periodic refresh at its slot.
    await refresh_cache.reload_on_connect(
        session, integration, workspace_for(integration, intercom, cipher)
    )
    return integration
