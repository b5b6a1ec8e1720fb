from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="SyncProgress")


@_attrs_define
class SyncProgress:
    """
    Attributes:
        processed (int): Contacts read and handled so far (`fetched`).
        expected (int | None): Contacts the run expects to read: Intercom's count of its query when it started (the
            workspace may change meanwhile).
        percent (float | None): 0 to 100, only ever moving forward; 100 once finished. Null until the run knows what to
            expect.
        eta_s (float | None): Seconds left at the run's average pace so far (it settles as the run goes); null unless
            running.
    """

    processed: int
    expected: int | None
    percent: float | None
    eta_s: float | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        processed = self.processed

        expected: int | None
        expected = self.expected

        percent: float | None
        percent = self.percent

        eta_s: float | None
        eta_s = self.eta_s

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "processed": processed,
                "expected": expected,
                "percent": percent,
                "eta_s": eta_s,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        processed = d.pop("processed")

        def _parse_expected(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        expected = _parse_expected(d.pop("expected"))

        def _parse_percent(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        percent = _parse_percent(d.pop("percent"))

        def _parse_eta_s(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        eta_s = _parse_eta_s(d.pop("eta_s"))

        sync_progress = cls(
            processed=processed,
            expected=expected,
            percent=percent,
            eta_s=eta_s,
        )

        sync_progress.additional_properties = d
        return sync_progress

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
