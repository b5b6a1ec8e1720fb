from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="AttributeRead")


@_attrs_define
class AttributeRead:
    """
    Attributes:
        name (str): Intercom's `full_name`: what a mapping names (`custom_attributes.<name>` for custom attributes).
        label (str):
        type_ (str): Intercom's `data_type`: `string`, `integer`, `float`, `boolean`, `date`, or a newer one Intercom
            adds.
        custom (bool): A custom attribute of the workspace, not a standard one.
        archived (bool): Archived in Intercom: contacts may still hold values.
        description (None | str):
    """

    name: str
    label: str
    type_: str
    custom: bool
    archived: bool
    description: None | str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        label = self.label

        type_ = self.type_

        custom = self.custom

        archived = self.archived

        description: None | str
        description = self.description

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "name": name,
                "label": label,
                "type": type_,
                "custom": custom,
                "archived": archived,
                "description": description,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        name = d.pop("name")

        label = d.pop("label")

        type_ = d.pop("type")

        custom = d.pop("custom")

        archived = d.pop("archived")

        def _parse_description(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        description = _parse_description(d.pop("description"))

        attribute_read = cls(
            name=name,
            label=label,
            type_=type_,
            custom=custom,
            archived=archived,
            description=description,
        )

        attribute_read.additional_properties = d
        return attribute_read

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
