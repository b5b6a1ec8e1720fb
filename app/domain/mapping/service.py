"""A list's mapping: which Intercom attribute imports into which customer property. Saved per
segment and versioned (If-Match); a list is synced only once its mapping was confirmed (saved,
or the default accepted). A run fixes it, resolved, in its `RunConfig`."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.filters.language import FilterSet
from app.domain.filters.validate import FiltersInvalid, compile_filters
from app.domain.integrations import settings_service as integration_settings
from app.domain.integrations.settings import OnUnsubscribedInIntercom
from app.domain.mapping import properties as property_lookup
from app.domain.mapping.config import Duplicates, MappedAttribute, RunConfig
from app.domain.mapping.conversions import conversion_for
from app.domain.mapping.errors import MappingBreaksFilters, MappingInvalid
from app.domain.mapping.properties import PropertyInfo
from app.domain.mapping.schemas import (
    MappingEntryRead,
    MappingRead,
    MappingUpdate,
    PropertyProposal,
    SuggestionList,
    SuggestionRead,
)
from app.domain.mapping.suggestions import Attribute, Suggestion, default_entries, suggest
from app.domain.models import Integration, Segment
from app.domain.properties.catalog import (
    DEFAULT_PROPERTIES,
    DEFAULTS_BY_KEY,
    STANDARD_ATTRIBUTE_TYPES,
    PropertyType,
    Target,
)
from app.domain.properties.errors import PropertyKeyTaken
from app.domain.refresh.repository import AttributeRepository
from app.domain.scope import AccountScope
from app.domain.segments.errors import SegmentNotFound
from app.domain.segments.repository import SegmentRepository
from app.errors import ensure_version

EMAIL_PROPERTY = "email"


async def _segment(
    session: AsyncSession, account: AccountScope, segment_id: uuid.UUID, *, lock: bool = False
) -> Segment:
    segment = await SegmentRepository(session).get_for_account(
        account, segment_id, update_lock=lock
    )
    if segment is None:
        raise SegmentNotFound(segment_id)
    return segment


async def attributes_of(
    session: AsyncSession, account: AccountScope, integration_id: uuid.UUID
) -> dict[str, Attribute]:
    """The integration's cached data attributes by full name, standard ones first."""
    rows = await AttributeRepository(session).list_for_integration(account, integration_id)
    ordered = sorted(rows, key=lambda row: (row.custom, row.name))
    return {
        row.name: Attribute(
            name=row.name,
            label=row.label,
            data_type=row.data_type,
            custom=row.custom,
            archived=row.archived,
            removed=row.removed_at is not None,
        )
        for row in ordered
    }


async def _suggest(
    session: AsyncSession, account: AccountScope, integration_id: uuid.UUID
) -> list[Suggestion]:
    attributes = await attributes_of(session, account, integration_id)
    properties = await property_lookup.all_properties(session, account)
    return suggest(attributes.values(), properties)


async def default_mapping(
    session: AsyncSession, account: AccountScope, integration_id: uuid.UUID
) -> list[dict[str, str]]:
    """The standard attributes' default properties and the attributes that match an existing
    property (domain/mapping/suggestions.py), as a segment's `mapping` stores them. A standard
    attribute the cache does not list (not refreshed since attributes were cached) is mapped
    anyway: every workspace has it."""
    entries = default_entries(await _suggest(session, account, integration_id))
    mapped = {entry["property"] for entry in entries}
    attributes = await attributes_of(session, account, integration_id)
    for prop in DEFAULT_PROPERTIES:
        if prop.intercom is None or prop.key in mapped or prop.intercom in attributes:
            continue
        entries.append({"attribute": prop.intercom, "property": prop.key})
    return entries


async def suggestions(
    session: AsyncSession, account: AccountScope, segment_id: uuid.UUID
) -> SuggestionList:
    segment = await _segment(session, account, segment_id)
    items = await _suggest(session, account, segment.integration_id)
    return SuggestionList(data=[_suggestion_read(item) for item in items])


