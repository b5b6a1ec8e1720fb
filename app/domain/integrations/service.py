"""Connecting Intercom workspaces to an account."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

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
from app.intercom.models import Me

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


@dataclass(frozen=True)
class Connection:
    integration: Integration
    # False when the connect restored an integration that needed reauthorisation.
    created: bool


async def connect_with_token(
    session: AsyncSession,
    account: AccountScope,
    data: IntegrationCreate,
    *,
    intercom: IntercomGateway,
    cipher: SecretCipher,
) -> Connection:
    token = data.access_token.get_secret_value().strip()
    try:
        me = await intercom.workspace(token).me()
    except (IntercomAuthError, IntercomNotFound) as exc:
        raise IntercomTokenRejected(exc.message) from exc
    snapshot = await read_workspace(session, account, me, token=token, intercom=intercom)
    return await connect(
        session,
        account,
        me,
        snapshot,
        token=token,
        name=data.name,
        auth_method="access_token",
        cipher=cipher,
    )


async def read_workspace(
    session: AsyncSession, account: AccountScope, me: Me, *, token: str, intercom: IntercomGateway
) -> refresh_cache.Snapshot:
    """What connecting the workspace writes (lists, counts, data attributes), read from Intercom
    before the connect locks or writes anything: a transaction that waits on Intercom while it
    holds a transaction id holds back every reader of the customers list (which pages below the
    oldest running transaction, customers/repository.py)."""
    if _healthy(await IntegrationRepository(session).find_by_workspace(account, me.app.id_code)):
        raise _already_connected(me)
    region = (me.app.region or "US").upper()
    return await refresh_cache.fetch(intercom.workspace(token, region, app_id=me.app.id_code))


async def connect(
    session: AsyncSession,
    account: AccountScope,
    me: Me,
    snapshot: refresh_cache.Snapshot,
    *,
    token: str,
    name: str | None,
    auth_method: str,
    cipher: SecretCipher,
) -> Connection:
    """Connects the workspace `me` describes with `token`, whichever way the token came, with
    the lists `read_workspace` read.

    A workspace the account already has: one that needs reauthorisation takes the new token
    (created=False); a disconnected one is revived, the same row, so that its lists, sync
    history and customers' sources are its own again; a healthy one is a conflict.
    """
    repository = IntegrationRepository(session)
    # Serialises connects of one account, so two requests cannot take the same slot.
    await repository.lock_account(account)
    existing = await repository.find_by_workspace(account, me.app.id_code)
    if existing is not None and existing.disconnected_at is None:
        if _healthy(existing):
            raise _already_connected(me)
        _store(existing, me, token, auth_method, cipher)
        if name:
            existing.name = name
        await session.flush()
        await refresh_cache.apply_on_connect(session, existing, snapshot)
        return Connection(existing, created=False)

    connected = await repository.list_for_account(account)
    free_slots = sorted({1, 2} - {item.slot for item in connected})
    if not free_slots:
        raise _limit_reached()
    slot = free_slots[0]
    integration = existing or Integration(account_id=account.id, intercom_app_id=me.app.id_code)
    integration.slot = slot
    integration.name = name or _default_name(existing, slot)
    integration.disconnected_at = None
    _store(integration, me, token, auth_method, cipher)
    if existing is None:
        session.add(integration)
    await session.flush()
    await refresh_cache.apply_on_connect(session, integration, snapshot)
    return Connection(integration, created=True)


def ensure_connectable(connected: Sequence[Integration]) -> None:
    """Before an OAuth consent: a connect can succeed only with a free slot, or by
    reconnecting one that needs reauthorisation."""
    if len(connected) >= MAX_INTEGRATIONS_PER_ACCOUNT and all(
        item.status != REAUTH_REQUIRED for item in connected
    ):
        raise _limit_reached()


def _limit_reached() -> IntegrationLimitReached:
    return IntegrationLimitReached(
        f"An account connects at most {MAX_INTEGRATIONS_PER_ACCOUNT} Intercom workspaces; "
        "disconnect one first."
    )


_DEFAULT_NAME = re.compile(r"Account \d+")


def _default_name(revived: Integration | None, slot: int) -> str:
    """A revived integration keeps the name a user gave it; a default one follows its slot."""
    if revived is not None and not _DEFAULT_NAME.fullmatch(revived.name):
        return revived.name
    return f"Account {slot}"


def _healthy(integration: Integration | None) -> bool:
    """Connected, and its token still accepted: connecting its workspace again is a conflict."""
    return (
        integration is not None
        and integration.disconnected_at is None
        and integration.status != REAUTH_REQUIRED
    )


def _already_connected(me: Me) -> WorkspaceAlreadyConnected:
    return WorkspaceAlreadyConnected(
        f"Workspace {me.app.name} ({me.app.id_code}) is already connected to this account."
    )


def _store(
    integration: Integration, me: Me, token: str, auth_method: str, cipher: SecretCipher
) -> None:
    integration.auth_method = auth_method
    integration.status = CONNECTED
    integration.workspace_name = me.app.name
    integration.region = (me.app.region or "US").upper()
    integration.timezone = me.app.timezone
    integration.access_token_encrypted = cipher.encrypt(token)
