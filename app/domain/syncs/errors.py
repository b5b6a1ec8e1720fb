from __future__ import annotations

import uuid

from app.errors import Conflict, NotFound


class SyncNotFound(NotFound):
    def __init__(self, sync_id: uuid.UUID) -> None:
        super().__init__("Sync", sync_id)


class SyncAlreadyActive(Conflict):
    code = "sync_already_active"
    title = "A sync of this segment is already pending or running"

    def __init__(self, sync_id: uuid.UUID | None) -> None:
        if sync_id is None:
            super().__init__("A sync of this segment has just ended; try again.")
        else:
            super().__init__(
                f"Sync {sync_id} of this segment has not finished yet.",
                active_sync_id=str(sync_id),
            )


class SyncNotActive(Conflict):
    code = "sync_not_active"
    title = "The sync has already ended"

    def __init__(self, sync_id: uuid.UUID, status: str) -> None:
        super().__init__(f"Sync {sync_id} has already ended ({status}).", sync_status=status)
