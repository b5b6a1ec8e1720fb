from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.segment_kind import SegmentKind
from ..models.segment_read_count_method_type_0 import SegmentReadCountMethodType0
from ..models.segment_source import SegmentSource
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.sync_summary import SyncSummary


T = TypeVar("T", bound="SegmentRead")


@_attrs_define
class SegmentRead:
    """
    Attributes:
        id (UUID):
        integration_id (UUID):
        kind (SegmentKind):
        name (str):
        source (SegmentSource): The main list a list or segment takes its contacts from.
        intercom_segment_id (None | str):
        person_type (None | str): user or lead.
        contact_count (int | None): Contacts, as of `count_refreshed_at`; for a custom segment, those its filters
            select. None: not counted yet (a custom segment whose filters just changed is counted by the refresh that the
            change asks for).
        count_refreshed_at (datetime.datetime | None):
        auto_sync (bool): Synced every 24 hours when on.
        next_sync_at (datetime.datetime | None): The next scheduled sync (auto-sync on).
        missing (bool): The segment was deleted in Intercom: it cannot be synced and its auto-sync is off.
        missing_since (datetime.datetime | None):
        mapping_confirmed (bool): Whether a user confirmed what its syncs import (or chose the default).
        created_at (datetime.datetime):
        count_method (None | SegmentReadCountMethodType0 | Unset): `intercom`: Intercom's count (a list, a segment, or a
            custom segment whose filters Intercom's search evaluates whole); `local`: a custom segment's contacts read and
            its filters evaluated here by a refresh (up to 10,000 contacts); `estimated`: beyond that, the share of the
            first 10,000 applied to Intercom's count of what its search can narrow. Contacts without a usable email that the
            filters select are counted (a sync skips them as `no_email`).
        last_sync (None | SyncSummary | Unset): Its most recent sync.
    """

    id: UUID
    integration_id: UUID
    kind: SegmentKind
    name: str
    source: SegmentSource
    intercom_segment_id: None | str
    person_type: None | str
    contact_count: int | None
    count_refreshed_at: datetime.datetime | None
    auto_sync: bool
    next_sync_at: datetime.datetime | None
    missing: bool
    missing_since: datetime.datetime | None
    mapping_confirmed: bool
    created_at: datetime.datetime
    count_method: None | SegmentReadCountMethodType0 | Unset = UNSET
    last_sync: None | SyncSummary | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.sync_summary import SyncSummary  # noqa: PLC0415

        id = str(self.id)

        integration_id = str(self.integration_id)

        kind = self.kind.value

        name = self.name

        source = self.source.value

        intercom_segment_id: None | str
        intercom_segment_id = self.intercom_segment_id

        person_type: None | str
        person_type = self.person_type

        contact_count: int | None
        contact_count = self.contact_count

        count_refreshed_at: None | str
        if isinstance(self.count_refreshed_at, datetime.datetime):
            count_refreshed_at = self.count_refreshed_at.isoformat()
        else:
            count_refreshed_at = self.count_refreshed_at

        auto_sync = self.auto_sync

        next_sync_at: None | str
        if isinstance(self.next_sync_at, datetime.datetime):
            next_sync_at = self.next_sync_at.isoformat()
        else:
            next_sync_at = self.next_sync_at

        missing = self.missing

        missing_since: None | str
        if isinstance(self.missing_since, datetime.datetime):
            missing_since = self.missing_since.isoformat()
        else:
            missing_since = self.missing_since

        mapping_confirmed = self.mapping_confirmed

        created_at = self.created_at.isoformat()

        count_method: None | str | Unset
        if isinstance(self.count_method, Unset):
            count_method = UNSET
        elif isinstance(self.count_method, SegmentReadCountMethodType0):
            count_method = self.count_method.value
        else:
            count_method = self.count_method

        last_sync: dict[str, Any] | None | Unset
        if isinstance(self.last_sync, Unset):
            last_sync = UNSET
        elif isinstance(self.last_sync, SyncSummary):
            last_sync = self.last_sync.to_dict()
        else:
            last_sync = self.last_sync

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "integration_id": integration_id,
                "kind": kind,
                "name": name,
                "source": source,
                "intercom_segment_id": intercom_segment_id,
                "person_type": person_type,
                "contact_count": contact_count,
                "count_refreshed_at": count_refreshed_at,
                "auto_sync": auto_sync,
                "next_sync_at": next_sync_at,
                "missing": missing,
                "missing_since": missing_since,
                "mapping_confirmed": mapping_confirmed,
                "created_at": created_at,
            }
        )
        if count_method is not UNSET:
            field_dict["count_method"] = count_method
        if last_sync is not UNSET:
            field_dict["last_sync"] = last_sync

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.sync_summary import SyncSummary  # noqa: PLC0415

        d = dict(src_dict)
        id = UUID(d.pop("id"))

        integration_id = UUID(d.pop("integration_id"))

        kind = SegmentKind(d.pop("kind"))

        name = d.pop("name")

        source = SegmentSource(d.pop("source"))

        def _parse_intercom_segment_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        intercom_segment_id = _parse_intercom_segment_id(d.pop("intercom_segment_id"))

        def _parse_person_type(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        person_type = _parse_person_type(d.pop("person_type"))

        def _parse_contact_count(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        contact_count = _parse_contact_count(d.pop("contact_count"))

        def _parse_count_refreshed_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                count_refreshed_at_type_0 = datetime.datetime.fromisoformat(data)

                return count_refreshed_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        count_refreshed_at = _parse_count_refreshed_at(d.pop("count_refreshed_at"))

        auto_sync = d.pop("auto_sync")

        def _parse_next_sync_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                next_sync_at_type_0 = datetime.datetime.fromisoformat(data)

                return next_sync_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        next_sync_at = _parse_next_sync_at(d.pop("next_sync_at"))

        missing = d.pop("missing")

        def _parse_missing_since(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                missing_since_type_0 = datetime.datetime.fromisoformat(data)

                return missing_since_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        missing_since = _parse_missing_since(d.pop("missing_since"))

        mapping_confirmed = d.pop("mapping_confirmed")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        def _parse_count_method(data: object) -> None | SegmentReadCountMethodType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                count_method_type_0 = SegmentReadCountMethodType0(data)

                return count_method_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | SegmentReadCountMethodType0 | Unset, data)

        count_method = _parse_count_method(d.pop("count_method", UNSET))

        def _parse_last_sync(data: object) -> None | SyncSummary | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                last_sync_type_0 = SyncSummary.from_dict(data)

                return last_sync_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | SyncSummary | Unset, data)

        last_sync = _parse_last_sync(d.pop("last_sync", UNSET))

        segment_read = cls(
            id=id,
            integration_id=integration_id,
            kind=kind,
            name=name,
            source=source,
            intercom_segment_id=intercom_segment_id,
            person_type=person_type,
            contact_count=contact_count,
            count_refreshed_at=count_refreshed_at,
            auto_sync=auto_sync,
            next_sync_at=next_sync_at,
            missing=missing,
            missing_since=missing_since,
            mapping_confirmed=mapping_confirmed,
            created_at=created_at,
            count_method=count_method,
            last_sync=last_sync,
        )

        segment_read.additional_properties = d
        return segment_read

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
