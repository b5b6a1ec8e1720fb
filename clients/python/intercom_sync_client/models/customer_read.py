from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.customer_read_properties import CustomerReadProperties


T = TypeVar("T", bound="CustomerRead")


@_attrs_define
class CustomerRead:
    """
    Attributes:
        id (UUID):
        email (str):
        name (None | str):
        phone (None | str):
        properties (CustomerReadProperties):
        subscribed (bool): False once unsubscribed from surveys.
        unsubscribed_at (datetime.datetime | None):
        created_at (datetime.datetime):
        updated_at (datetime.datetime):
        tags (list[str] | Unset): Put by the segments that synced it.
    """

    id: UUID
    email: str
    name: None | str
    phone: None | str
    properties: CustomerReadProperties
    subscribed: bool
    unsubscribed_at: datetime.datetime | None
    created_at: datetime.datetime
    updated_at: datetime.datetime
    tags: list[str] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        email = self.email

        name: None | str
        name = self.name

        phone: None | str
        phone = self.phone

        properties = self.properties.to_dict()

        subscribed = self.subscribed

        unsubscribed_at: None | str
        if isinstance(self.unsubscribed_at, datetime.datetime):
            unsubscribed_at = self.unsubscribed_at.isoformat()
        else:
            unsubscribed_at = self.unsubscribed_at

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        tags: list[str] | Unset = UNSET
        if not isinstance(self.tags, Unset):
            tags = self.tags

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "email": email,
                "name": name,
                "phone": phone,
                "properties": properties,
                "subscribed": subscribed,
                "unsubscribed_at": unsubscribed_at,
                "created_at": created_at,
                "updated_at": updated_at,
            }
        )
        if tags is not UNSET:
            field_dict["tags"] = tags

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.customer_read_properties import CustomerReadProperties  # noqa: PLC0415

        d = dict(src_dict)
        id = UUID(d.pop("id"))

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

        properties = CustomerReadProperties.from_dict(d.pop("properties"))

        subscribed = d.pop("subscribed")

        def _parse_unsubscribed_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                unsubscribed_at_type_0 = datetime.datetime.fromisoformat(data)

                return unsubscribed_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        unsubscribed_at = _parse_unsubscribed_at(d.pop("unsubscribed_at"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        tags = cast(list[str], d.pop("tags", UNSET))

        customer_read = cls(
            id=id,
            email=email,
            name=name,
            phone=phone,
            properties=properties,
            subscribed=subscribed,
            unsubscribed_at=unsubscribed_at,
            created_at=created_at,
            updated_at=updated_at,
            tags=tags,
        )

        customer_read.additional_properties = d
        return customer_read

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
