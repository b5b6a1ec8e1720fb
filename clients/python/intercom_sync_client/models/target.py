from enum import StrEnum


class Target(StrEnum):
    EMAIL = "email"
    NAME = "name"
    PHONE = "phone"
    PROPERTIES = "properties"

    def __str__(self) -> str:
        return str(self.value)
