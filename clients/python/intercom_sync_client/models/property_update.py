from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="PropertyUpdate")


@_attrs_define
class PropertyUpdate:
    """Renames a custom property: its key and type are fixed once it exists (mappings and
    customers' values refer to them).

        Attributes:
            label (str): The new name shown in the product.
    """

    label: str

    def to_dict(self) -> dict[str, Any]:
        label = self.label

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "label": label,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        label = d.pop("label")

        property_update = cls(
            label=label,
        )

        return property_update