def _suggestion_read(item: Suggestion) -> SuggestionRead:
    create = item.create
    return SuggestionRead(
        attribute=item.attribute.name,
        attribute_label=item.attribute.label,
        attribute_type=item.attribute.data_type,
        custom=item.attribute.custom,
        archived=item.attribute.archived,
        property=item.property.key if item.property else None,
        property_type=item.property.type if item.property else None,
        create=PropertyProposal(key=create.key, label=create.label, type=create.type)
        if create
        else None,
        reason=item.reason,
    )


async def read(session: AsyncSession, account: AccountScope, segment_id: uuid.UUID) -> MappingRead:
    segment = await _segment(session, account, segment_id)
    return await _read(session, account, segment)


async def _read(session: AsyncSession, account: AccountScope, segment: Segment) -> MappingRead:
    attributes = await attributes_of(session, account, segment.integration_id)
    properties = await property_lookup.all_properties(session, account)
    entries = segment.mapping
    if entries is None:
        entries = default_entries(suggest(attributes.values(), properties))
    return MappingRead(
        version=segment.mapping_version,
        confirmed=segment.mapping_confirmed_at is not None,
        confirmed_at=segment.mapping_confirmed_at,
        saved=segment.mapping is not None,
        entries=[_entry_read(entry, attributes, properties) for entry in entries],
    )


def _entry_read(
    entry: Mapping[str, Any],
    attributes: Mapping[str, Attribute],
    properties: Mapping[str, PropertyInfo],
) -> MappingEntryRead:
    attribute = attributes.get(entry["attribute"])
    info = properties.get(entry["property"])
    conversion = conversion_for(attribute.data_type, info.type) if attribute and info else None
    return MappingEntryRead(
        attribute=entry["attribute"],
        attribute_label=attribute.label if attribute else None,
        attribute_type=attribute.data_type if attribute else None,
        property=entry["property"],
        property_type=info.type if info else None,
        conversion=conversion,
        target=info.target if info else None,
        archived=attribute.archived if attribute else False,
        removed=attribute.removed if attribute else True,
    )


