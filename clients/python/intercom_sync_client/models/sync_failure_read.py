from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="SyncFailureRead")


@_attrs_define
class SyncFailureRead:
    """
    Attributes:
        intercom_contact_id (str):
        reason (str): As in the run's failed_reasons.
    """

    intercom_contact_id: str
    reason: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        intercom_contact_id = self.intercom_contact_id

        reason = self.reason

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "intercom_contact_id": intercom_contact_id,
                "reason": reason,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        intercom_contact_id = d.pop("intercom_contact_id")

        reason = d.pop("reason")

        sync_failure_read = cls(
            intercom_contact_id=intercom_contact_id,
            reason=reason,
        )

        sync_failure_read.additional_properties = d
        return sync_failure_read

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
