from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="CampaignCount")


@_attrs_define
class CampaignCount:
    """
    Attributes:
        nps_campaigns (int): NPS campaigns the account runs.
    """

    nps_campaigns: int

    def to_dict(self) -> dict[str, Any]:
        nps_campaigns = self.nps_campaigns

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "nps_campaigns": nps_campaigns,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        nps_campaigns = d.pop("nps_campaigns")

        campaign_count = cls(
            nps_campaigns=nps_campaigns,
        )

        return campaign_count
