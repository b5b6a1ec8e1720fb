from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="OAuthStart")


@_attrs_define
class OAuthStart:
    """
    Attributes:
        redirect_uri (str): Where Intercom sends the admin back with `code` and `state`: one of the redirects this
            deployment allows (OAUTH_REDIRECT_URIS), exactly.
        name (None | str | Unset): Display name of the integration; defaults to "Account 1" or "Account 2".
    """

    redirect_uri: str
    name: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        redirect_uri = self.redirect_uri

        name: None | str | Unset
        if isinstance(self.name, Unset):
            name = UNSET
        else:
            name = self.name

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "redirect_uri": redirect_uri,
            }
        )
        if name is not UNSET:
            field_dict["name"] = name

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        redirect_uri = d.pop("redirect_uri")

        def _parse_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        name = _parse_name(d.pop("name", UNSET))

        o_auth_start = cls(
            redirect_uri=redirect_uri,
            name=name,
        )

        return o_auth_start
