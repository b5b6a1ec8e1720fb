from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.duplicates import Duplicates

T = TypeVar("T", bound="SegmentSettingsRead")


@_attrs_define
class SegmentSettingsRead:
    """
    Attributes:
        version (int): Also the ETag; name it in If-Match when saving.
        duplicates (Duplicates): What a sync does with a contact whose email already is a customer of the account.
        tag (None | str):
    """

    version: int
    duplicates: Duplicates
    tag: None | str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        version = self.version

        duplicates = self.duplicates.value

        tag: None | str
        tag = self.tag

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "version": version,
                "duplicates": duplicates,
                "tag": tag,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        version = d.pop("version")

        duplicates = Duplicates(d.pop("duplicates"))

        def _parse_tag(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        tag = _parse_tag(d.pop("tag"))

        segment_settings_read = cls(
            version=version,
            duplicates=duplicates,
            tag=tag,
        )

        segment_settings_read.additional_properties = d
        return segment_settings_read

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