async def save(
    session: AsyncSession,
    account: AccountScope,
    segment_id: uuid.UUID,
    data: MappingUpdate,
    *,
    expected_version: int | None,
    now: datetime,
) -> MappingRead:
    """Validates the whole mapping, creates the properties it asks for and saves it, confirmed;
    on any error nothing is written (the request's transaction rolls back)."""
    # The row lock makes the version check and the bump one step.
    segment = await _segment(session, account, segment_id, lock=True)
    ensure_version("mapping", segment.mapping_version, expected_version)
    attributes = await attributes_of(session, account, segment.integration_id)
    properties = await property_lookup.all_properties(session, account)
    taken = {key.lower() for key in properties}
    # The custom properties the mapping names stay until this transaction ends: a concurrent
    # delete waits and then finds them in use, or deleted them first and they are unknown here.
    for gone in await property_lookup.lock_named(
        session, account, [entry.property for entry in data.entries if entry.property]
    ):
        properties.pop(gone, None)
    errors: list[dict[str, str]] = []
    conflicts: list[PropertyKeyTaken] = []
    mapped: dict[str, int] = {}  # property key (lower case) -> the entry mapping it
    new_types: dict[str, PropertyType] = {}  # what the list's filters may name after the save
    creating = {
        entry.create_property.key: PropertyInfo(
            entry.create_property.key,
            entry.create_property.label,
            entry.create_property.type,
            Target.PROPERTIES,
            False,
        )
        for entry in data.entries
        if entry.create_property is not None
    }
    for index, entry in enumerate(data.entries):
        where = f"body.entries.{index}"
        attribute = attributes.get(entry.attribute)
        if attribute is None:
            errors.append(
                _error(
                    f"{where}.attribute",
                    f"{entry.attribute!r} is not a data attribute of the workspace (refresh "
                    "the integration's data if it was just created)",
                )
            )
        elif attribute.removed:
            errors.append(
                _error(f"{where}.attribute", f"{entry.attribute!r} was removed from Intercom")
            )
        info: PropertyInfo | None
        if entry.create_property is not None:
            field = f"{where}.create_property.key"
            new = entry.create_property
            if new.key.lower() in taken:
                if property_lookup.is_default_key(new.key):
                    errors.append(
                        _error(field, f"{new.key!r} is a default property; map to it instead")
                    )
                else:
                    conflicts.append(PropertyKeyTaken(new.key, field))
            info = PropertyInfo(new.key, new.label, new.type, Target.PROPERTIES, False)
            property_field = f"{where}.create_property.type"
        else:
            assert entry.property is not None
            field = property_field = f"{where}.property"
            # A property created by another entry of the request counts as existing (and so
            # is reported as mapped twice, not as unknown).
            info = properties.get(entry.property) or creating.get(entry.property)
            if info is None:
                errors.append(_error(field, f"{entry.property!r} is not a property of the account"))
            elif info.default and not DEFAULTS_BY_KEY[info.key].mappable:
                errors.append(
                    _error(
                        field,
                        f"{info.key!r} is set by the product (a list's tag, in its settings), "
                        "not by a mapping",
                    )
                )
                info = None
        if info is not None:
            new_types[info.key] = info.type
            first = mapped.setdefault(info.key.lower(), index)
            if first != index:
                errors.append(
                    _error(
                        field,
                        f"property {info.key!r} is already mapped by body.entries.{first}; "
                        "a property takes one attribute",
                    )
                )
        if attribute is not None and info is not None:
            if conversion_for(attribute.data_type, info.type) is None:
                errors.append(
                    _error(
                        property_field,
                        f"attribute {attribute.name!r} ({attribute.data_type}) cannot be "
                        f"imported into property {info.key!r} ({info.type}): no conversion "
                        "between these types",
                    )
                )
    if EMAIL_PROPERTY not in mapped:
        errors.append(
            _error(
                "body.entries",
                "must map a string attribute (usually `email`) to the `email` property: it "
                "is how customers are identified",
            )
        )
    if errors:
        raise MappingInvalid(errors)
    if conflicts:
        raise conflicts[0]
    if segment.filters:
        # The list's filters name mapped properties: a mapping that drops one (or changes its
        # type) is refused, rather than leaving filters no run could apply.
        try:
            compile_filters(FilterSet.model_validate(segment.filters), new_types)
        except FiltersInvalid as exc:
            raise MappingBreaksFilters(segment.id, exc.extensions["errors"]) from exc
    # In key order, the same in every transaction: two saves creating the same keys wait for
    # each other rather than deadlock.
    for new in sorted(
        (entry.create_property for entry in data.entries if entry.create_property is not None),
        key=lambda new: new.key,
    ):
        await property_lookup.create_custom(session, account, new.key, new.label, new.type)
    segment.mapping = [
        {
            "attribute": entry.attribute,
            "property": entry.property if entry.property is not None else entry.create_property.key,  # type: ignore[union-attr]
        }
        for entry in data.entries
    ]
    _confirm(segment, now)
    await session.flush()
    return await _read(session, account, segment)


def _error(field: str, message: str) -> dict[str, str]:
    return {"field": field, "message": message}


def _confirm(segment: Segment, now: datetime) -> None:
    segment.mapping_version += 1
    segment.mapping_confirmed_at = now


async def confirm_default(
    session: AsyncSession, account: AccountScope, segment: Segment, *, now: datetime
) -> None:
    """The user chose the default mapping: it is saved as the segment's, confirmed, unless a
    concurrent request confirmed one first (the UPDATE waits for it, then matches nothing)."""
    if segment.mapping_confirmed_at is not None:
        return
    await session.flush()  # the segment's pending changes, before its columns are reloaded
    await _confirm_default_row(session, account, segment.id, segment.integration_id, now)
    await session.refresh(segment, ["mapping", "mapping_version", "mapping_confirmed_at"])


