from enum import StrEnum


class SegmentKind(StrEnum):
    CUSTOM = "custom"
    INTERCOM = "intercom"
    LEADS = "leads"
    USERS = "users"

    def __str__(self) -> str:
        return str(self.value)
