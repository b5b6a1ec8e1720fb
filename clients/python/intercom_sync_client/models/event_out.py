from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="EventOut")


@_attrs_define
class EventOut:
    """An event sent to the Intercom contact when something happens to its customer here.

    Attributes:
        event_name (str):
        enabled (bool | Unset):  Default: False.
    """

    event_name: str
    enabled: bool | Unset = False

    def to_dict(self) -> dict[str, Any]:
        event_name = self.event_name

        enabled = self.enabled

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "event_name": event_name,
            }
        )
        if enabled is not UNSET:
            field_dict["enabled"] = enabled

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        event_name = d.pop("event_name")

        enabled = d.pop("enabled", UNSET)

        event_out = cls(
            event_name=event_name,
            enabled=enabled,
        )

        return event_out
