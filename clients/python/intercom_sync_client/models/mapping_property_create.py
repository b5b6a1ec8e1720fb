from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..models.property_type import PropertyType

T = TypeVar("T", bound="MappingPropertyCreate")


@_attrs_define
class MappingPropertyCreate:
    """A custom property created with the mapping, in the same transaction.

    Attributes:
        key (str): Lower-case letters, digits and `_`, starting with a letter; not a default property's key, unique in
            the account without regard to case.
        label (str):
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

        mapping_property_create = cls(
            key=key,
            label=label,
            type_=type_,
        )

        return mapping_property_create
