"""An integration's settings: what happens on lifecycle events, both ways. Stored as JSON on
the integration (`integrations.settings`, versioned by `settings_version`); absent keys take
the defaults below, so that settings added later need no migration of stored rows."""

from __future__ import annotations

import enum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from app.domain.types import SafeText

EventName = Annotated[str, SafeText(max_length=255)]


class OnDeletedInIntercom(enum.StrEnum):
    DELETE = "delete"  # delete the customer (unless another list still holds it)
    UNSUBSCRIBE = "unsubscribe"
    KEEP = "keep"


class OnUnsubscribedInIntercom(enum.StrEnum):
    UNSUBSCRIBE = "unsubscribe"
    KEEP = "keep"


class EventOut(BaseModel):
    """An event sent to the Intercom contact when something happens to its customer here."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = Field(default=False, strict=True)
    event_name: EventName


class IntegrationSettings(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "on_deleted_in_intercom": "unsubscribe",
                    "on_unsubscribed_in_intercom": "unsubscribe",
                    "event_on_survey_unsubscribe": {
                        "enabled": True,
                        "event_name": "unsubscribed-from-nps",
                    },
                    "event_on_customer_deleted": {
                        "enabled": False,
                        "event_name": "deleted-from-nps",
                    },
                }
            ]
        },
    )

    on_deleted_in_intercom: OnDeletedInIntercom = OnDeletedInIntercom.KEEP
    on_unsubscribed_in_intercom: OnUnsubscribedInIntercom = OnUnsubscribedInIntercom.UNSUBSCRIBE
    event_on_survey_unsubscribe: EventOut = Field(
        default_factory=lambda: EventOut(event_name="unsubscribed-from-surveys")
    )
    event_on_customer_deleted: EventOut = Field(
        default_factory=lambda: EventOut(event_name="deleted-from-surveys")
    )
