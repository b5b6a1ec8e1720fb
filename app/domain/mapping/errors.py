from __future__ import annotations

import uuid

from app.errors import Conflict, InvalidFields


class MappingNotConfirmed(Conflict):
    """A list is synced only once someone chose what its syncs import: the mapping saved with a
    PUT, or the default mapping accepted with `use_default_mapping`."""

    code = "mapping_not_confirmed"
    title = "The list's mapping was never confirmed"

    def __init__(self, segment_id: uuid.UUID) -> None:
        super().__init__(
            f"Nobody confirmed what syncs of segment {segment_id} import. Either send "
            '`{"use_default_mapping": true}` to accept the default mapping, or review it at '
            "`mapping_url` (PUT it) first.",
            segment_id=str(segment_id),
            choices=["use_default_mapping", "map_first"],
            mapping_url=f"/v1/segments/{segment_id}/mapping",
            suggestions_url=f"/v1/segments/{segment_id}/mapping/suggestions",
        )


class MappingInvalid(InvalidFields):
    """A mapping that breaks the rules; `errors` names every entry at fault, and nothing is
    saved."""

    title = "Invalid mapping"


class MappingWithoutEmail(Conflict):
    """Customers are identified by their email: a run that could not read it would skip every
    contact, so it does not start."""

    code = "mapping_without_email"
    title = "The mapping imports no email"

    def __init__(self, segment_id: object) -> None:
        super().__init__(
            f"The mapping of segment {segment_id} maps no email attribute that Intercom still has "
            "(removed, or missing from the integration's data: refresh it); save a mapping "
            "with one first.",
            segment_id=str(segment_id),
        )


class MappingBreaksFilters(Conflict):
    code = "mapping_breaks_filters"
    title = "The mapping drops a property the list's filters use"

    def __init__(self, segment_id: object, errors: list[dict[str, str]]) -> None:
        super().__init__(
            f"The list's filters name properties this mapping would no longer fill (or fill with "
            f"another type); change the filters of segment {segment_id} first.",
            segment_id=str(segment_id),
            errors=errors,
        )
