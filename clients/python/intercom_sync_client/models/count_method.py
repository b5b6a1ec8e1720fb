from enum import StrEnum


class CountMethod(StrEnum):
    ESTIMATED = "estimated"
    INTERCOM = "intercom"
    LOCAL = "local"

    def __str__(self) -> str:
        return str(self.value)
