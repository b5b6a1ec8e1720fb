"""Disconnecting a workspace: the token destroyed, the slot freed, its lists' syncs stopped;
the row stays (history, customers' sources) so that connecting the workspace again revives it.

Its own module because it ends syncs, and the sync commands depend on the integration service.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.customers.repository import CustomerRepository
from app.domain.integrations import service
from app.domain.integrations.repository import IntegrationRepository
from app.domain.models.integrations import DISCONNECTED
from app.domain.scope import AccountScope
from app.domain.syncs import commands

CANCEL_CODE = "integration_disconnected"


@dataclass(frozen=True)
class Disconnected:
    cancelled_syncs: int
    deleted_customers: int


async def disconnect(
    session: AsyncSession,
    account: AccountScope,
    integration_id: uuid.UUID,
    *,
    delete_customers: bool = False,
) -> Disconnected:
    repository = IntegrationRepository(session)
    # The same lock as connects: a connect cannot revive or reuse the slot half-way.
    await repository.lock_account(account)
    integration = await service.get(session, account, integration_id)
    integration.access_token_encrypted = None
    integration.status = DISCONNECTED
    integration.disconnected_at = datetime.now(UTC)
    integration.slot = None
    integration.refresh_due_at = None
    integration.refresh_requested_at = None
    await session.flush()
    segment_ids = await repository.stop_segments(account, integration.id)
    # Before deleting customers: a batch that wrote past the cancel would be fenced out, and one
    # committing now holds the run's row, so the cancel waits for it and the delete sees it.
    cancelled = await commands.cancel_active(
        session,
        account,
        segment_ids,
        code=CANCEL_CODE,
        message=f"The Intercom workspace {integration.workspace_name} was disconnected.",
    )
    deleted = 0
    if delete_customers:
        deleted = await CustomerRepository(session).delete_only_from_integration(
            account, integration.id
        )
    return Disconnected(cancelled_syncs=cancelled, deleted_customers=deleted)
