"""A run's report: the counters each batch adds up, with a few contact ids per reason and every
failed contact. Pure: the pipeline builds it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.domain.models import SyncRun

# Intercom contact ids kept per reason: enough to look a few up in Intercom, bounded per run.
SAMPLE_SIZE = 5


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
    # Up to SAMPLE_SIZE Intercom contact ids per reason: {"skipped": {...}, "failed": {...}}.
    samples: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    # Every failed contact: (Intercom contact id, reason), for the run's list of failures.
    failures: list[tuple[str, str]] = field(default_factory=list)

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

    def skip(self, reason: str, count: int = 1, *, contact_id: str = "") -> None:
        self.skipped_reasons[reason] = self.skipped_reasons.get(reason, 0) + count
        self._sample("skipped", reason, contact_id)

    def fail(self, reason: str, count: int = 1, *, contact_id: str = "") -> None:
        self.failed_reasons[reason] = self.failed_reasons.get(reason, 0) + count
        self._sample("failed", reason, contact_id)
        if contact_id:
            self.failures.append((contact_id, reason))

    def _sample(self, outcome: str, reason: str, contact_id: str) -> None:
        if not contact_id:
            return
        kept = self.samples.setdefault(outcome, {}).setdefault(reason, [])
        if len(kept) < SAMPLE_SIZE and contact_id not in kept:
            kept.append(contact_id)

    def add(self, other: Report) -> None:
        self.fetched += other.fetched
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        for reason, count in other.skipped_reasons.items():
            self.skip(reason, count)
        for reason, count in other.failed_reasons.items():
            self.fail(reason, count)
        self.samples = merged_samples(self.samples, other.samples)
        self.failures.extend(other.failures)

    def apply_to(self, run: SyncRun) -> None:
        """Adds this report to the run's counters (in the transaction of the rows it counts)."""
        run.fetched += self.fetched
        run.created += self.created
        run.updated += self.updated
        run.unchanged += self.unchanged
        run.skipped += self.skipped
        run.failed += self.failed
        run.skipped_reasons = merged_counts(run.skipped_reasons, self.skipped_reasons)
        run.failed_reasons = merged_counts(run.failed_reasons, self.failed_reasons)
        run.samples = merged_samples(run.samples, self.samples)
        # A new version of the run's progress (its events' ids, syncs/events.py).
        run.progress_seq += 1


def merged_samples(
    left: dict[str, dict[str, list[str]]] | None, right: dict[str, dict[str, list[str]]]
) -> dict[str, dict[str, list[str]]]:
    merged = {outcome: dict(reasons) for outcome, reasons in (left or {}).items()}
    for outcome, reasons in right.items():
        into = merged.setdefault(outcome, {})
        for reason, ids in reasons.items():
            kept = list(into.get(reason, []))
            kept += [i for i in ids if i not in kept][: max(0, SAMPLE_SIZE - len(kept))]
            into[reason] = kept
    return merged


def merged_counts(left: dict[str, int] | None, right: dict[str, int]) -> dict[str, int]:
    merged = dict(left or {})
    for key, value in right.items():
        merged[key] = merged.get(key, 0) + value
    return merged
