"""The product's filter language: which contacts of a list or segment a sync imports, stated on
the properties the list maps (`Plan is Free Trial OR Country is USA`).

A filter set is groups of conditions, combined one of two ways:

- `any` ("any of these groups, each all of its conditions"): OR of ANDs;
- `all` ("all of these groups, each any of its conditions"): AND of ORs.

Its meaning is defined once, by the pure evaluator (`evaluate.py`); the README repeats it.
"""

from __future__ import annotations

import enum
from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from app.domain.properties.catalog import PropertyType

MAX_GROUPS = 20
MAX_CONDITIONS = 50  # in a group
MAX_VALUES = 100  # in an "is any of" list


class Combination(enum.StrEnum):
    ANY = "any"  # any group matches; a group matches when all its conditions do
    ALL = "all"  # all groups match; a group matches when any of its conditions does


class Operator(enum.StrEnum):
    # text
    IS = "is"
    IS_NOT = "is_not"
    CONTAINS = "contains"
    NOT_CONTAINS = "does_not_contain"
    STARTS_WITH = "starts_with"
    ENDS_WITH = "ends_with"
    ANY_OF = "is_any_of"
    NONE_OF = "is_none_of"
    # number
    EQ = "="
    NE = "!="
    LT = "<"
    LE = "<="
    GT = ">"
    GE = ">="
    # boolean
    IS_TRUE = "is_true"
    IS_FALSE = "is_false"
    # date
    BEFORE = "before"
    AFTER = "after"
    ON = "on"
    BETWEEN = "between"
    MORE_THAN_DAYS_AGO = "more_than_days_ago"
    LESS_THAN_DAYS_AGO = "less_than_days_ago"
    # every type
    IS_SET = "is_set"
    IS_NOT_SET = "is_not_set"


OPERATORS_BY_TYPE: dict[PropertyType, frozenset[Operator]] = {
    PropertyType.TEXT: frozenset(
        {
            Operator.IS,
            Operator.IS_NOT,
            Operator.CONTAINS,
            Operator.NOT_CONTAINS,
            Operator.STARTS_WITH,
            Operator.ENDS_WITH,
            Operator.ANY_OF,
            Operator.NONE_OF,
            Operator.IS_SET,
            Operator.IS_NOT_SET,
        }
    ),
    PropertyType.NUMBER: frozenset(
        {
            Operator.EQ,
            Operator.NE,
            Operator.LT,
            Operator.LE,
            Operator.GT,
            Operator.GE,
            Operator.IS_SET,
            Operator.IS_NOT_SET,
        }
    ),
    PropertyType.BOOLEAN: frozenset(
        {Operator.IS_TRUE, Operator.IS_FALSE, Operator.IS_SET, Operator.IS_NOT_SET}
    ),
    PropertyType.DATE: frozenset(
        {
            Operator.BEFORE,
            Operator.AFTER,
            Operator.ON,
            Operator.BETWEEN,
            Operator.MORE_THAN_DAYS_AGO,
            Operator.LESS_THAN_DAYS_AGO,
            Operator.IS_SET,
            Operator.IS_NOT_SET,
        }
    ),
}

# What the value of a condition must be, by operator.
NO_VALUE = frozenset({Operator.IS_SET, Operator.IS_NOT_SET, Operator.IS_TRUE, Operator.IS_FALSE})
TEXT_VALUE = frozenset(
    {
        Operator.IS,
        Operator.IS_NOT,
        Operator.CONTAINS,
        Operator.NOT_CONTAINS,
        Operator.STARTS_WITH,
        Operator.ENDS_WITH,
    }
)
TEXT_LIST_VALUE = frozenset({Operator.ANY_OF, Operator.NONE_OF})
NUMBER_VALUE = frozenset(
    {Operator.EQ, Operator.NE, Operator.LT, Operator.LE, Operator.GT, Operator.GE}
)
DATE_VALUE = frozenset({Operator.BEFORE, Operator.AFTER, Operator.ON})
DATE_RANGE_VALUE = frozenset({Operator.BETWEEN})
DAYS_VALUE = frozenset({Operator.MORE_THAN_DAYS_AGO, Operator.LESS_THAN_DAYS_AGO})


class Condition(BaseModel):
    """`property · operator · value`; the value's shape depends on the operator (validate.py)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    property: Annotated[str, Field(min_length=1, max_length=64)]
    operator: Operator
    value: Any = None


class FilterSet(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        json_schema_extra={
            "examples": [
                {
                    "combine": "any",
                    "groups": [
                        [{"property": "plan", "operator": "is", "value": "Free Trial"}],
                        [{"property": "country", "operator": "is", "value": "USA"}],
                    ],
                }
            ]
        },
    )

    combine: Combination = Combination.ANY
    groups: Annotated[
        list[Annotated[list[Condition], Field(min_length=1, max_length=MAX_CONDITIONS)]],
        Field(max_length=MAX_GROUPS),
    ] = Field(default_factory=list, description="No group: every contact of the source.")


class DateRange(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    start: date
    end: date
