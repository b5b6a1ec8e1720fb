from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.mapping_entry_read import MappingEntryRead


T = TypeVar("T", bound="MappingRead")


@_attrs_define
class MappingRead:
    """
    Attributes:
        version (int): Also the ETag; name it in If-Match when saving.
        confirmed (bool): Someone saved it, or accepted the default mapping: the list may be synced.
        confirmed_at (datetime.datetime | None):
        saved (bool): False: never saved, `entries` is the default mapping.
        entries (list[MappingEntryRead]):
    """

    version: int
    confirmed: bool
    confirmed_at: datetime.datetime | None
    saved: bool
    entries: list[MappingEntryRead]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        version = self.version

        confirmed = self.confirmed

        confirmed_at: None | str
        if isinstance(self.confirmed_at, datetime.datetime):
            confirmed_at = self.confirmed_at.isoformat()
        else:
            confirmed_at = self.confirmed_at

        saved = self.saved

        entries = []
        for entries_item_data in self.entries:
            entries_item = entries_item_data.to_dict()
            entries.append(entries_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "version": version,
                "confirmed": confirmed,
                "confirmed_at": confirmed_at,
                "saved": saved,
                "entries": entries,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.mapping_entry_read import MappingEntryRead  # noqa: PLC0415

        d = dict(src_dict)
        version = d.pop("version")

        confirmed = d.pop("confirmed")

        def _parse_confirmed_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                confirmed_at_type_0 = datetime.datetime.fromisoformat(data)

                return confirmed_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        confirmed_at = _parse_confirmed_at(d.pop("confirmed_at"))

        saved = d.pop("saved")

        entries = []
        _entries = d.pop("entries")
        for entries_item_data in _entries:
            entries_item = MappingEntryRead.from_dict(entries_item_data)

            entries.append(entries_item)

        mapping_read = cls(
            version=version,
            confirmed=confirmed,
            confirmed_at=confirmed_at,
            saved=saved,
            entries=entries,
        )

        mapping_read.additional_properties = d
        return mapping_read

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
