from enum import StrEnum


class SegmentSort(StrEnum):
    AUTO_SYNC = "auto_sync"
    COUNT = "count"
    LAST_SYNC = "last_sync"
    TYPE = "type"
    VALUE_1 = "-type"
    VALUE_3 = "-count"
    VALUE_5 = "-auto_sync"
    VALUE_7 = "-last_sync"

    def __str__(self) -> str:
        return str(self.value)
