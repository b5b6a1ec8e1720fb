from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic.config import JsonDict

from app.domain.pagination import Page

CUSTOMER_EXAMPLE: JsonDict = {
    "id": "0b7e8f3c-1d2a-4c5b-9e6f-7a8b9c0d1e2f",
    "email": "ada@example.com",
    "name": "Ada Lovelace",
    "phone": "+44 20 7946 0018",
    "properties": {"plan": "Pro", "country": "United Kingdom"},
    "tags": ["VIP"],
    "subscribed": True,
    "unsubscribed_at": None,
    "created_at": "2026-11-30T09:00:30Z",
    "updated_at": "2026-11-30T09:00:30Z",
}
CUSTOMER_EVENT_EXAMPLE: JsonDict = {
    "id": 4211,
    "integration_id": "2b1e9c4d-7a0f-4f57-8b56-0c9d6e1f2a3b",
    "intercom_contact_id": "6762f0d21bb69f9f2193bb7c",
    "event_name": "unsubscribed-from-surveys",
    "status": "sent",
    "attempts": 1,
    "last_error": None,
    "created_at": "2026-12-01T10:15:00Z",
    "sent_at": "2026-12-01T10:15:02Z",
}
# The customer above once unsubscribed, as `GET` and `POST .../unsubscribe` answer it.
CUSTOMER_DETAIL_EXAMPLE: JsonDict = {
    **CUSTOMER_EXAMPLE,
    "subscribed": False,
    "unsubscribed_at": "2026-12-01T10:15:00Z",
    "updated_at": "2026-12-01T10:15:00Z",
    "contacts": [
        {
            "integration_id": CUSTOMER_EVENT_EXAMPLE["integration_id"],
            "intercom_contact_id": CUSTOMER_EVENT_EXAMPLE["intercom_contact_id"],
            "role": "user",
            "winner": True,
            "changed_at": "2026-11-30T09:00:30Z",
            "lists": [
                {
                    "segment_id": "8f14e45f-ceea-4e7a-9b1a-1f0b6a1c2d3e",
                    "name": "Users",
                    "last_synced_at": "2026-11-30T09:00:01Z",
                }
            ],
        }
    ],
    "events": [CUSTOMER_EVENT_EXAMPLE],
}


class CustomerRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    email: str
    name: str | None
    phone: str | None
    properties: dict[str, Any]
    tags: list[str] = Field(default_factory=list, description="Put by the segments that synced it.")
    subscribed: bool = Field(description="False once unsubscribed from surveys.")
    unsubscribed_at: datetime | None
    created_at: datetime
    updated_at: datetime


class CustomerPage(Page[CustomerRead]):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"data": [CUSTOMER_EXAMPLE], "next_cursor": "WzEyMzQ1LCIwYjdlOGYzYyJd"}]
        }
    )


class CustomerList(BaseModel):
    """A list or segment a contact of the customer belongs to."""

    segment_id: uuid.UUID
    name: str
    last_synced_at: datetime | None = Field(
        description="When the last sync that read the contact in this list started; null when "
        "only a webhook has put it there so far."
    )


class CustomerContact(BaseModel):
    """One Intercom contact the customer came from."""

    integration_id: uuid.UUID
    intercom_contact_id: str
    role: str = Field(description="`user` or `lead`.")
    winner: bool = Field(description="The customer's values are this contact's.")
    changed_at: datetime = Field(description="When a sync or webhook last changed its values.")
    lists: list[CustomerList]


class CustomerEventRead(BaseModel):
    """An event sent (or to send) to one of the customer's Intercom contacts."""

    id: int
    integration_id: uuid.UUID
    intercom_contact_id: str
    event_name: str
    status: str = Field(description="`pending`, `sent`, or `failed` (see `last_error`).")
    attempts: int
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None


class CustomerDetail(CustomerRead):
    model_config = ConfigDict(json_schema_extra={"examples": [CUSTOMER_DETAIL_EXAMPLE]})

    contacts: list[CustomerContact]
    events: list[CustomerEventRead] = Field(
        description="The latest events for Intercom about this customer (at most 20)."
    )
