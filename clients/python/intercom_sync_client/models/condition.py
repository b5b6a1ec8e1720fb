from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..models.operator import Operator
from ..types import UNSET, Unset

T = TypeVar("T", bound="Condition")


@_attrs_define
class Condition:
    """`property · operator · value`; the value's shape depends on the operator (validate.py).

    Attributes:
        property_ (str):
        operator (Operator):
        value (Any | Unset):
    """

    property_: str
    operator: Operator
    value: Any | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        property_ = self.property_

        operator = self.operator.value

        value = self.value

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "property": property_,
                "operator": operator,
            }
        )
        if value is not UNSET:
            field_dict["value"] = value

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        property_ = d.pop("property")

        operator = Operator(d.pop("operator"))

        value = d.pop("value", UNSET)

        condition = cls(
            property_=property_,
            operator=operator,
            value=value,
        )

        return condition
