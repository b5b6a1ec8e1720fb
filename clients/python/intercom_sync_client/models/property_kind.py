from enum import StrEnum


class PropertyKind(StrEnum):
    CUSTOM = "custom"
    DEFAULT = "default"

    def __str__(self) -> str:
        return str(self.value)
