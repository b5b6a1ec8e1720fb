from enum import StrEnum


class OnDeletedInIntercom(StrEnum):
    DELETE = "delete"
    KEEP = "keep"
    UNSUBSCRIBE = "unsubscribe"

    def __str__(self) -> str:
        return str(self.value)
