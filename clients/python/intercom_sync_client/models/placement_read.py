from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="PlacementRead")


@_attrs_define
class PlacementRead:
    """
    Attributes:
        group (int):
        condition (int):
        runs_in (str): `intercom`: also pushed into Intercom's search, so that fewer contacts are fetched; `local`:
            evaluated here only. Every condition is evaluated here.
        reason (str): `intercom_search`; `intercom_search_partly` (a date range in an OR: its lower bound narrows the
            search); or why it runs here only: `attribute_not_searchable`, `no_search_equivalent` (no search operator means
            the same), `or_with_unsearchable_branch` (another branch of its OR runs here, so the OR does),
            `one_condition_per_group` (an OR of groups pushes one condition of each), `too_many_filters`.
    """

    group: int
    condition: int
    runs_in: str
    reason: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        group = self.group

        condition = self.condition

        runs_in = self.runs_in

        reason = self.reason

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "group": group,
                "condition": condition,
                "runs_in": runs_in,
                "reason": reason,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        group = d.pop("group")

        condition = d.pop("condition")

        runs_in = d.pop("runs_in")

        reason = d.pop("reason")

        placement_read = cls(
            group=group,
            condition=condition,
            runs_in=runs_in,
            reason=reason,
        )

        placement_read.additional_properties = d
        return placement_read

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
