from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="SyncStart")


@_attrs_define
class SyncStart:
    """Options of "sync now"; the body may be left out.

    Attributes:
        use_default_mapping (bool | Unset): For a list whose mapping was never confirmed: accept the default mapping
            (saved as the list's, confirmed) and sync. Without it such a list answers 409 `mapping_not_confirmed`. Ignored
            once a mapping is confirmed. Default: False.
    """

    use_default_mapping: bool | Unset = False

    def to_dict(self) -> dict[str, Any]:
        use_default_mapping = self.use_default_mapping

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if use_default_mapping is not UNSET:
            field_dict["use_default_mapping"] = use_default_mapping

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        use_default_mapping = d.pop("use_default_mapping", UNSET)

        sync_start = cls(
            use_default_mapping=use_default_mapping,
        )

        return sync_start
