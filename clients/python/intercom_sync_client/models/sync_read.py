from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.sync_status import SyncStatus
from ..models.sync_trigger import SyncTrigger
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.intercom_usage import IntercomUsage
    from ..models.sync_counters import SyncCounters
    from ..models.sync_progress import SyncProgress
    from ..models.sync_warning import SyncWarning


T = TypeVar("T", bound="SyncRead")


@_attrs_define
class SyncRead:
    """
    Attributes:
        id (UUID):
        segment_id (UUID):
        status (SyncStatus):
        trigger (SyncTrigger):
        counters (SyncCounters):
        progress (SyncProgress):
        intercom (IntercomUsage):
        duration_s (float | None): From its start to its end (so far, while it runs).
        partitions (int): How many partitions a large sync was split into, read in parallel by any number of workers; 0
            when one worker at a time read it whole.
        error_code (None | str):
        error (None | str):
        created_at (datetime.datetime):
        started_at (datetime.datetime | None):
        finished_at (datetime.datetime | None):
        warnings (list[SyncWarning] | Unset): What the run noticed without failing: a mapped attribute archived in
            Intercom (still imported) or removed (left out), a mapped property since deleted, filters that Intercom's search
            cannot narrow.
    """

    id: UUID
    segment_id: UUID
    status: SyncStatus
    trigger: SyncTrigger
    counters: SyncCounters
    progress: SyncProgress
    intercom: IntercomUsage
    duration_s: float | None
    partitions: int
    error_code: None | str
    error: None | str
    created_at: datetime.datetime
    started_at: datetime.datetime | None
    finished_at: datetime.datetime | None
    warnings: list[SyncWarning] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        segment_id = str(self.segment_id)

        status = self.status.value

        trigger = self.trigger.value

        counters = self.counters.to_dict()

        progress = self.progress.to_dict()

        intercom = self.intercom.to_dict()

        duration_s: float | None
        duration_s = self.duration_s

        partitions = self.partitions

        error_code: None | str
        error_code = self.error_code

        error: None | str
        error = self.error

        created_at = self.created_at.isoformat()

        started_at: None | str
        if isinstance(self.started_at, datetime.datetime):
            started_at = self.started_at.isoformat()
        else:
            started_at = self.started_at

        finished_at: None | str
        if isinstance(self.finished_at, datetime.datetime):
            finished_at = self.finished_at.isoformat()
        else:
            finished_at = self.finished_at

        warnings: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.warnings, Unset):
            warnings = []
            for warnings_item_data in self.warnings:
                warnings_item = warnings_item_data.to_dict()
                warnings.append(warnings_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "segment_id": segment_id,
                "status": status,
                "trigger": trigger,
                "counters": counters,
                "progress": progress,
                "intercom": intercom,
                "duration_s": duration_s,
                "partitions": partitions,
                "error_code": error_code,
                "error": error,
                "created_at": created_at,
                "started_at": started_at,
                "finished_at": finished_at,
            }
        )
        if warnings is not UNSET:
            field_dict["warnings"] = warnings

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.intercom_usage import IntercomUsage  # noqa: PLC0415
        from ..models.sync_counters import SyncCounters  # noqa: PLC0415
        from ..models.sync_progress import SyncProgress  # noqa: PLC0415
        from ..models.sync_warning import SyncWarning  # noqa: PLC0415

        d = dict(src_dict)
        id = UUID(d.pop("id"))

        segment_id = UUID(d.pop("segment_id"))

        status = SyncStatus(d.pop("status"))

        trigger = SyncTrigger(d.pop("trigger"))

        counters = SyncCounters.from_dict(d.pop("counters"))

        progress = SyncProgress.from_dict(d.pop("progress"))

        intercom = IntercomUsage.from_dict(d.pop("intercom"))

        def _parse_duration_s(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        duration_s = _parse_duration_s(d.pop("duration_s"))

        partitions = d.pop("partitions")

        def _parse_error_code(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        error_code = _parse_error_code(d.pop("error_code"))

        def _parse_error(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        error = _parse_error(d.pop("error"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        def _parse_started_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                started_at_type_0 = datetime.datetime.fromisoformat(data)

                return started_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        started_at = _parse_started_at(d.pop("started_at"))

        def _parse_finished_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                finished_at_type_0 = datetime.datetime.fromisoformat(data)

                return finished_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        finished_at = _parse_finished_at(d.pop("finished_at"))

        _warnings = d.pop("warnings", UNSET)
        warnings: list[SyncWarning] | Unset = UNSET
        if _warnings is not UNSET:
            warnings = []
            for warnings_item_data in _warnings:
                warnings_item = SyncWarning.from_dict(warnings_item_data)

                warnings.append(warnings_item)

        sync_read = cls(
            id=id,
            segment_id=segment_id,
            status=status,
            trigger=trigger,
            counters=counters,
            progress=progress,
            intercom=intercom,
            duration_s=duration_s,
            partitions=partitions,
            error_code=error_code,
            error=error,
            created_at=created_at,
            started_at=started_at,
            finished_at=finished_at,
            warnings=warnings,
        )

        sync_read.additional_properties = d
        return sync_read

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
