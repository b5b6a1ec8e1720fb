from enum import StrEnum


class SyncEventsResponse200Event(StrEnum):
    PROGRESS = "progress"
    REPORT = "report"

    def __str__(self) -> str:
        return str(self.value)
