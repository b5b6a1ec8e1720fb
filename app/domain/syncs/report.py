"""A run's report: the counters each batch adds up. Pure: the pipeline builds it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.domain.models import SyncRun


@dataclass
class Report:
    """A run's counters. They reconcile: fetched = created + updated + unchanged + skipped +
    failed (see `reconciles`)."""

    fetched: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped_reasons: dict[str, int] = field(default_factory=dict)
    failed_reasons: dict[str, int] = field(default_factory=dict)

    @property
    def skipped(self) -> int:
        return sum(self.skipped_reasons.values())

    @property
    def failed(self) -> int:
        return sum(self.failed_reasons.values())

    @property
    def reconciles(self) -> bool:
        outcomes = self.created + self.updated + self.unchanged + self.skipped + self.failed
        return self.fetched == outcomes

    def skip(self, reason: str, count: int = 1) -> None:
        self.skipped_reasons[reason] = self.skipped_reasons.get(reason, 0) + count

    def fail(self, reason: str, count: int = 1) -> None:
        self.failed_reasons[reason] = self.failed_reasons.get(reason, 0) + count

    def add(self, other: Report) -> None:
        self.fetched += other.fetched
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        for reason, count in other.skipped_reasons.items():
            self.skip(reason, count)
        for reason, count in other.failed_reasons.items():
            self.fail(reason, count)

    def apply_to(self, run: SyncRun) -> None:
        """Adds this report to the run's counters (in the transaction of the rows it counts)."""
        run.fetched += self.fetched
        run.created += self.created
        run.updated += self.updated
        run.unchanged += self.unchanged
        run.skipped += self.skipped
        run.failed += self.failed
        run.skipped_reasons = _merged(run.skipped_reasons, self.skipped_reasons)
        run.failed_reasons = _merged(run.failed_reasons, self.failed_reasons)


def _merged(left: dict[str, int] | None, right: dict[str, int]) -> dict[str, int]:
    merged = dict(left or {})
    for key, value in right.items():
        merged[key] = merged.get(key, 0) + value
    return merged
