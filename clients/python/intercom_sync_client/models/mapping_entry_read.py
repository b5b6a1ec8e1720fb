from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.conversion import Conversion
from ..models.property_type import PropertyType
from ..models.target import Target

T = TypeVar("T", bound="MappingEntryRead")


@_attrs_define
class MappingEntryRead:
    """
    Attributes:
        attribute (str): The Intercom attribute's full name.
        attribute_label (None | str): None if the cache never knew it.
        attribute_type (None | str): Intercom's data type: string, integer, float, boolean or date.
        property_ (str): The customer property's key.
        property_type (None | PropertyType): None if the property is gone.
        conversion (Conversion | None): How values convert; None when the pair no longer converts (the attribute changed
            type, or the property is gone): a sync skips the entry.
        target (None | Target): The customer's column, or `properties`.
        archived (bool): Archived in Intercom: imports values no longer updated.
        removed (bool): Gone from Intercom: a sync skips it with a warning.
    """

    attribute: str
    attribute_label: None | str
    attribute_type: None | str
    property_: str
    property_type: None | PropertyType
    conversion: Conversion | None
    target: None | Target
    archived: bool
    removed: bool
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        attribute = self.attribute

        attribute_label: None | str
        attribute_label = self.attribute_label

        attribute_type: None | str
        attribute_type = self.attribute_type

        property_ = self.property_

        property_type: None | str
        if isinstance(self.property_type, PropertyType):
            property_type = self.property_type.value
        else:
            property_type = self.property_type

        conversion: None | str
        if isinstance(self.conversion, Conversion):
            conversion = self.conversion.value
        else:
            conversion = self.conversion

        target: None | str
        if isinstance(self.target, Target):
            target = self.target.value
        else:
            target = self.target

        archived = self.archived

        removed = self.removed

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "attribute": attribute,
                "attribute_label": attribute_label,
                "attribute_type": attribute_type,
                "property": property_,
                "property_type": property_type,
                "conversion": conversion,
                "target": target,
                "archived": archived,
                "removed": removed,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        attribute = d.pop("attribute")

        def _parse_attribute_label(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        attribute_label = _parse_attribute_label(d.pop("attribute_label"))

        def _parse_attribute_type(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        attribute_type = _parse_attribute_type(d.pop("attribute_type"))

        property_ = d.pop("property")

        def _parse_property_type(data: object) -> None | PropertyType:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                property_type_type_0 = PropertyType(data)

                return property_type_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | PropertyType, data)

        property_type = _parse_property_type(d.pop("property_type"))

        def _parse_conversion(data: object) -> Conversion | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                conversion_type_0 = Conversion(data)

                return conversion_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Conversion | None, data)

        conversion = _parse_conversion(d.pop("conversion"))

        def _parse_target(data: object) -> None | Target:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                target_type_0 = Target(data)

                return target_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Target, data)

        target = _parse_target(d.pop("target"))

        archived = d.pop("archived")

        removed = d.pop("removed")

        mapping_entry_read = cls(
            attribute=attribute,
            attribute_label=attribute_label,
            attribute_type=attribute_type,
            property_=property_,
            property_type=property_type,
            conversion=conversion,
            target=target,
            archived=archived,
            removed=removed,
        )

        mapping_entry_read.additional_properties = d
        return mapping_entry_read

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
