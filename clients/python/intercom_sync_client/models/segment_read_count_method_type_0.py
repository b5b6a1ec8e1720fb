from enum import StrEnum


class SegmentReadCountMethodType0(StrEnum):
    ESTIMATED = "estimated"
    INTERCOM = "intercom"
    LOCAL = "local"

    def __str__(self) -> str:
        return str(self.value)
