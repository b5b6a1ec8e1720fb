"""A run's filters as a predicate on the values its mapping made of a contact."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from app.domain.filters.evaluate import Clock, matches
from app.domain.filters.validate import compile_filters
from app.domain.mapping.config import RunConfig
from app.domain.mapping.conversions import CONVERSIONS
from app.domain.properties.catalog import PropertyType

Predicate = Callable[[Mapping[str, Any]], bool]

# Each conversion yields one property type (the conversion table's right-hand side).
_TYPE_OF_CONVERSION = {conversion: kind for (_, kind), conversion in CONVERSIONS.items()}


def property_types(config: RunConfig) -> dict[str, PropertyType]:
    """The properties the run's mapping fills, with their types."""
    return {entry.property: _TYPE_OF_CONVERSION[entry.conversion] for entry in config.mapping}


def predicate(config: RunConfig) -> Predicate | None:
    """None when the run imports every contact. Raises FiltersInvalid when the filters name a
    property the mapping no longer fills (checked when the run starts)."""
    if config.filters is None or not config.filters.groups:
        return None
    compiled = compile_filters(config.filters, property_types(config))
    clock = Clock.at(config.started_at or datetime.now(UTC), config.timezone)
    return lambda values: matches(compiled, values, clock)
