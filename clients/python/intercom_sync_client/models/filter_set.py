from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

from ..models.combination import Combination
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.condition import Condition


T = TypeVar("T", bound="FilterSet")


@_attrs_define
class FilterSet:
    """
    Attributes:
        combine (Combination | Unset):
        groups (list[list[Condition]] | Unset): No group: every contact of the source.
    """

    combine: Combination | Unset = UNSET
    groups: list[list[Condition]] | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        combine: str | Unset = UNSET
        if not isinstance(self.combine, Unset):
            combine = self.combine.value

        groups: list[list[dict[str, Any]]] | Unset = UNSET
        if not isinstance(self.groups, Unset):
            groups = []
            for groups_item_data in self.groups:
                groups_item = []
                for groups_item_item_data in groups_item_data:
                    groups_item_item = groups_item_item_data.to_dict()
                    groups_item.append(groups_item_item)

                groups.append(groups_item)

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if combine is not UNSET:
            field_dict["combine"] = combine
        if groups is not UNSET:
            field_dict["groups"] = groups

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.condition import Condition  # noqa: PLC0415

        d = dict(src_dict)
        _combine = d.pop("combine", UNSET)
        combine: Combination | Unset
        if isinstance(_combine, Unset):
            combine = UNSET
        else:
            combine = Combination(_combine)

        _groups = d.pop("groups", UNSET)
        groups: list[list[Condition]] | Unset = UNSET
        if _groups is not UNSET:
            groups = []
            for groups_item_data in _groups:
                groups_item = []
                _groups_item = groups_item_data
                for groups_item_item_data in _groups_item:
                    groups_item_item = Condition.from_dict(groups_item_item_data)

                    groups_item.append(groups_item_item)

                groups.append(groups_item)

        filter_set = cls(
            combine=combine,
            groups=groups,
        )

        return filter_set
