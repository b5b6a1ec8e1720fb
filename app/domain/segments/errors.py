from __future__ import annotations

import uuid

from app.errors import Conflict, NotFound


class SegmentNotFound(NotFound):
    def __init__(self, segment_id: uuid.UUID) -> None:
        super().__init__("Segment", segment_id)


class SegmentMissing(Conflict):
    code = "segment_missing"
    title = "The segment no longer exists in Intercom"

    def __init__(self, segment_id: uuid.UUID) -> None:
        super().__init__(
            f"Segment {segment_id} was deleted in Intercom (found missing by a refresh); it "
            "cannot be synced. It comes back if a later refresh finds it again.",
            segment_id=str(segment_id),
        )
