from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="SyncReportSummary")


@_attrs_define
class SyncReportSummary:
    """A run's counters without their reasons: what a list row or a top bar shows.

    Attributes:
        fetched (int):
        created (int):
        updated (int):
        unchanged (int):
        skipped (int):
        failed (int):
        removed (int):
    """

    fetched: int
    created: int
    updated: int
    unchanged: int
    skipped: int
    failed: int
    removed: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        fetched = self.fetched

        created = self.created

        updated = self.updated

        unchanged = self.unchanged

        skipped = self.skipped

        failed = self.failed

        removed = self.removed

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "fetched": fetched,
                "created": created,
                "updated": updated,
                "unchanged": unchanged,
                "skipped": skipped,
                "failed": failed,
                "removed": removed,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        fetched = d.pop("fetched")

        created = d.pop("created")

        updated = d.pop("updated")

        unchanged = d.pop("unchanged")

        skipped = d.pop("skipped")

        failed = d.pop("failed")

        removed = d.pop("removed")

        sync_report_summary = cls(
            fetched=fetched,
            created=created,
            updated=updated,
            unchanged=unchanged,
            skipped=skipped,
            failed=failed,
            removed=removed,
        )

        sync_report_summary.additional_properties = d
        return sync_report_summary

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
