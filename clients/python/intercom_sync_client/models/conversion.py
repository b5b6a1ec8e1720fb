from enum import StrEnum


class Conversion(StrEnum):
    BOOLEAN = "boolean"
    BOOLEAN_FROM_TEXT = "boolean_from_text"
    DATE_FROM_TEXT = "date_from_text"
    DATE_FROM_UNIX = "date_from_unix"
    NUMBER = "number"
    NUMBER_FROM_TEXT = "number_from_text"
    TEXT = "text"

    def __str__(self) -> str:
        return str(self.value)
