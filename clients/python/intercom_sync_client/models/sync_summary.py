from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.sync_status import SyncStatus
from ..models.sync_trigger import SyncTrigger

if TYPE_CHECKING:
    from ..models.sync_report_summary import SyncReportSummary


T = TypeVar("T", bound="SyncSummary")


@_attrs_define
class SyncSummary:
    """The last sync of a list, or of any list of an integration.

    Attributes:
        id (UUID):
        segment_id (UUID):
        status (SyncStatus):
        trigger (SyncTrigger):
        created_at (datetime.datetime): When the sync was started (by a user or the schedule).
        finished_at (datetime.datetime | None):
        error_code (None | str):
        report (SyncReportSummary): A run's counters without their reasons: what a list row or a top bar shows.
    """

    id: UUID
    segment_id: UUID
    status: SyncStatus
    trigger: SyncTrigger
    created_at: datetime.datetime
    finished_at: datetime.datetime | None
    error_code: None | str
    report: SyncReportSummary
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        segment_id = str(self.segment_id)

        status = self.status.value

        trigger = self.trigger.value

        created_at = self.created_at.isoformat()

        finished_at: None | str
        if isinstance(self.finished_at, datetime.datetime):
            finished_at = self.finished_at.isoformat()
        else:
            finished_at = self.finished_at

        error_code: None | str
        error_code = self.error_code

        report = self.report.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "segment_id": segment_id,
                "status": status,
                "trigger": trigger,
                "created_at": created_at,
                "finished_at": finished_at,
                "error_code": error_code,
                "report": report,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.sync_report_summary import SyncReportSummary  # noqa: PLC0415

        d = dict(src_dict)
        id = UUID(d.pop("id"))

        segment_id = UUID(d.pop("segment_id"))

        status = SyncStatus(d.pop("status"))

        trigger = SyncTrigger(d.pop("trigger"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

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

        def _parse_error_code(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        error_code = _parse_error_code(d.pop("error_code"))

        report = SyncReportSummary.from_dict(d.pop("report"))

        sync_summary = cls(
            id=id,
            segment_id=segment_id,
            status=status,
            trigger=trigger,
            created_at=created_at,
            finished_at=finished_at,
            error_code=error_code,
            report=report,
        )

        sync_summary.additional_properties = d
        return sync_summary

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
