from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.refresh_read import RefreshRead
    from ..models.sync_summary import SyncSummary


T = TypeVar("T", bound="IntegrationRead")


@_attrs_define
class IntegrationRead:
    """
    Attributes:
        id (UUID):
        name (str):
        slot (int): 1 or 2: an account connects at most two workspaces.
        status (str):
        auth_method (str):
        intercom_app_id (str):
        workspace_name (str):
        region (str):
        timezone (None | str):
        refreshed_at (datetime.datetime | None): When lists, segments, counts and data attributes were last reloaded.
        created_at (datetime.datetime):
        updated_at (datetime.datetime):
        refresh (RefreshRead): Where the integration's refresh stands. Lists, segments, counts and data attributes are
            always read from the cache; this says how fresh it is.
        last_sync (None | SyncSummary | Unset): The most recent sync of any of its lists and segments.
    """

    id: UUID
    name: str
    slot: int
    status: str
    auth_method: str
    intercom_app_id: str
    workspace_name: str
    region: str
    timezone: None | str
    refreshed_at: datetime.datetime | None
    created_at: datetime.datetime
    updated_at: datetime.datetime
    refresh: RefreshRead
    last_sync: None | SyncSummary | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.sync_summary import SyncSummary  # noqa: PLC0415

        id = str(self.id)

        name = self.name

        slot = self.slot

        status = self.status

        auth_method = self.auth_method

        intercom_app_id = self.intercom_app_id

        workspace_name = self.workspace_name

        region = self.region

        timezone: None | str
        timezone = self.timezone

        refreshed_at: None | str
        if isinstance(self.refreshed_at, datetime.datetime):
            refreshed_at = self.refreshed_at.isoformat()
        else:
            refreshed_at = self.refreshed_at

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        refresh = self.refresh.to_dict()

        last_sync: dict[str, Any] | None | Unset
        if isinstance(self.last_sync, Unset):
            last_sync = UNSET
        elif isinstance(self.last_sync, SyncSummary):
            last_sync = self.last_sync.to_dict()
        else:
            last_sync = self.last_sync

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "name": name,
                "slot": slot,
                "status": status,
                "auth_method": auth_method,
                "intercom_app_id": intercom_app_id,
                "workspace_name": workspace_name,
                "region": region,
                "timezone": timezone,
                "refreshed_at": refreshed_at,
                "created_at": created_at,
                "updated_at": updated_at,
                "refresh": refresh,
            }
        )
        if last_sync is not UNSET:
            field_dict["last_sync"] = last_sync

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.refresh_read import RefreshRead  # noqa: PLC0415
        from ..models.sync_summary import SyncSummary  # noqa: PLC0415

        d = dict(src_dict)
        id = UUID(d.pop("id"))

        name = d.pop("name")

        slot = d.pop("slot")

        status = d.pop("status")

        auth_method = d.pop("auth_method")

        intercom_app_id = d.pop("intercom_app_id")

        workspace_name = d.pop("workspace_name")

        region = d.pop("region")

        def _parse_timezone(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        timezone = _parse_timezone(d.pop("timezone"))

        def _parse_refreshed_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                refreshed_at_type_0 = datetime.datetime.fromisoformat(data)

                return refreshed_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        refreshed_at = _parse_refreshed_at(d.pop("refreshed_at"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        refresh = RefreshRead.from_dict(d.pop("refresh"))

        def _parse_last_sync(data: object) -> None | SyncSummary | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                last_sync_type_0 = SyncSummary.from_dict(data)

                return last_sync_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | SyncSummary | Unset, data)

        last_sync = _parse_last_sync(d.pop("last_sync", UNSET))

        integration_read = cls(
            id=id,
            name=name,
            slot=slot,
            status=status,
            auth_method=auth_method,
            intercom_app_id=intercom_app_id,
            workspace_name=workspace_name,
            region=region,
            timezone=timezone,
            refreshed_at=refreshed_at,
            created_at=created_at,
            updated_at=updated_at,
            refresh=refresh,
            last_sync=last_sync,
        )

        integration_read.additional_properties = d
        return integration_read

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
