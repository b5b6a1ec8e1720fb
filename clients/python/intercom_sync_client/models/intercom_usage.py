from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="IntercomUsage")


@_attrs_define
class IntercomUsage:
    """
    Attributes:
        requests (int): Requests the run sent to Intercom, retries included.
        rate_limit_wait_s (float): Time it waited for the workspace's shared rate budget.
    """

    requests: int
    rate_limit_wait_s: float
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        requests = self.requests

        rate_limit_wait_s = self.rate_limit_wait_s

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "requests": requests,
                "rate_limit_wait_s": rate_limit_wait_s,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        requests = d.pop("requests")

        rate_limit_wait_s = d.pop("rate_limit_wait_s")

        intercom_usage = cls(
            requests=requests,
            rate_limit_wait_s=rate_limit_wait_s,
        )

        intercom_usage.additional_properties = d
        return intercom_usage

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
