from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator
from pydantic.config import JsonDict

from app.domain.mapping.conversions import Conversion
from app.domain.mapping.properties import PROPERTY_KEY_MAX_LENGTH, PROPERTY_KEY_PATTERN
from app.domain.mapping.suggestions import Reason
from app.domain.properties.catalog import PropertyType, Target
from app.domain.types import SafeText

MAX_MAPPING_ENTRIES = 500

AttributeName = Annotated[str, StringConstraints(min_length=1, max_length=255)]
PropertyKeyRef = Annotated[str, StringConstraints(min_length=1, max_length=PROPERTY_KEY_MAX_LENGTH)]
NewPropertyKey = Annotated[
    str,
    StringConstraints(
        min_length=1, max_length=PROPERTY_KEY_MAX_LENGTH, pattern=PROPERTY_KEY_PATTERN
    ),
]
PropertyLabel = Annotated[str, SafeText(max_length=200)]

MAPPING_ENTRY_EXAMPLE: JsonDict = {
    "attribute": "custom_attributes.plan",
    "attribute_label": "Plan",
    "attribute_type": "string",
    "property": "plan",
    "property_type": "text",
    "conversion": "text",
    "target": "properties",
    "archived": False,
    "removed": False,
}
MAPPING_EXAMPLE: JsonDict = {
    "version": 2,
    "confirmed": True,
    "confirmed_at": "2026-11-30T09:00:00Z",
    "saved": True,
    "entries": [
        {
            "attribute": "email",
            "attribute_label": "Email",
            "attribute_type": "string",
            "property": "email",
            "property_type": "text",
            "conversion": "text",
            "target": "email",
            "archived": False,
            "removed": False,
        },
        MAPPING_ENTRY_EXAMPLE,
    ],
}


class MappingEntryRead(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [MAPPING_ENTRY_EXAMPLE]})

    attribute: str = Field(description="The Intercom attribute's full name.")
    attribute_label: str | None = Field(description="None if the cache never knew it.")
    attribute_type: str | None = Field(
        description="Intercom's data type: string, integer, float, boolean or date."
    )
    property: str = Field(description="The customer property's key.")
    property_type: PropertyType | None = Field(description="None if the property is gone.")
    conversion: Conversion | None = Field(
        description="How values convert; None when the pair no longer converts (the attribute "
        "changed type, or the property is gone): a sync skips the entry."
    )
    target: Target | None = Field(description="The customer's column, or `properties`.")
    archived: bool = Field(description="Archived in Intercom: imports values no longer updated.")
    removed: bool = Field(description="Gone from Intercom: a sync skips it with a warning.")


class MappingRead(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [MAPPING_EXAMPLE]})

    version: int = Field(description="Also the ETag; name it in If-Match when saving.")
    confirmed: bool = Field(
        description="Someone saved it, or accepted the default mapping: the list may be synced."
    )
    confirmed_at: datetime | None
    saved: bool = Field(description="False: never saved, `entries` is the default mapping.")
    entries: list[MappingEntryRead]


class PropertyProposal(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"key": "plan", "label": "Plan", "type": "text"}]}
    )

    key: str
    label: str
    type: PropertyType


SUGGESTION_EXAMPLE: JsonDict = {
    "attribute": "custom_attributes.plan",
    "attribute_label": "Plan",
    "attribute_type": "string",
    "custom": True,
    "archived": False,
    "property": None,
    "property_type": None,
    "create": {"key": "plan", "label": "Plan", "type": "text"},
    "reason": "no_match",
}


class SuggestionRead(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [SUGGESTION_EXAMPLE]})

    attribute: str
    attribute_label: str
    attribute_type: str
    custom: bool
    archived: bool
    property: str | None = Field(description="The existing property suggested, if any.")
    property_type: PropertyType | None
    create: PropertyProposal | None = Field(
        description="No property fits: the one to create for it (send it as `create_property`)."
    )
    reason: Reason = Field(
        description="Why: `standard_attribute` (a standard attribute's default property), "
        "`same_key`, `same_label` (an existing property of that normalised key or label whose "
        "type converts), `no_match`, `archived` or `removed` (nothing suggested)."
    )


class SuggestionList(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"data": [SUGGESTION_EXAMPLE]}]})

    data: list[SuggestionRead]


class MappingPropertyCreate(BaseModel):
    """A custom property created with the mapping, in the same transaction."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"key": "plan", "label": "Plan", "type": "text"}]},
    )

    key: NewPropertyKey = Field(
        description="Lower-case letters, digits and `_`, starting with a letter; not a "
        "default property's key, unique in the account without regard to case."
    )
    label: PropertyLabel
    type: PropertyType


class MappingEntryWrite(BaseModel):
    """An attribute and the property it imports into: an existing one (`property`) or one
    created now (`create_property`)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"attribute": "email", "property": "email"},
                {
                    "attribute": "custom_attributes.plan",
                    "create_property": {"key": "plan", "label": "Plan", "type": "text"},
                },
            ],
            # `_one_property`, said in the schema.
            "oneOf": [
                {"required": ["property"], "properties": {"property": {"type": "string"}}},
                {
                    "required": ["create_property"],
                    "properties": {"create_property": {"type": "object"}},
                },
            ],
        },
    )

    attribute: AttributeName
    property: PropertyKeyRef | None = None
    create_property: MappingPropertyCreate | None = None

    @model_validator(mode="after")
    def _one_property(self) -> MappingEntryWrite:
        if (self.property is None) == (self.create_property is None):
            raise ValueError("give either `property` or `create_property`")
        return self


class MappingUpdate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "entries": [
                        {"attribute": "email", "property": "email"},
                        {"attribute": "name", "property": "full_name"},
                        {
                            "attribute": "custom_attributes.plan",
                            "create_property": {"key": "plan", "label": "Plan", "type": "text"},
                        },
                    ]
                }
            ]
        },
    )

    entries: list[MappingEntryWrite] = Field(
        max_length=MAX_MAPPING_ENTRIES,
        description="Every attribute the list's syncs import; `email` must be mapped.",
    )
