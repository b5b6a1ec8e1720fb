from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.duplicates import Duplicates
from ..types import UNSET, Unset

T = TypeVar("T", bound="SegmentSettingsUpdate")


@_attrs_define
class SegmentSettingsUpdate:
    """
    Attributes:
        duplicates (Duplicates | Unset): What a sync does with a contact whose email already is a customer of the
            account.
        tag (None | str | Unset): Put on every customer a sync of the list imports; none if null.
    """

    duplicates: Duplicates | Unset = UNSET
    tag: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        duplicates: str | Unset = UNSET
        if not isinstance(self.duplicates, Unset):
            duplicates = self.duplicates.value

        tag: None | str | Unset
        if isinstance(self.tag, Unset):
            tag = UNSET
        else:
            tag = self.tag

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if duplicates is not UNSET:
            field_dict["duplicates"] = duplicates
        if tag is not UNSET:
            field_dict["tag"] = tag

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        _duplicates = d.pop("duplicates", UNSET)
        duplicates: Duplicates | Unset
        if isinstance(_duplicates, Unset):
            duplicates = UNSET
        else:
            duplicates = Duplicates(_duplicates)

        def _parse_tag(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        tag = _parse_tag(d.pop("tag", UNSET))

        segment_settings_update = cls(
            duplicates=duplicates,
            tag=tag,
        )

        return segment_settings_update
