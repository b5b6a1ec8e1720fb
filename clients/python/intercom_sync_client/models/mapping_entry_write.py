from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.mapping_property_create import MappingPropertyCreate


T = TypeVar("T", bound="MappingEntryWrite")


@_attrs_define
class MappingEntryWrite:
    """An attribute and the property it imports into: an existing one (`property`) or one
    created now (`create_property`).

        Attributes:
            attribute (str):
            property_ (None | str | Unset):
            create_property (MappingPropertyCreate | None | Unset):
    """

    attribute: str
    property_: None | str | Unset = UNSET
    create_property: MappingPropertyCreate | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.mapping_property_create import MappingPropertyCreate  # noqa: PLC0415

        attribute = self.attribute

        property_: None | str | Unset
        if isinstance(self.property_, Unset):
            property_ = UNSET
        else:
            property_ = self.property_

        create_property: dict[str, Any] | None | Unset
        if isinstance(self.create_property, Unset):
            create_property = UNSET
        elif isinstance(self.create_property, MappingPropertyCreate):
            create_property = self.create_property.to_dict()
        else:
            create_property = self.create_property

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "attribute": attribute,
            }
        )
        if property_ is not UNSET:
            field_dict["property"] = property_
        if create_property is not UNSET:
            field_dict["create_property"] = create_property

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.mapping_property_create import MappingPropertyCreate  # noqa: PLC0415

        d = dict(src_dict)
        attribute = d.pop("attribute")

        def _parse_property_(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        property_ = _parse_property_(d.pop("property", UNSET))

        def _parse_create_property(data: object) -> MappingPropertyCreate | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                create_property_type_0 = MappingPropertyCreate.from_dict(data)

                return create_property_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(MappingPropertyCreate | None | Unset, data)

        create_property = _parse_create_property(d.pop("create_property", UNSET))

        mapping_entry_write = cls(
            attribute=attribute,
            property_=property_,
            create_property=create_property,
        )

        return mapping_entry_write
