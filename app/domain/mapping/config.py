"""What a sync run applies, fixed when the run starts and stored with it (`sync_runs.config`):
the segment's mapping resolved to conversions and targets, its duplicates policy and tag, and
the integration's policy for contacts unsubscribed from emails. A resumed run applies the same
config, whatever was saved since."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from app.domain.filters.language import FilterSet
from app.domain.mapping.conversions import Conversion
from app.domain.properties.catalog import DEFAULT_PROPERTIES, PropertyType, Target


class Duplicates(enum.StrEnum):
    """What a sync does with a contact whose email already is a customer of the account."""

    UPDATE = "update"  # the customer takes the mapped values (the winning source's, see README)
    SKIP = "skip"  # left untouched; the contact is skipped as `duplicate_skipped`


class MappedAttribute(BaseModel):
    model_config = ConfigDict(frozen=True)

    attribute: str  # the Intercom attribute's full_name, e.g. "custom_attributes.plan"
    property: str  # the property key
    conversion: Conversion
    target: Target
    # Intercom's data type of the attribute (what its search accepts); None in configs written
    # before it was kept: such a run pushes no filter on it into the search.
    attribute_type: str | None = None
    # Archived in Intercom: still imported, but no longer searchable there.
    archived: bool = False


class RunConfig(BaseModel):
    model_config = ConfigDict(frozen=True)

    mapping: tuple[MappedAttribute, ...]
    duplicates: Duplicates = Duplicates.UPDATE
    tag: str | None = None
    # Without a tag: whether the list may have tagged customers before (its settings were
    # saved), whose tag a sync then takes away. False spares every batch a useless delete.
    untag: bool = True
    # The integration's settings: a contact unsubscribed from Intercom emails unsubscribes its
    # customer from surveys.
    unsubscribe_from_intercom: bool = True
    # Which contacts are imported (domain/filters), evaluated on the mapped values; dates by day
    # in the workspace's timezone, "N days ago" from the day the run started.
    filters: FilterSet | None = None
    timezone: str | None = None
    started_at: datetime | None = None

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json")

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RunConfig:
        return cls.model_validate(data)


def standard_config() -> RunConfig:
    """The catalog's standard attributes only: for a run that carries no config of its own
    (started before runs stored theirs)."""
    return RunConfig(
        mapping=tuple(
            MappedAttribute(
                attribute=prop.intercom,
                property=prop.key,
                conversion=Conversion.DATE_FROM_UNIX
                if prop.type == PropertyType.DATE
                else Conversion.TEXT,
                target=prop.target,
            )
            for prop in DEFAULT_PROPERTIES
            if prop.intercom is not None
        )
    )
