from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.sync_counters_failed_reasons import SyncCountersFailedReasons
    from ..models.sync_counters_removed_reasons import SyncCountersRemovedReasons
    from ..models.sync_counters_samples import SyncCountersSamples
    from ..models.sync_counters_skipped_reasons import SyncCountersSkippedReasons


T = TypeVar("T", bound="SyncCounters")


@_attrs_define
class SyncCounters:
    """
    Attributes:
        fetched (int): Contacts read from Intercom.
        created (int): New customers.
        updated (int): Existing customers whose data changed.
        unchanged (int):
        skipped (int): Contacts not imported; see skipped_reasons.
        failed (int): Contacts that could not be imported; see failed_reasons.
        skipped_reasons (SyncCountersSkippedReasons):
        failed_reasons (SyncCountersFailedReasons):
        removed (int): Customers linked to the list that a complete run did not see, handled as the integration's
            settings say; not part of `fetched`. See removed_reasons.
        removed_reasons (SyncCountersRemovedReasons):
        samples (SyncCountersSamples): Up to 5 Intercom contact ids per reason, under `skipped` and `failed`.
    """

    fetched: int
    created: int
    updated: int
    unchanged: int
    skipped: int
    failed: int
    skipped_reasons: SyncCountersSkippedReasons
    failed_reasons: SyncCountersFailedReasons
    removed: int
    removed_reasons: SyncCountersRemovedReasons
    samples: SyncCountersSamples
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        fetched = self.fetched

        created = self.created

        updated = self.updated

        unchanged = self.unchanged

        skipped = self.skipped

        failed = self.failed

        skipped_reasons = self.skipped_reasons.to_dict()

        failed_reasons = self.failed_reasons.to_dict()

        removed = self.removed

        removed_reasons = self.removed_reasons.to_dict()

        samples = self.samples.to_dict()

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
                "skipped_reasons": skipped_reasons,
                "failed_reasons": failed_reasons,
                "removed": removed,
                "removed_reasons": removed_reasons,
                "samples": samples,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.sync_counters_failed_reasons import SyncCountersFailedReasons  # noqa: PLC0415
        from ..models.sync_counters_removed_reasons import SyncCountersRemovedReasons  # noqa: PLC0415
        from ..models.sync_counters_samples import SyncCountersSamples  # noqa: PLC0415
        from ..models.sync_counters_skipped_reasons import SyncCountersSkippedReasons  # noqa: PLC0415

        d = dict(src_dict)
        fetched = d.pop("fetched")

        created = d.pop("created")

        updated = d.pop("updated")

        unchanged = d.pop("unchanged")

        skipped = d.pop("skipped")

        failed = d.pop("failed")

        skipped_reasons = SyncCountersSkippedReasons.from_dict(d.pop("skipped_reasons"))

        failed_reasons = SyncCountersFailedReasons.from_dict(d.pop("failed_reasons"))

        removed = d.pop("removed")

        removed_reasons = SyncCountersRemovedReasons.from_dict(d.pop("removed_reasons"))

        samples = SyncCountersSamples.from_dict(d.pop("samples"))

        sync_counters = cls(
            fetched=fetched,
            created=created,
            updated=updated,
            unchanged=unchanged,
            skipped=skipped,
            failed=failed,
            skipped_reasons=skipped_reasons,
            failed_reasons=failed_reasons,
            removed=removed,
            removed_reasons=removed_reasons,
            samples=samples,
        )

        sync_counters.additional_properties = d
        return sync_counters

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
