from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="SegmentUpdate")


@_attrs_define
class SegmentUpdate:
    """Rename a custom segment, or switch auto-sync on or off for any list or segment.

    Attributes:
        name (None | str | Unset): Custom segments only.
        auto_sync (bool | None | Unset): On: synced every 24 hours, within the account's auto-sync quota. A list whose
            mapping was never confirmed is refused (409 `mapping_not_confirmed`) unless `use_default_mapping` is true.
        use_default_mapping (bool | None | Unset): With `auto_sync` true on a list whose mapping was never confirmed:
            accept the default mapping (saved as the list's, confirmed). Ignored otherwise.
    """

    name: None | str | Unset = UNSET
    auto_sync: bool | None | Unset = UNSET
    use_default_mapping: bool | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        name: None | str | Unset
        if isinstance(self.name, Unset):
            name = UNSET
        else:
            name = self.name

        auto_sync: bool | None | Unset
        if isinstance(self.auto_sync, Unset):
            auto_sync = UNSET
        else:
            auto_sync = self.auto_sync

        use_default_mapping: bool | None | Unset
        if isinstance(self.use_default_mapping, Unset):
            use_default_mapping = UNSET
        else:
            use_default_mapping = self.use_default_mapping

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if name is not UNSET:
            field_dict["name"] = name
        if auto_sync is not UNSET:
            field_dict["auto_sync"] = auto_sync
        if use_default_mapping is not UNSET:
            field_dict["use_default_mapping"] = use_default_mapping

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        name = _parse_name(d.pop("name", UNSET))

        def _parse_auto_sync(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        auto_sync = _parse_auto_sync(d.pop("auto_sync", UNSET))

        def _parse_use_default_mapping(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        use_default_mapping = _parse_use_default_mapping(d.pop("use_default_mapping", UNSET))

        segment_update = cls(
            name=name,
            auto_sync=auto_sync,
            use_default_mapping=use_default_mapping,
        )

        return segment_update
