from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.models import Integration, IntercomAttribute
from app.domain.models.integrations import CONNECTED
from app.domain.scope import AccountScope
from app.domain.types import clean_name, has_control_characters
from app.intercom.models import DataAttribute


def _lease_free() -> object:
    """No live claim and no job on its way: nothing holds the lease, or its deadline passed
    (on the database's clock, like every lease deadline)."""
    return Integration.refresh_lease_expires_at.is_(None) | (
        Integration.refresh_lease_expires_at < func.now()
    )


class RefreshRepository:
    """The refresh's claims on integration rows. The job and the periodic pass act on rows by id
    across accounts, like the sync runner: what they do is scoped by the row's own account."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def reserve_requested(
        self, account: AccountScope, integration_id: uuid.UUID, start_within: timedelta
    ) -> Integration | None:
        """Records a request for a refresh now, and holds the lease for the job that will do it
        (it must start within `start_within`); None when a refresh is already on its way."""
        now = func.now()
        result: Integration | None = await self.session.scalar(
            update(Integration)
            .where(
                Integration.id == integration_id,
                Integration.account_id == account.id,
                Integration.disconnected_at.is_(None),
                _lease_free(),  # type: ignore[arg-type]
            )
            .values(
                refresh_requested_at=now,
                refresh_due_at=now,
                refresh_lease_owner=None,
                refresh_lease_expires_at=now + start_within,
            )
            .returning(Integration)
            .execution_options(populate_existing=True, synchronize_session=False)
        )
        return result

    async def lock_due(self, now: datetime, limit: int) -> Sequence[Integration]:
        """Connected integrations whose refresh is due at `now` and whose lease is free or
        lapsed, locked; those another pass locked are skipped."""
        result = await self.session.scalars(
            select(Integration)
            .where(
                Integration.disconnected_at.is_(None),
                Integration.status == CONNECTED,
                Integration.refresh_due_at <= now,
                _lease_free(),  # type: ignore[arg-type]
            )
            .order_by(Integration.refresh_due_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return result.all()

    async def claim(
        self, integration_id: uuid.UUID, owner: str, lease: timedelta
    ) -> Integration | None:
        """Takes the lease for the job that was sent (held for it, with no owner yet) or over a
        claim that lapsed; None when a live job holds it or no refresh was asked for."""
        result: Integration | None = await self.session.scalar(
            update(Integration)
            .where(
                Integration.id == integration_id,
                Integration.disconnected_at.is_(None),
                Integration.status == CONNECTED,
                Integration.refresh_lease_expires_at.is_not(None),
                Integration.refresh_lease_owner.is_(None)
                | (Integration.refresh_lease_expires_at < func.now()),
            )
            .values(refresh_lease_owner=owner, refresh_lease_expires_at=func.now() + lease)
            .returning(Integration)
            .execution_options(populate_existing=True, synchronize_session=False)
        )
        return result

    async def lock_connected(
        self, account: AccountScope, integration_id: uuid.UUID
    ) -> Integration | None:
        """The account's integration, not disconnected, locked as a refresh's write locks it."""
        result: Integration | None = await self.session.scalar(
            select(Integration)
            .where(
                Integration.id == integration_id,
                Integration.account_id == account.id,
                Integration.disconnected_at.is_(None),
            )
            .with_for_update(key_share=True)
            .execution_options(populate_existing=True)
        )
        return result

    async def renew(self, integration_id: uuid.UUID, owner: str, lease: timedelta) -> bool:
        """Extends a claim that `owner` still holds (a refresh that counts a long list); False
        when it lapsed to another job or the workspace was disconnected."""
        renewed = await self.session.scalar(
            update(Integration)
            .where(
                Integration.id == integration_id,
                Integration.refresh_lease_owner == owner,
                Integration.disconnected_at.is_(None),
            )
            .values(refresh_lease_expires_at=func.now() + lease)
            .returning(Integration.id)
            .execution_options(synchronize_session=False)
        )
        return renewed is not None

    async def lock_held(self, integration_id: uuid.UUID, owner: str) -> Integration | None:
        """The integration, locked, if `owner` still holds its refresh lease; else None (the
        lease went to another job, or the workspace was disconnected): write nothing."""
        result: Integration | None = await self.session.scalar(
            select(Integration)
            .where(
                Integration.id == integration_id,
                Integration.refresh_lease_owner == owner,
                Integration.disconnected_at.is_(None),
            )
            # NO KEY UPDATE: sources inserted meanwhile (KEY SHARE on the integration) go on.
            .with_for_update(key_share=True)
            .execution_options(populate_existing=True)
        )
        return result


class AttributeRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def replace(
        self,
        account: AccountScope,
        integration_id: uuid.UUID,
        attributes: Sequence[DataAttribute],
        *,
        now: datetime,
    ) -> None:
        """Upserts the attributes Intercom returned (by `full_name`) and marks the others
        removed: their rows stay, so a mapping naming one can say why it imports nothing."""
        # One row per name: ON CONFLICT cannot touch a row twice in one statement.
        by_name = {
            attribute.full_name: attribute
            for attribute in attributes
            if 0 < len(attribute.full_name) <= 255
            and not has_control_characters(attribute.full_name)
        }
        rows = [
            {
                "id": uuid.uuid4(),
                "account_id": account.id,
                "integration_id": integration_id,
                "name": name,
                "label": clean_name(attribute.label, max_length=255) or name,
                "data_type": clean_name(attribute.data_type, max_length=32) or "unknown",
                "custom": attribute.custom,
                "archived": attribute.archived,
                "description": (
                    clean_name(attribute.description, max_length=2000)
                    if attribute.description
                    else None
                ),
                "refreshed_at": now,
                "removed_at": None,
            }
            for name, attribute in by_name.items()
        ]
        if rows:
            statement = insert(IntercomAttribute).values(rows)
            columns = ("label", "data_type", "custom", "archived", "description", "refreshed_at")
            await self.session.execute(
                statement.on_conflict_do_update(
                    index_elements=["integration_id", "name"],
                    set_={
                        **{column: statement.excluded[column] for column in columns},
                        "removed_at": None,
                    },
                )
            )
        await self.session.execute(
            update(IntercomAttribute)
            .where(
                IntercomAttribute.account_id == account.id,
                IntercomAttribute.integration_id == integration_id,
                IntercomAttribute.refreshed_at < now,
                IntercomAttribute.removed_at.is_(None),
            )
            .values(removed_at=now)
        )

    async def list_for_integration(
        self, account: AccountScope, integration_id: uuid.UUID
    ) -> Sequence[IntercomAttribute]:
        result = await self.session.scalars(
            select(IntercomAttribute)
            .where(
                IntercomAttribute.account_id == account.id,
                IntercomAttribute.integration_id == integration_id,
            )
            .order_by(IntercomAttribute.name)
        )
        return result.all()
