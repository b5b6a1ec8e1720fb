from enum import StrEnum


class Duplicates(StrEnum):
    SKIP = "skip"
    UPDATE = "update"

    def __str__(self) -> str:
        return str(self.value)
