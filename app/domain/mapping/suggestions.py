"""What each Intercom attribute should import into: pure rules, no database.

In order: a standard attribute the catalog names (`intercom`) maps to its default property
(`standard_attribute`); otherwise an existing property with the same normalised key
(`same_key`), then the same normalised label (`same_label`), provided the pair converts
(domain/mapping/conversions.py) and no earlier attribute took the property. A custom
attribute that matches nothing is proposed a new custom property of its natural type
(`no_match`, with `create`); a standard one that matches nothing is left out of the mapping.
Archived and removed attributes are suggested nothing (`archived`, `removed`).

The default mapping is every suggestion onto an existing property."""

from __future__ import annotations

import enum
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from app.domain.mapping.conversions import conversion_for
from app.domain.mapping.properties import PROPERTY_KEY_MAX_LENGTH, PropertyInfo, is_valid_key
from app.domain.properties.catalog import (
    DEFAULT_PROPERTIES,
    DEFAULTS_BY_KEY,
    PropertyType,
    is_default,
)

CUSTOM_PREFIX = "custom_attributes."
# The standard Intercom attribute -> the default property it is mapped to automatically.
STANDARD_MAPPINGS = {prop.intercom: prop.key for prop in DEFAULT_PROPERTIES if prop.intercom}
# The property type an attribute of each Intercom type is proposed, when one is created for it.
NATURAL_TYPES = {
    "string": PropertyType.TEXT,
    "integer": PropertyType.NUMBER,
    "float": PropertyType.NUMBER,
    "boolean": PropertyType.BOOLEAN,
    "date": PropertyType.DATE,
}


class Reason(enum.StrEnum):
    STANDARD_ATTRIBUTE = "standard_attribute"
    SAME_KEY = "same_key"
    SAME_LABEL = "same_label"
    NO_MATCH = "no_match"
    ARCHIVED = "archived"
    REMOVED = "removed"


@dataclass(frozen=True)
class Attribute:
    """An Intercom data attribute as the cache holds it."""

    name: str  # full_name
    label: str
    data_type: str
    custom: bool
    archived: bool = False
    removed: bool = False


@dataclass(frozen=True)
class Proposal:
    key: str
    label: str
    type: PropertyType


@dataclass(frozen=True)
class Suggestion:
    attribute: Attribute
    reason: Reason
    property: PropertyInfo | None = None
    create: Proposal | None = None


def normalise(text: str) -> str:
    """`Monthly revenue`, `monthly-revenue` and `MonthlyRevenue`'s lower case meet here."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def short_name(attribute: Attribute) -> str:
    return attribute.name.removeprefix(CUSTOM_PREFIX)


def suggest(
    attributes: Iterable[Attribute], properties: Mapping[str, PropertyInfo]
) -> list[Suggestion]:
    """One suggestion per attribute, in the order given (standard attributes claim their
    properties first, whatever the order)."""
    attributes = list(attributes)
    taken: set[str] = set()
    chosen: dict[str, Suggestion] = {}
    for attribute in attributes:
        key = STANDARD_MAPPINGS.get(attribute.name)
        if attribute.custom or key is None or attribute.archived or attribute.removed:
            continue
        if key in properties:
            chosen[attribute.name] = Suggestion(
                attribute, Reason.STANDARD_ATTRIBUTE, property=properties[key]
            )
            taken.add(key)
    targets = [info for info in properties.values() if _mappable(info)]
    by_key = {normalise(info.key): info for info in targets}
    by_label = {normalise(info.label): info for info in targets}
    proposed: set[str] = set()
    for attribute in attributes:
        if attribute.name in chosen:
            continue
        if attribute.removed:
            chosen[attribute.name] = Suggestion(attribute, Reason.REMOVED)
            continue
        if attribute.archived:
            chosen[attribute.name] = Suggestion(attribute, Reason.ARCHIVED)
            continue
        match = _match(attribute, by_key, by_label, taken)
        if match is not None:
            chosen[attribute.name] = match
            assert match.property is not None
            taken.add(match.property.key)
            continue
        proposal = _proposal(attribute, properties, proposed) if attribute.custom else None
        if proposal is not None:
            proposed.add(proposal.key)
        chosen[attribute.name] = Suggestion(attribute, Reason.NO_MATCH, create=proposal)
    return [chosen[attribute.name] for attribute in attributes]


def _converts(attribute: Attribute, info: PropertyInfo) -> bool:
    return conversion_for(attribute.data_type, info.type) is not None


def _match(
    attribute: Attribute,
    by_key: Mapping[str, PropertyInfo],
    by_label: Mapping[str, PropertyInfo],
    taken: set[str],
) -> Suggestion | None:
    candidates = (
        (Reason.SAME_KEY, by_key.get(normalise(short_name(attribute)))),
        (Reason.SAME_LABEL, by_label.get(normalise(attribute.label))),
    )
    for reason, info in candidates:
        if info is not None and info.key not in taken and _converts(attribute, info):
            return Suggestion(attribute, reason, property=info)
    return None


def _mappable(info: PropertyInfo) -> bool:
    return not info.default or DEFAULTS_BY_KEY[info.key].mappable


def _proposal(
    attribute: Attribute, properties: Mapping[str, PropertyInfo], proposed: set[str]
) -> Proposal | None:
    kind = NATURAL_TYPES.get(attribute.data_type)
    if kind is None:
        return None
    base = normalise(short_name(attribute)) or "attribute"
    if not base[0].isalpha():
        base = f"attr_{base}"
    base = base[: PROPERTY_KEY_MAX_LENGTH - 4]
    existing = {key.lower() for key in properties} | proposed
    key, n = base, 1
    while key in existing or is_default(key) or not is_valid_key(key):
        n += 1
        key = f"{base}_{n}"
    label = (attribute.label.strip() or short_name(attribute))[:200]
    return Proposal(key, label, kind)


def default_entries(suggestions: Iterable[Suggestion]) -> list[dict[str, str]]:
    """The default mapping: every suggestion onto an existing property."""
    return [
        {"attribute": item.attribute.name, "property": item.property.key}
        for item in suggestions
        if item.property is not None
    ]
