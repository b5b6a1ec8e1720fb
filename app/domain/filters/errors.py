from __future__ import annotations

from app.errors import Conflict


class FiltersOutOfDate(Conflict):
    """The list's saved filters name properties its mapping no longer fills (the mapping changed
    since): a run would select other contacts than the filters say, so it does not start."""

    code = "filters_out_of_date"
    title = "The list's filters do not fit its mapping"

    def __init__(self, segment_id: object, errors: list[dict[str, str]]) -> None:
        super().__init__(
            f"The filters of segment {segment_id} name properties its mapping no longer fills; "
            "save the filters again (or map those properties).",
            segment_id=str(segment_id),
            errors=errors,
        )
