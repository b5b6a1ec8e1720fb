"""When periodic work on one thing is due: at a stable offset of its own within each period.

Ten thousand segments switched on in the same minute must not all sync in the same minute a
day later, nor every integration refresh at once: each id hashes to an offset within the
period, and its work is due at that offset of every period. The offset never changes, so a
restart or a missed tick does not move anyone's slot, and a missed slot is simply the next
one: after an outage, work due for days runs once, not once per missed day.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime, timedelta

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def offset_of(key: uuid.UUID, period: timedelta) -> timedelta:
    """The stable offset of `key` within `period`, to the second, uniform over the period."""
    seconds = max(1, int(period.total_seconds()))
    digest = int.from_bytes(hashlib.sha256(key.bytes).digest()[:8], "big")
    return timedelta(seconds=digest % seconds)


def next_slot(key: uuid.UUID, period: timedelta, *, after: datetime) -> datetime:
    """The first slot of `key` strictly after `after`."""
    offset = offset_of(key, period)
    elapsed = after - EPOCH - offset
    periods = elapsed // period  # floor, also for instants before the first slot
    return EPOCH + offset + (periods + 1) * period
