from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="OAuthCallback")


@_attrs_define
class OAuthCallback:
    """
    Attributes:
        code (str): The `code` Intercom put on the redirect.
        state (str): The `state` Intercom put on the redirect, unchanged.
    """

    code: str
    state: str

    def to_dict(self) -> dict[str, Any]:
        code = self.code

        state = self.state

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "code": code,
                "state": state,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        code = d.pop("code")

        state = d.pop("state")

        o_auth_callback = cls(
            code=code,
            state=state,
        )

        return o_auth_callback
