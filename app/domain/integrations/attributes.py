"""The Intercom contact data attributes of an integration, as its refresh cached them: what a
mapping can take values from."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field
from pydantic.config import JsonDict
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.integrations import service as integration_service
from app.domain.models import IntercomAttribute
from app.domain.pagination import Page
from app.domain.refresh.repository import AttributeRepository
from app.domain.scope import AccountScope


@dataclass(frozen=True)
class AttributeInfo:
    name: str  # Intercom's full_name, e.g. "custom_attributes.plan"
    label: str
    type: str  # Intercom's data_type: string, integer, float, boolean, date, ...
    custom: bool
    archived: bool
    description: str | None
    # Intercom stopped returning it (deleted there): a mapping naming it imports nothing.
    removed: bool


ATTRIBUTE_EXAMPLE: JsonDict = {
    "name": "custom_attributes.plan",
    "label": "Plan",
    "type": "string",
    "custom": True,
    "archived": False,
    "description": "The contact's subscription plan.",
}


class AttributeRead(BaseModel):
    model_config = ConfigDict(
        from_attributes=True, json_schema_extra={"examples": [ATTRIBUTE_EXAMPLE]}
    )

    name: str = Field(
        description="Intercom's `full_name`: what a mapping names (`custom_attributes.<name>` "
        "for custom attributes)."
    )
    label: str
    type: str = Field(
        description="Intercom's `data_type`: `string`, `integer`, `float`, `boolean`, `date`, "
        "or a newer one Intercom adds."
    )
    custom: bool = Field(description="A custom attribute of the workspace, not a standard one.")
    archived: bool = Field(description="Archived in Intercom: contacts may still hold values.")
    description: str | None


class AttributePage(Page[AttributeRead]):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"data": [ATTRIBUTE_EXAMPLE], "next_cursor": None}]}
    )


def _info(row: IntercomAttribute) -> AttributeInfo:
    return AttributeInfo(
        name=row.name,
        label=row.label,
        type=row.data_type,
        custom=row.custom,
        archived=row.archived,
        description=row.description,
        removed=row.removed_at is not None,
    )


async def attributes_of(
    session: AsyncSession, account: AccountScope, integration_id: uuid.UUID
) -> list[AttributeInfo]:
    """Every cached attribute of the integration, those Intercom no longer returns included
    (`removed`), standard ones first, then by name. 404 for an integration the account does not
    have connected."""
    integration = await integration_service.get(session, account, integration_id)
    rows = await AttributeRepository(session).list_for_integration(account, integration.id)
    return sorted((_info(row) for row in rows), key=lambda info: (info.custom, info.name))


async def page(
    session: AsyncSession,
    account: AccountScope,
    integration_id: uuid.UUID,
    *,
    include_archived: bool,
) -> AttributePage:
    infos = await attributes_of(session, account, integration_id)
    return AttributePage(
        data=[
            AttributeRead.model_validate(info)
            for info in infos
            if not info.removed and (include_archived or not info.archived)
        ],
        next_cursor=None,
    )
