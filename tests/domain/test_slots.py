import uuid
from datetime import UTC, datetime, timedelta

from app.domain.schedule.slots import next_slot, offset_of

DAY = timedelta(days=1)


def test_a_slot_is_strictly_after_and_within_one_period() -> None:
    now = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
    for _ in range(200):
        key = uuid.uuid4()
        slot = next_slot(key, DAY, after=now)
        assert now < slot <= now + DAY
        # Stable: the same key lands at the same time of day, every day.
        assert next_slot(key, DAY, after=slot) == slot + DAY
        assert next_slot(key, DAY, after=slot - timedelta(microseconds=1)) == slot


def test_missed_days_collapse_into_the_next_slot() -> None:
    key = uuid.uuid4()
    start = datetime(2026, 11, 1, tzinfo=UTC)
    first = next_slot(key, DAY, after=start)
    late = first + 5 * DAY + timedelta(hours=1)
    assert next_slot(key, DAY, after=late) == first + 6 * DAY


def test_offsets_spread_over_the_period() -> None:
    offsets = [offset_of(uuid.uuid4(), DAY) for _ in range(10_000)]
    per_minute: dict[int, int] = {}
    for offset in offsets:
        minute = int(offset.total_seconds()) // 60
        per_minute[minute] = per_minute.get(minute, 0) + 1
    # 10,000 segments over 1,440 minutes: about 7 a minute, never a crowd.
    assert max(per_minute.values()) < 30
    hours = {int(offset.total_seconds()) // 3600 for offset in offsets}
    assert hours == set(range(24))
