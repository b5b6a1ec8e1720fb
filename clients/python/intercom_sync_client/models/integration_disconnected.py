from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="IntegrationDisconnected")


@_attrs_define
class IntegrationDisconnected:
    """
    Attributes:
        cancelled_syncs (int): Pending or running syncs of its lists, now ended.
        deleted_customers (int): Customers deleted because every source of theirs was this workspace (only with
            `delete_customers=true`).
    """

    cancelled_syncs: int
    deleted_customers: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        cancelled_syncs = self.cancelled_syncs

        deleted_customers = self.deleted_customers

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "cancelled_syncs": cancelled_syncs,
                "deleted_customers": deleted_customers,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        cancelled_syncs = d.pop("cancelled_syncs")

        deleted_customers = d.pop("deleted_customers")

        integration_disconnected = cls(
            cancelled_syncs=cancelled_syncs,
            deleted_customers=deleted_customers,
        )

        integration_disconnected.additional_properties = d
        return integration_disconnected

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
