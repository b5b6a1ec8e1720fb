from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.combination import Combination
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.condition import Condition
    from ..models.placement_read import PlacementRead


T = TypeVar("T", bound="FiltersRead")


@_attrs_define
class FiltersRead:
    """
    Attributes:
        version (int): Also the ETag; name it in If-Match when saving.
        combine (Combination):
        groups (list[list[Condition]]): None: every contact of the list.
        placements (list[PlacementRead] | Unset): Where each condition runs, with the current mapping.
    """

    version: int
    combine: Combination
    groups: list[list[Condition]]
    placements: list[PlacementRead] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        version = self.version

        combine = self.combine.value

        groups = []
        for groups_item_data in self.groups:
            groups_item = []
            for groups_item_item_data in groups_item_data:
                groups_item_item = groups_item_item_data.to_dict()
                groups_item.append(groups_item_item)

            groups.append(groups_item)

        placements: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.placements, Unset):
            placements = []
            for placements_item_data in self.placements:
                placements_item = placements_item_data.to_dict()
                placements.append(placements_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "version": version,
                "combine": combine,
                "groups": groups,
            }
        )
        if placements is not UNSET:
            field_dict["placements"] = placements

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.condition import Condition  # noqa: PLC0415
        from ..models.placement_read import PlacementRead  # noqa: PLC0415

        d = dict(src_dict)
        version = d.pop("version")

        combine = Combination(d.pop("combine"))

        groups = []
        _groups = d.pop("groups")
        for groups_item_data in _groups:
            groups_item = []
            _groups_item = groups_item_data
            for groups_item_item_data in _groups_item:
                groups_item_item = Condition.from_dict(groups_item_item_data)

                groups_item.append(groups_item_item)

            groups.append(groups_item)

        _placements = d.pop("placements", UNSET)
        placements: list[PlacementRead] | Unset = UNSET
        if _placements is not UNSET:
            placements = []
            for placements_item_data in _placements:
                placements_item = PlacementRead.from_dict(placements_item_data)

                placements.append(placements_item)

        filters_read = cls(
            version=version,
            combine=combine,
            groups=groups,
            placements=placements,
        )

        filters_read.additional_properties = d
        return filters_read

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
