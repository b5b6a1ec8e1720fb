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


class SegmentNotEditable(Conflict):
    """Only custom segments are renamed or deleted: the others mirror Intercom."""

    code = "segment_not_editable"
    title = "Only custom segments can be renamed or deleted"

    def __init__(self, segment_id: uuid.UUID, kind: str, action: str) -> None:
        super().__init__(
            f"Segment {segment_id} is a{'n' if kind[0] in 'aeiou' else ''} {kind} list; only "
            f"custom segments can be {action}. Main lists and Intercom segments follow Intercom.",
            segment_id=str(segment_id),
            kind=kind,
        )


class SegmentNameTaken(Conflict):
    code = "segment_name_taken"
    title = "A custom segment of this integration already has this name"

    def __init__(self, name: str) -> None:
        super().__init__(
            f"A custom segment of this integration is already named {name!r} "
            "(names are compared without case)."
        )


class AutoSyncQuotaExceeded(Conflict):
    code = "auto_sync_quota_exceeded"
    title = "Auto-sync quota reached"

    def __init__(self, used: int, allowed: int) -> None:
        super().__init__(
            f"Auto-sync is on for {used} lists or segments of this account, the most its NPS "
            f"campaigns allow ({allowed}). Switch one off, or add NPS campaigns.",
            used=used,
            allowed=allowed,
        )
