from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field
from pydantic.config import JsonDict

from app.domain.pagination import Page
from app.domain.refresh.schemas import REFRESH_EXAMPLE, RefreshRead
from app.domain.syncs.schemas import SYNC_SUMMARY_EXAMPLE, SyncSummary
from app.domain.types import SafeText, Token


class IntegrationCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"access_token": "dG9rOjEyMzQ1Njc4OTA=", "name": "EU"}]},
    )

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


INTEGRATION_EXAMPLE: JsonDict = {
    "id": "2b1e9c4d-7a0f-4f57-8b56-0c9d6e1f2a3b",
    "name": "Account 1",
    "slot": 1,
    "status": "connected",
    "auth_method": "oauth",
    "intercom_app_id": "ecahpwf5",
    "workspace_name": "Acme Support",
    "region": "US",
    "timezone": "America/New_York",
    "refreshed_at": "2026-11-30T08:00:00Z",
    "created_at": "2026-11-01T10:00:00Z",
    "updated_at": "2026-11-30T08:00:00Z",
    "last_sync": SYNC_SUMMARY_EXAMPLE,
    "refresh": REFRESH_EXAMPLE,
}


class IntegrationRead(BaseModel):
    model_config = ConfigDict(
        from_attributes=True, json_schema_extra={"examples": [INTEGRATION_EXAMPLE]}
    )

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

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"data": [INTEGRATION_EXAMPLE], "next_cursor": None}]}
    )


class OAuthStart(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"redirect_uri": "https://nps.example.com/intercom/callback", "name": "EU team"}
            ]
        },
    )

    redirect_uri: Annotated[str, SafeText(max_length=2000)] = Field(
        description="Where Intercom sends the admin back with `code` and `state`: one of the "
        "redirects this deployment allows (OAUTH_REDIRECT_URIS), exactly."
    )
    name: Annotated[str, SafeText(max_length=100)] | None = Field(
        default=None,
        description='Display name of the integration; defaults to "Account 1" or "Account 2".',
    )


class OAuthStarted(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "authorize_url": "https://app.intercom.com/oauth?client_id=abc&state="
                    "eyJhbGciOiJIUzI1NiJ9.e30.sig&redirect_uri=https%3A%2F%2Fnps.example.com"
                    "%2Fintercom%2Fcallback",
                    "state": "eyJhbGciOiJIUzI1NiJ9.e30.sig",
                    "expires_at": "2026-11-30T09:10:00Z",
                }
            ]
        }
    )

    authorize_url: str = Field(description="Send the admin's browser here (Intercom's consent).")
    state: str = Field(
        description="Signed, single use, bound to this account and redirect; Intercom hands it "
        "back with the code: send both to `POST /v1/integrations/oauth/callback`."
    )
    expires_at: datetime = Field(description="The state is refused after this.")


class OAuthCallback(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"code": "2f1c9a0b7e", "state": "eyJhbGciOiJIUzI1NiJ9.e30.sig"}]
        },
    )

    code: Token = Field(
        min_length=1, max_length=500, description="The `code` Intercom put on the redirect."
    )
    state: Annotated[str, SafeText(max_length=2000)] = Field(
        description="The `state` Intercom put on the redirect, unchanged."
    )


class IntegrationDisconnected(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"cancelled_syncs": 1, "deleted_customers": 0}]}
    )

    cancelled_syncs: int = Field(description="Pending or running syncs of its lists, now ended.")
    deleted_customers: int = Field(
        description="Customers deleted because every source of theirs was this workspace "
        "(only with `delete_customers=true`)."
    )
