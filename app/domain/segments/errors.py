from __future__ import annotations

import uuid

from app.errors import NotFound


class SegmentNotFound(NotFound):
    def __init__(self, segment_id: uuid.UUID) -> None:
        super().__init__("Segment", segment_id)
