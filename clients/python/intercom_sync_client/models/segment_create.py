from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..models.segment_source import SegmentSource

T = TypeVar("T", bound="SegmentCreate")


@_attrs_define
class SegmentCreate:
    """A custom segment: a main list (its filters come with the filter feature; until then it
    matches its whole source).

        Attributes:
            name (str):
            source (SegmentSource): The main list a list or segment takes its contacts from.
    """

    name: str
    source: SegmentSource

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        source = self.source.value

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "name": name,
                "source": source,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        name = d.pop("name")

        source = SegmentSource(d.pop("source"))

        segment_create = cls(
            name=name,
            source=source,
        )

        return segment_create