async def confirm_default_by_id(
    session: AsyncSession, account: AccountScope, segment_id: uuid.UUID, *, now: datetime
) -> None:
    """`confirm_default` for "sync now", before it share-locks the segment and its integration.

    Locks are taken in a disconnect's order, the integration (shared) before the segment
    (written): a share lock on the segment upgraded to a write would deadlock with a
    disconnect, or with another start doing the same. Does nothing for a segment that is not
    there (the caller answers 404) or already confirmed."""
    row = (
        await session.execute(
            select(Segment.integration_id, Segment.mapping_confirmed_at).where(
                Segment.id == segment_id, Segment.account_id == account.id
            )
        )
    ).first()
    if row is None or row.mapping_confirmed_at is not None:
        return
    await session.execute(
        select(Integration.id)
        .where(Integration.id == row.integration_id, Integration.account_id == account.id)
        .with_for_update(read=True)
    )
    await _confirm_default_row(session, account, segment_id, row.integration_id, now)


async def _confirm_default_row(
    session: AsyncSession,
    account: AccountScope,
    segment_id: uuid.UUID,
    integration_id: uuid.UUID,
    now: datetime,
) -> None:
    mapping = await default_mapping(session, account, integration_id)
    await session.execute(
        update(Segment)
        .where(
            Segment.id == segment_id,
            Segment.account_id == account.id,
            Segment.mapping_confirmed_at.is_(None),
        )
        .values(
            mapping=mapping,
            mapping_version=Segment.mapping_version + 1,
            mapping_confirmed_at=now,
        )
        .execution_options(synchronize_session=False)
    )


async def run_config(
    session: AsyncSession, account: AccountScope, segment: Segment, integration: Integration
) -> tuple[RunConfig, list[dict[str, Any]]]:
    """What a run of the segment applies, and its warnings: a mapped attribute archived in
    Intercom still imports (warned); one removed, or whose pair no longer converts, or whose
    property is gone, is left out (warned) rather than failing the run."""
    attributes = await attributes_of(session, account, segment.integration_id)
    properties = await property_lookup.all_properties(session, account)
    # Never saved: the default mapping (what "use the default mapping" would confirm).
    entries: Sequence[Mapping[str, Any]] = (
        segment.mapping
        if segment.mapping is not None
        else await default_mapping(session, account, segment.integration_id)
    )
    mapped: list[MappedAttribute] = []
    warnings: list[dict[str, Any]] = []
    for entry in entries:
        name, key = entry["attribute"], entry["property"]
        attribute = attributes.get(name)
        if attribute is not None and attribute.removed:
            warnings.append({"code": "attribute_removed", "attribute": name})
            continue
        # A standard attribute every workspace has, missing from a cache not refreshed since
        # attributes were cached, keeps its known type; another unknown one is left out.
        data_type = attribute.data_type if attribute else STANDARD_ATTRIBUTE_TYPES.get(name)
        if data_type is None:
            warnings.append({"code": "attribute_removed", "attribute": name})
            continue
        if attribute is not None and attribute.archived:
            warnings.append({"code": "attribute_archived", "attribute": name})
        info = properties.get(key)
        if info is None:
            warnings.append({"code": "property_removed", "attribute": name, "property": key})
            continue
        conversion = conversion_for(data_type, info.type)
        if conversion is None:
            warnings.append(
                {
                    "code": "conversion_unavailable",
                    "attribute": name,
                    "property": key,
                    "attribute_type": data_type,
                    "property_type": str(info.type),
                }
            )
            continue
        mapped.append(
            MappedAttribute(
                attribute=name,
                property=key,
                conversion=conversion,
                target=info.target,
                attribute_type=data_type,
                archived=attribute is not None and attribute.archived,
            )
        )
    # Tolerant: a stored value no longer valid falls back to its default, not to a 500.
    settings = integration_settings.parse(integration.settings)
    config = RunConfig(
        mapping=tuple(mapped),
        duplicates=Duplicates(segment.duplicates),
        tag=segment.tag,
        untag=segment.tag is None and segment.settings_version > 0,
        unsubscribe_from_intercom=settings.on_unsubscribed_in_intercom
        == OnUnsubscribedInIntercom.UNSUBSCRIBE,
        filters=FilterSet.model_validate(segment.filters) if segment.filters else None,
        timezone=integration.timezone,
        started_at=datetime.now(UTC),
    )
    return config, warnings
