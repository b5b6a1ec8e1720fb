from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="IntegrationCreate")


@_attrs_define
class IntegrationCreate:
    """
    Attributes:
        access_token (str): An Intercom access token of the workspace: printable ASCII, no spaces.
        name (None | str | Unset): Display name; defaults to "Account 1" or "Account 2".
    """

    access_token: str
    name: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        access_token = self.access_token

        name: None | str | Unset
        if isinstance(self.name, Unset):
            name = UNSET
        else:
            name = self.name

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "access_token": access_token,
            }
        )
        if name is not UNSET:
            field_dict["name"] = name

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        access_token = d.pop("access_token")

        def _parse_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        name = _parse_name(d.pop("name", UNSET))

        integration_create = cls(
            access_token=access_token,
            name=name,
        )

        return integration_create
