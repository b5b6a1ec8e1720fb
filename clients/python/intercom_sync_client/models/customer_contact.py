from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.customer_list import CustomerList


T = TypeVar("T", bound="CustomerContact")


@_attrs_define
class CustomerContact:
    """One Intercom contact the customer came from.

    Attributes:
        integration_id (UUID):
        intercom_contact_id (str):
        role (str): `user` or `lead`.
        winner (bool): The customer's values are this contact's.
        changed_at (datetime.datetime): When a sync or webhook last changed its values.
        lists (list[CustomerList]):
    """

    integration_id: UUID
    intercom_contact_id: str
    role: str
    winner: bool
    changed_at: datetime.datetime
    lists: list[CustomerList]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        integration_id = str(self.integration_id)

        intercom_contact_id = self.intercom_contact_id

        role = self.role

        winner = self.winner

        changed_at = self.changed_at.isoformat()

        lists = []
        for lists_item_data in self.lists:
            lists_item = lists_item_data.to_dict()
            lists.append(lists_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "integration_id": integration_id,
                "intercom_contact_id": intercom_contact_id,
                "role": role,
                "winner": winner,
                "changed_at": changed_at,
                "lists": lists,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.customer_list import CustomerList  # noqa: PLC0415

        d = dict(src_dict)
        integration_id = UUID(d.pop("integration_id"))

        intercom_contact_id = d.pop("intercom_contact_id")

        role = d.pop("role")

        winner = d.pop("winner")

        changed_at = datetime.datetime.fromisoformat(d.pop("changed_at"))

        lists = []
        _lists = d.pop("lists")
        for lists_item_data in _lists:
            lists_item = CustomerList.from_dict(lists_item_data)

            lists.append(lists_item)

        customer_contact = cls(
            integration_id=integration_id,
            intercom_contact_id=intercom_contact_id,
            role=role,
            winner=winner,
            changed_at=changed_at,
            lists=lists,
        )

        customer_contact.additional_properties = d
        return customer_contact

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
