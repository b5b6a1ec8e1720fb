"""The product's default customer properties. They exist in every account, cannot be changed,
and the standard Intercom attributes that mean the same are mapped to them automatically.

Three of them are columns of the customer rather than entries of its `properties`: the email
(how customers are identified), the full name and the phone.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class PropertyType(enum.StrEnum):
    TEXT = "text"
    NUMBER = "number"
    BOOLEAN = "boolean"
    DATE = "date"


class Target(enum.StrEnum):
    """Where a mapped value lands on the customer."""

    EMAIL = "email"
    NAME = "name"
    PHONE = "phone"
    PROPERTIES = "properties"


@dataclass(frozen=True)
class DefaultProperty:
    key: str
    label: str
    type: PropertyType
    # The standard Intercom attribute (its full_name) mapped to it automatically, if any.
    intercom: str | None = None
    target: Target = Target.PROPERTIES
    # False: set by the product itself, not by a mapping (a segment's tag fills `tags`).
    mappable: bool = True


DEFAULT_PROPERTIES: tuple[DefaultProperty, ...] = (
    DefaultProperty("email", "Email", PropertyType.TEXT, "email", Target.EMAIL),
    DefaultProperty("first_name", "First name", PropertyType.TEXT),
    DefaultProperty("last_name", "Last name", PropertyType.TEXT),
    DefaultProperty("full_name", "Full name", PropertyType.TEXT, "name", Target.NAME),
    DefaultProperty("phone", "Phone", PropertyType.TEXT, "phone", Target.PHONE),
    DefaultProperty("company", "Company", PropertyType.TEXT),
    DefaultProperty("job_title", "Job title", PropertyType.TEXT),
    DefaultProperty("country", "Country", PropertyType.TEXT, "location.country"),
    DefaultProperty("city", "City", PropertyType.TEXT, "location.city"),
    DefaultProperty("language", "Language", PropertyType.TEXT, "browser_language"),
    DefaultProperty("timezone", "Timezone", PropertyType.TEXT),
    DefaultProperty("signed_up_at", "Signed up at", PropertyType.DATE, "signed_up_at"),
    DefaultProperty("last_seen_at", "Last seen at", PropertyType.DATE, "last_seen_at"),
    DefaultProperty("tags", "Tags", PropertyType.TEXT, mappable=False),
)
DEFAULTS_BY_KEY = {prop.key: prop for prop in DEFAULT_PROPERTIES}


def is_default(key: str) -> bool:
    """Custom property keys must not shadow a default one, whatever their case."""
    return key.lower() in DEFAULTS_BY_KEY


# The Intercom data type of each standard attribute the catalog maps (INTERCOM.md §4).
STANDARD_ATTRIBUTE_TYPES: dict[str, str] = {
    prop.intercom: "date" if prop.type == PropertyType.DATE else "string"
    for prop in DEFAULT_PROPERTIES
    if prop.intercom is not None
}
