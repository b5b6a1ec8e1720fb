from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.models import Account, Integration, Segment, SyncRun
from app.domain.models.integrations import REAUTH_REQUIRED, OAuthState
from app.domain.scope import AccountScope


class IntegrationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get_for_account(
        self, account: AccountScope, integration_id: uuid.UUID
    ) -> Integration | None:
        return await self.session.scalar(
            select(Integration).where(
                Integration.id == integration_id,
                Integration.account_id == account.id,
                Integration.disconnected_at.is_(None),
            )
        )

    async def list_for_account(self, account: AccountScope) -> Sequence[Integration]:
        result = await self.session.scalars(
            select(Integration)
            .where(Integration.account_id == account.id, Integration.disconnected_at.is_(None))
            .order_by(Integration.slot)
        )
        return result.all()

    async def lock_account(self, account: AccountScope) -> None:
        """Serialises changes to an account's integrations (two connects cannot take one slot)."""
        # NO KEY UPDATE: it serialises these changes without blocking the inserts that
        # reference the account (their foreign keys take KEY SHARE), so a sync starting or
        # writing beside a connect or a disconnect neither waits for it nor deadlocks with it.
        await self.session.execute(
            select(Account.id).where(Account.id == account.id).with_for_update(key_share=True)
        )

    async def require_reauth(self, account: AccountScope, integration_id: uuid.UUID) -> None:
        """Intercom refused the integration's token: nothing works until it is reconnected."""
        await self.session.execute(
            update(Integration)
            .where(Integration.id == integration_id, Integration.account_id == account.id)
            .values(status=REAUTH_REQUIRED)
        )

    async def last_sync(self, account: AccountScope, integration_id: uuid.UUID) -> SyncRun | None:
        return await self.session.scalar(
            select(SyncRun)
            .join(Segment, Segment.id == SyncRun.segment_id)
            .where(SyncRun.account_id == account.id, Segment.integration_id == integration_id)
            .order_by(SyncRun.created_at.desc(), SyncRun.id.desc())
            .limit(1)
        )

    async def find_by_workspace(self, account: AccountScope, app_id: str) -> Integration | None:
        """The account's integration of an Intercom workspace, disconnected ones included
        (connecting the workspace again revives its row)."""
        return await self.session.scalar(
            select(Integration).where(
                Integration.account_id == account.id, Integration.intercom_app_id == app_id
            )
        )

    async def stop_segments(
        self, account: AccountScope, integration_id: uuid.UUID
    ) -> Sequence[uuid.UUID]:
        """Turns auto-sync off on every list of the integration; returns their ids."""
        result = await self.session.scalars(
            update(Segment)
            .where(Segment.account_id == account.id, Segment.integration_id == integration_id)
            .values(auto_sync=False, next_sync_at=None)
            .returning(Segment.id)
        )
        return result.all()

    # -- OAuth states ----------------------------------------------------------------------

    async def consume_oauth_state(
        self, account: AccountScope, state_id: uuid.UUID
    ) -> OAuthState | None:
        """Marks the state used, if it is the account's, unused and unexpired. One statement,
        so that of two callbacks with one state only one gets the row."""
        return await self.session.scalar(
            update(OAuthState)
            .where(
                OAuthState.id == state_id,
                OAuthState.account_id == account.id,
                OAuthState.consumed_at.is_(None),
                OAuthState.expires_at > func.now(),
            )
            .values(consumed_at=func.now())
            .returning(OAuthState)
        )

    async def oauth_state_usable(self, account: AccountScope, state_id: uuid.UUID) -> bool:
        """Whether the state is the account's, unused and unexpired (a read: no lock)."""
        found = await self.session.scalar(
            select(OAuthState.id).where(
                OAuthState.id == state_id,
                OAuthState.account_id == account.id,
                OAuthState.consumed_at.is_(None),
                OAuthState.expires_at > func.now(),
            )
        )
        return found is not None

    async def get_oauth_state(
        self, account: AccountScope, state_id: uuid.UUID
    ) -> OAuthState | None:
        return await self.session.scalar(
            select(OAuthState).where(OAuthState.id == state_id, OAuthState.account_id == account.id)
        )

    async def delete_stale_oauth_states(self, account: AccountScope) -> None:
        """States expired a day ago: only the explanation "expired" is lost with them."""
        await self.session.execute(
            delete(OAuthState).where(
                OAuthState.account_id == account.id,
                OAuthState.expires_at < func.now() - text("interval '1 day'"),
            )
        )

    async def save_settings(
        self,
        account: AccountScope,
        integration_id: uuid.UUID,
        settings: dict[str, Any],
        *,
        expected_version: int | None,
    ) -> int | None:
        """Replaces a connected integration's settings and bumps their version, if the version
        is still `expected_version` (any, when None). The new version, or None when nothing
        was saved (unknown, disconnected, or saved by someone else since)."""
        statement = update(Integration).where(
            Integration.id == integration_id,
            Integration.account_id == account.id,
            Integration.disconnected_at.is_(None),
        )
        if expected_version is not None:
            statement = statement.where(Integration.settings_version == expected_version)
        version: int | None = await self.session.scalar(
            statement.values(settings=settings, settings_version=Integration.settings_version + 1)
            .returning(Integration.settings_version)
            .execution_options(synchronize_session="fetch")
        )
        return version

    async def settings_version(
        self, account: AccountScope, integration_id: uuid.UUID
    ) -> int | None:
        return await self.session.scalar(
            select(Integration.settings_version).where(
                Integration.id == integration_id,
                Integration.account_id == account.id,
                Integration.disconnected_at.is_(None),
            )
        )
