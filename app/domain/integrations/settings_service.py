"""An integration's settings, read over their defaults and replaced whole, versioned (If-Match)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import structlog
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.integrations import service as integration_service
from app.domain.integrations.errors import IntegrationNotFound
from app.domain.integrations.repository import IntegrationRepository
from app.domain.integrations.settings import IntegrationSettings
from app.domain.models import Integration
from app.domain.scope import AccountScope
from app.errors import PreconditionFailed, ensure_version

log = structlog.get_logger(__name__)

RESOURCE = "integration settings"


@dataclass(frozen=True)
class VersionedSettings:
    settings: IntegrationSettings
    version: int


def parse(stored: dict[str, Any] | None) -> IntegrationSettings:
    """Stored settings over the defaults. A key no longer known (a setting since removed), or a
    value no longer valid, falls back to its default rather than breaking every read."""
    values = {
        name: value
        for name, value in (stored or {}).items()
        if name in IntegrationSettings.model_fields
    }
    try:
        return IntegrationSettings.model_validate(values)
    except ValidationError as exc:
        invalid = {error["loc"][0] for error in exc.errors() if error["loc"]}
        log.warning("integrations.settings_invalid", fields=sorted(map(str, invalid)))
        return IntegrationSettings.model_validate(
            {name: value for name, value in values.items() if name not in invalid}
        )


async def settings_of(
    session: AsyncSession, account: AccountScope, integration: Integration
) -> IntegrationSettings:
    """The integration's settings (defaults for those never saved). `account` must own it."""
    if integration.account_id != account.id:
        raise ValueError("the integration is not the account's")
    return parse(integration.settings)


async def read(
    session: AsyncSession, account: AccountScope, integration_id: uuid.UUID
) -> VersionedSettings:
    integration = await integration_service.get(session, account, integration_id)
    return VersionedSettings(
        await settings_of(session, account, integration), integration.settings_version
    )


async def replace(
    session: AsyncSession,
    account: AccountScope,
    integration_id: uuid.UUID,
    data: IntegrationSettings,
    *,
    expected_version: int | None,
) -> VersionedSettings:
    """Saves the whole document (absent keys took their defaults) and bumps the version. 412
    `version_mismatch` when `expected_version` is not the current one: nothing is saved."""
    integration = await integration_service.get(session, account, integration_id)
    ensure_version(RESOURCE, integration.settings_version, expected_version)
    # Compared again in the UPDATE, which waits for a concurrent save: of two writes that named
    # the same version, the second is refused rather than silently overwriting the first.
    version = await IntegrationRepository(session).save_settings(
        account, integration.id, data.model_dump(mode="json"), expected_version=expected_version
    )
    if version is None:
        current = await IntegrationRepository(session).settings_version(account, integration.id)
        if current is None:
            raise IntegrationNotFound(integration.id)
        raise PreconditionFailed(RESOURCE, current)
    return VersionedSettings(data, version)
