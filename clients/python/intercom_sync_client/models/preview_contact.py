from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.preview_contact_properties import PreviewContactProperties


T = TypeVar("T", bound="PreviewContact")


@_attrs_define
class PreviewContact:
    """
    Attributes:
        intercom_contact_id (str):
        email (str):
        name (None | str):
        phone (None | str):
        properties (PreviewContactProperties):
    """

    intercom_contact_id: str
    email: str
    name: None | str
    phone: None | str
    properties: PreviewContactProperties
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        intercom_contact_id = self.intercom_contact_id

        email = self.email

        name: None | str
        name = self.name

        phone: None | str
        phone = self.phone

        properties = self.properties.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "intercom_contact_id": intercom_contact_id,
                "email": email,
                "name": name,
                "phone": phone,
                "properties": properties,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.preview_contact_properties import PreviewContactProperties  # noqa: PLC0415

        d = dict(src_dict)
        intercom_contact_id = d.pop("intercom_contact_id")

        email = d.pop("email")

        def _parse_name(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        name = _parse_name(d.pop("name"))

        def _parse_phone(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        phone = _parse_phone(d.pop("phone"))

        properties = PreviewContactProperties.from_dict(d.pop("properties"))

        preview_contact = cls(
            intercom_contact_id=intercom_contact_id,
            email=email,
            name=name,
            phone=phone,
            properties=properties,
        )

        preview_contact.additional_properties = d
        return preview_contact

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
