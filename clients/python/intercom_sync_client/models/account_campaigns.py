from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.auto_sync_quota import AutoSyncQuota


T = TypeVar("T", bound="AccountCampaigns")


@_attrs_define
class AccountCampaigns:
    """
    Attributes:
        account_id (UUID):
        nps_campaigns (int):
        auto_sync (AutoSyncQuota):
    """

    account_id: UUID
    nps_campaigns: int
    auto_sync: AutoSyncQuota
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        account_id = str(self.account_id)

        nps_campaigns = self.nps_campaigns

        auto_sync = self.auto_sync.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "account_id": account_id,
                "nps_campaigns": nps_campaigns,
                "auto_sync": auto_sync,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.auto_sync_quota import AutoSyncQuota  # noqa: PLC0415

        d = dict(src_dict)
        account_id = UUID(d.pop("account_id"))

        nps_campaigns = d.pop("nps_campaigns")

        auto_sync = AutoSyncQuota.from_dict(d.pop("auto_sync"))

        account_campaigns = cls(
            account_id=account_id,
            nps_campaigns=nps_campaigns,
            auto_sync=auto_sync,
        )

        account_campaigns.additional_properties = d
        return account_campaigns

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
