from enum import StrEnum


class Operator(StrEnum):
    AFTER = "after"
    BEFORE = "before"
    BETWEEN = "between"
    CONTAINS = "contains"
    DOES_NOT_CONTAIN = "does_not_contain"
    ENDS_WITH = "ends_with"
    IS = "is"
    IS_ANY_OF = "is_any_of"
    IS_FALSE = "is_false"
    IS_NONE_OF = "is_none_of"
    IS_NOT = "is_not"
    IS_NOT_SET = "is_not_set"
    IS_SET = "is_set"
    IS_TRUE = "is_true"
    LESS_THAN_DAYS_AGO = "less_than_days_ago"
    MORE_THAN_DAYS_AGO = "more_than_days_ago"
    ON = "on"
    STARTS_WITH = "starts_with"
    VALUE_10 = "<"
    VALUE_11 = "<="
    VALUE_12 = ">"
    VALUE_13 = ">="
    VALUE_8 = "="
    VALUE_9 = "!="

    def __str__(self) -> str:
        return str(self.value)
