from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.count_method import CountMethod

if TYPE_CHECKING:
    from ..models.preview_contact import PreviewContact


T = TypeVar("T", bound="PreviewRead")


@_attrs_define
class PreviewRead:
    """
    Attributes:
        count (int): Contacts of the list the filters select (see `method`), those without a usable email included: a
            sync skips them as `no_email`.
        exact (bool): False when `count` is estimated.
        method (CountMethod): Where a count comes from.
        upper_bound (int): Intercom's count of what its part of the filters selects.
        sample (list[PreviewContact]): Up to 10 selected contacts, with their mapped values.
    """

    count: int
    exact: bool
    method: CountMethod
    upper_bound: int
    sample: list[PreviewContact]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        count = self.count

        exact = self.exact

        method = self.method.value

        upper_bound = self.upper_bound

        sample = []
        for sample_item_data in self.sample:
            sample_item = sample_item_data.to_dict()
            sample.append(sample_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "count": count,
                "exact": exact,
                "method": method,
                "upper_bound": upper_bound,
                "sample": sample,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.preview_contact import PreviewContact  # noqa: PLC0415

        d = dict(src_dict)
        count = d.pop("count")

        exact = d.pop("exact")

        method = CountMethod(d.pop("method"))

        upper_bound = d.pop("upper_bound")

        sample = []
        _sample = d.pop("sample")
        for sample_item_data in _sample:
            sample_item = PreviewContact.from_dict(sample_item_data)

            sample.append(sample_item)

        preview_read = cls(
            count=count,
            exact=exact,
            method=method,
            upper_bound=upper_bound,
            sample=sample,
        )

        preview_read.additional_properties = d
        return preview_read

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
