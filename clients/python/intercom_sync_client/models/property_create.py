from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..models.property_type import PropertyType

T = TypeVar("T", bound="PropertyCreate")


@_attrs_define
class PropertyCreate:
    """
    Attributes:
        key (str): Lower snake case, 1-64 characters; unique in the account without regard to case, and not a default
            property's key. Fixed once created.
        label (str): The name shown in the product; may change later.
        type_ (PropertyType):
    """

    key: str
    label: str
    type_: PropertyType

    def to_dict(self) -> dict[str, Any]:
        key = self.key

        label = self.label

        type_ = self.type_.value

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "key": key,
                "label": label,
                "type": type_,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        key = d.pop("key")

        label = d.pop("label")

        type_ = PropertyType(d.pop("type"))

        property_create = cls(
            key=key,
            label=label,
            type_=type_,
        )

        return property_create
