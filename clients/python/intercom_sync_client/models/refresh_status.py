from enum import StrEnum


class RefreshStatus(StrEnum):
    FAILED = "failed"
    IDLE = "idle"
    PENDING = "pending"
    RUNNING = "running"

    def __str__(self) -> str:
        return str(self.value)
