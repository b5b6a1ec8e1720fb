from enum import StrEnum


class SegmentSource(StrEnum):
    LEADS = "leads"
    USERS = "users"

    def __str__(self) -> str:
        return str(self.value)
