from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.property_type import PropertyType
from ..models.reason import Reason

if TYPE_CHECKING:
    from ..models.property_proposal import PropertyProposal


T = TypeVar("T", bound="SuggestionRead")


@_attrs_define
class SuggestionRead:
    """
    Attributes:
        attribute (str):
        attribute_label (str):
        attribute_type (str):
        custom (bool):
        archived (bool):
        property_ (None | str): The existing property suggested, if any.
        property_type (None | PropertyType):
        create (None | PropertyProposal): No property fits: the one to create for it (send it as `create_property`).
        reason (Reason):
    """

    attribute: str
    attribute_label: str
    attribute_type: str
    custom: bool
    archived: bool
    property_: None | str
    property_type: None | PropertyType
    create: None | PropertyProposal
    reason: Reason
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.property_proposal import PropertyProposal  # noqa: PLC0415

        attribute = self.attribute

        attribute_label = self.attribute_label

        attribute_type = self.attribute_type

        custom = self.custom

        archived = self.archived

        property_: None | str
        property_ = self.property_

        property_type: None | str
        if isinstance(self.property_type, PropertyType):
            property_type = self.property_type.value
        else:
            property_type = self.property_type

        create: dict[str, Any] | None
        if isinstance(self.create, PropertyProposal):
            create = self.create.to_dict()
        else:
            create = self.create

        reason = self.reason.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "attribute": attribute,
                "attribute_label": attribute_label,
                "attribute_type": attribute_type,
                "custom": custom,
                "archived": archived,
                "property": property_,
                "property_type": property_type,
                "create": create,
                "reason": reason,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.property_proposal import PropertyProposal  # noqa: PLC0415

        d = dict(src_dict)
        attribute = d.pop("attribute")

        attribute_label = d.pop("attribute_label")

        attribute_type = d.pop("attribute_type")

        custom = d.pop("custom")

        archived = d.pop("archived")

        def _parse_property_(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        property_ = _parse_property_(d.pop("property"))

        def _parse_property_type(data: object) -> None | PropertyType:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                property_type_type_0 = PropertyType(data)

                return property_type_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | PropertyType, data)

        property_type = _parse_property_type(d.pop("property_type"))

        def _parse_create(data: object) -> None | PropertyProposal:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                create_type_0 = PropertyProposal.from_dict(data)

                return create_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | PropertyProposal, data)

        create = _parse_create(d.pop("create"))

        reason = Reason(d.pop("reason"))

        suggestion_read = cls(
            attribute=attribute,
            attribute_label=attribute_label,
            attribute_type=attribute_type,
            custom=custom,
            archived=archived,
            property_=property_,
            property_type=property_type,
            create=create,
            reason=reason,
        )

        suggestion_read.additional_properties = d
        return suggestion_read

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
