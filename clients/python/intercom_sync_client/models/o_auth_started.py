from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="OAuthStarted")


@_attrs_define
class OAuthStarted:
    """
    Attributes:
        authorize_url (str): Send the admin's browser here (Intercom's consent).
        state (str): Signed, single use, bound to this account and redirect; Intercom hands it back with the code: send
            both to `POST /v1/integrations/oauth/callback`.
        expires_at (datetime.datetime): The state is refused after this.
    """

    authorize_url: str
    state: str
    expires_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        authorize_url = self.authorize_url

        state = self.state

        expires_at = self.expires_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "authorize_url": authorize_url,
                "state": state,
                "expires_at": expires_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        authorize_url = d.pop("authorize_url")

        state = d.pop("state")

        expires_at = datetime.datetime.fromisoformat(d.pop("expires_at"))

        o_auth_started = cls(
            authorize_url=authorize_url,
            state=state,
            expires_at=expires_at,
        )

        o_auth_started.additional_properties = d
        return o_auth_started

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
