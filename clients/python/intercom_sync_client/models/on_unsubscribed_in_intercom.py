from enum import StrEnum


class OnUnsubscribedInIntercom(StrEnum):
    KEEP = "keep"
    UNSUBSCRIBE = "unsubscribe"

    def __str__(self) -> str:
        return str(self.value)
