from __future__ import annotations

import enum
import re
import uuid
from dataclasses import dataclass
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator
from pydantic.config import JsonDict
from pydantic.json_schema import SkipJsonSchema
from pydantic_core import PydanticCustomError

from app.domain.pagination import Page
from app.domain.properties.catalog import PropertyType
from app.domain.types import SafeText

PROPERTY_KEY_MAX_LENGTH = 64
PROPERTY_LABEL_MAX_LENGTH = 200
# ASCII only: `re` matches [a-z] by code point, so "plän" or a Kelvin sign never pass.
_KEY = re.compile(r"[a-z][a-z0-9_]*")
KEY_RULE = (
    "must be lower snake case: a lowercase letter (a-z), then lowercase letters, digits or "
    "underscores, e.g. plan_tier"
)


def is_key_format(value: str) -> bool:
    return len(value) <= PROPERTY_KEY_MAX_LENGTH and _KEY.fullmatch(value) is not None


def _key_format(value: str) -> str:
    if not _KEY.fullmatch(value):
        raise PydanticCustomError("property_key_format", KEY_RULE)
    return value


# A custom property's key as clients send it (for a mapping that creates one inline too).
PropertyKey = Annotated[
    str,
    Field(
        min_length=1,
        max_length=PROPERTY_KEY_MAX_LENGTH,
        # For the schema only: the validator below says what is wrong in words.
        json_schema_extra={"pattern": "^[a-z][a-z0-9_]*$"},
        description="Lower snake case, 1-64 characters; unique in the account without regard "
        "to case, and not a default property's key. Fixed once created.",
    ),
    AfterValidator(_key_format),
]
PropertyLabel = Annotated[str, SafeText(max_length=PROPERTY_LABEL_MAX_LENGTH)]


class PropertyKind(enum.StrEnum):
    DEFAULT = "default"  # in every account, read-only
    CUSTOM = "custom"  # defined by the account


@dataclass(frozen=True)
class PropertyInfo:
    """A property a mapping may name, default or custom."""

    key: str
    label: str
    type: PropertyType
    default: bool
    id: uuid.UUID | None = None  # custom properties only


PROPERTY_EXAMPLE: JsonDict = {
    "key": "plan_tier",
    "label": "Plan tier",
    "type": "text",
    "kind": "custom",
    "id": "6f1d0c2e-3b4a-4c5d-8e9f-0a1b2c3d4e5f",
}
DEFAULT_PROPERTY_EXAMPLE: JsonDict = {
    "key": "email",
    "label": "Email",
    "type": "text",
    "kind": "default",
    "id": None,
}


class PropertyRead(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [PROPERTY_EXAMPLE]})

    key: str = Field(description="What a mapping names; fixed once created.")
    label: str = Field(description="The name shown in the product.")
    type: PropertyType
    kind: PropertyKind = Field(
        description="`default` (in every account, read-only) or `custom` (the account's own)."
    )
    id: uuid.UUID | None = Field(default=None, description="Custom properties only.")

    @classmethod
    def of(cls, info: PropertyInfo) -> PropertyRead:
        return cls(
            key=info.key,
            label=info.label,
            type=info.type,
            kind=PropertyKind.DEFAULT if info.default else PropertyKind.CUSTOM,
            id=info.id,
        )


class PropertyPage(Page[PropertyRead]):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"data": [DEFAULT_PROPERTY_EXAMPLE, PROPERTY_EXAMPLE], "next_cursor": None}
            ]
        }
    )


class PropertyCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"key": "plan_tier", "label": "Plan tier", "type": "text"}]
        },
    )

    key: PropertyKey
    label: PropertyLabel = Field(description="The name shown in the product; may change later.")
    type: PropertyType = Field(description="Fixed once created.")


class PropertyUpdate(BaseModel):
    """Renames a custom property: its key and type are fixed once it exists (mappings and
    customers' values refer to them)."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"label": "Subscription tier"}]}
    )

    label: PropertyLabel = Field(description="The new name shown in the product.")
    # Not in the schema: here only to answer a client that tries to change them in words.
    key: SkipJsonSchema[None] = None
    type: SkipJsonSchema[None] = None

    @field_validator("key", "type", mode="before")
    @classmethod
    def _fixed(cls, value: object) -> None:
        raise PydanticCustomError(
            "property_fixed",
            "is fixed once the property exists; only the label can change (create another "
            "property for another key or type)",
        )
