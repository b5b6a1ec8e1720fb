from enum import StrEnum


class Reason(StrEnum):
    ARCHIVED = "archived"
    NO_MATCH = "no_match"
    REMOVED = "removed"
    SAME_KEY = "same_key"
    SAME_LABEL = "same_label"
    STANDARD_ATTRIBUTE = "standard_attribute"

    def __str__(self) -> str:
        return str(self.value)
