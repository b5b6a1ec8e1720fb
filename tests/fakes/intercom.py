"""An in-memory Intercom workspace that implements the domain's ports (app/domain/ports.py):
honest enough for the runner's tests (search by role or segment, pages, resumable checkpoints),
with faults on demand. Behaviour against Intercom itself is tested with the sandbox."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from app.intercom.client import Usage
from app.intercom.models import Contact, DataAttribute, MalformedContact, Me, Segment
from app.intercom.paging import Checkpoint, Partition


def contact(contact_id: str, **fields: Any) -> Contact:
    values: dict[str, Any] = {"role": "user", "updated_at": 1_700_000_000, **fields}
    values.setdefault("email", f"{contact_id}@example.com")
    return Contact.model_validate({"id": contact_id, **values})


@dataclass
class FakePage:
    contacts: list[Contact | MalformedContact]


@dataclass
class FakeWorkspace:
    contacts: Sequence[Contact | MalformedContact] = field(default_factory=list)
    segments: dict[str, set[str]] = field(default_factory=dict)
    attributes: list[DataAttribute] = field(default_factory=list)
    page_size: int = 3
    # Raised by the reader once it has handed out this many pages (in total, for this object).
    fail_after_pages: int | None = None
    failure: Exception | None = None
    pages_served: int = 0
    # Raised by the listing calls a refresh makes (segments, counts, data attributes).
    listing_failure: Exception | None = None
    # Listed as they are, instead of `segments` (Intercom sending something odd).
    listed_segments: list[Segment] | None = None
    usage: Usage = field(default_factory=Usage)
    # Contacts that exist in the workspace without being in `contacts` (left every list read):
    # `contact_exists` finds them and those of `contacts`.
    elsewhere: set[str] = field(default_factory=set)
    # Events created (POST /events): (name, created_at, contact id, metadata).
    events: list[tuple[str, int, str, dict[str, Any]]] = field(default_factory=list)

    @property
    def existing(self) -> set[str]:
        return self.elsewhere | {c.id for c in self.contacts if c.id}

    async def me(self) -> Me:
        return Me.model_validate(
            {"type": "admin", "id": "1", "app": {"id_code": "fake", "name": "Fake"}}
        )

    async def list_segments(self, *, include_count: bool = True) -> list[Segment]:
        if self.listing_failure is not None:
            raise self.listing_failure
        if self.listed_segments is not None:
            return self.listed_segments
        return [
            Segment(id=key, name=key, person_type="user", count=len(ids))
            for key, ids in self.segments.items()
        ]

    async def contact_exists(self, contact_id: str) -> bool:
        self.usage.requests += 1
        return contact_id in self.existing

    async def create_event(
        self,
        *,
        event_name: str,
        created_at: int,
        contact_id: str,
        metadata: Mapping[str, Any] | None = None,
    ) -> None:
        self.events.append((event_name, created_at, contact_id, dict(metadata or {})))

    async def contact_segment_ids(self, contact_id: str) -> set[str]:
        return {key for key, members in self.segments.items() if contact_id in members}

    async def count_contacts(self, query: Mapping[str, Any]) -> int:
        self.usage.requests += 1
        if self.listing_failure is not None:
            raise self.listing_failure
        return len(self.matching(query))

    async def list_data_attributes(self, *, include_archived: bool = False) -> list[DataAttribute]:
        if self.listing_failure is not None:
            raise self.listing_failure
        return [a for a in self.attributes if include_archived or not a.archived]

    def matching(self, query: Mapping[str, Any]) -> list[Contact | MalformedContact]:
        if query.get("operator") == "AND":
            # Only what removals ask: the list's query AND `id IN [...]`.
            found = self.contacts
            for part in query["value"]:
                if part.get("field") == "id" and part.get("operator") == "IN":
                    found = [c for c in found if c.id in part["value"]]
                else:
                    kept = {c.id for c in self.matching(part)}
                    found = [c for c in found if c.id in kept]
            return list(found)
        field_name, value = query["field"], query["value"]
        if field_name == "role":
            # A malformed item has no role to search by: every search returns it.
            return [c for c in self.contacts if getattr(c, "role", value) == value]
        if field_name == "segment_id":
            return [c for c in self.contacts if c.id in self.segments.get(value, set())]
        raise NotImplementedError(f"the fake searches by role or segment_id, not {field_name}")

    def reader(
        self,
        query: Mapping[str, Any],
        *,
        timezone: str | None,
        concurrency: int = 8,
        checkpoint: Checkpoint | None = None,
        custom_attribute_types: Mapping[str, str] | None = None,
    ) -> FakeReader:
        start = 0
        if checkpoint is not None:
            start = int(checkpoint.partitions[0].cursor or 0)
        return FakeReader(self, self.matching(query), start)


class FakeReader:
    def __init__(
        self, workspace: FakeWorkspace, contacts: list[Contact | MalformedContact], start: int
    ) -> None:
        self._workspace = workspace
        self._contacts = contacts
        self._position = start

    def checkpoint(self) -> Checkpoint:
        done = self._position >= len(self._contacts)
        return Checkpoint([Partition(None, None, cursor=str(self._position), done=done)])

    async def pages(self) -> AsyncGenerator[FakePage, None]:
        size = self._workspace.page_size
        while self._position < len(self._contacts):
            workspace = self._workspace
            if workspace.fail_after_pages is not None and (
                workspace.pages_served >= workspace.fail_after_pages
            ):
                raise workspace.failure or RuntimeError("injected failure")
            workspace.usage.requests += 1
            page = self._contacts[self._position : self._position + size]
            self._position += len(page)
            workspace.pages_served += 1
            yield FakePage(page)


@dataclass
class FakeGateway:
    """Opens the workspace registered for an app id, else the default one."""

    default: FakeWorkspace
    by_app_id: dict[str, FakeWorkspace] = field(default_factory=dict)

    def workspace(
        self, token: str, region: str | None = None, *, app_id: str | None = None
    ) -> FakeWorkspace:
        return self.by_app_id.get(app_id or "", self.default)
