from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from app.domain.pagination import Page
from app.domain.refresh.schemas import RefreshRead
from app.domain.syncs.schemas import SyncSummary
from app.domain.types import SafeText, Token


class IntegrationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    access_token: Token = Field(
        min_length=1,
        max_length=500,
        description="An Intercom access token of the workspace: printable ASCII, no spaces.",
    )
    name: Annotated[str, SafeText(max_length=100)] | None = Field(
        default=None,
        description='Display name; defaults to "Account 1" or "Account 2".',
    )


class IntegrationUpdate(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"name": "EU support workspace"}]}
    )

    name: Annotated[str, SafeText(max_length=100)] = Field(
        description="The name shown in the product (the workspace's own name is unchanged)."
    )


class IntegrationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    slot: int = Field(description="1 or 2: an account connects at most two workspaces.")
    status: str
    auth_method: str
    intercom_app_id: str
    workspace_name: str
    region: str
    timezone: str | None
    refreshed_at: datetime | None = Field(
        description="When lists, segments, counts and data attributes were last reloaded."
    )
    created_at: datetime
    updated_at: datetime
    last_sync: SyncSummary | None = Field(
        default=None, description="The most recent sync of any of its lists and segments."
    )
    # -- Refresh data (issue 8) --
    refresh: RefreshRead = Field(
        validation_alias="refresh_state",
        description="Where the refresh of lists, segments, counts and data attributes stands.",
    )


class IntegrationPage(Page[IntegrationRead]):
    """An account connects at most two workspaces: one page, `next_cursor` always null."""
