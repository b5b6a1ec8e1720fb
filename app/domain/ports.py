"""What the domain needs from the outside world, as small Protocols the domain owns. Adapters
are wired at the edges (app/adapters.py); tests may use honest fakes (tests/fakes/)."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from app.intercom.client import Usage
from app.intercom.models import Contact, DataAttribute, MalformedContact, Me, Segment
from app.intercom.paging import Checkpoint


class ContactPage(Protocol):
    @property
    def contacts(self) -> Sequence[Contact | MalformedContact]: ...


class ContactReader(Protocol):
    """Every contact of one search, page by page, resumable from `checkpoint()`."""

    def pages(self) -> AsyncGenerator[ContactPage, None]: ...

    def checkpoint(self) -> Checkpoint: ...


class IntercomWorkspace(Protocol):
    @property
    def usage(self) -> Usage:
        """What was asked of Intercom through this object so far (a run reports it)."""
        ...

    async def me(self) -> Me: ...

    async def list_segments(self, *, include_count: bool = True) -> list[Segment]: ...

    async def count_contacts(self, query: Mapping[str, Any]) -> int: ...

    async def contact_exists(self, contact_id: str) -> bool: ...

    async def contact_segment_ids(self, contact_id: str) -> set[str]: ...

    async def create_event(
        self,
        *,
        event_name: str,
        created_at: int,
        contact_id: str,
        metadata: Mapping[str, Any] | None = None,
    ) -> None: ...

    async def list_data_attributes(
        self, *, include_archived: bool = False
    ) -> list[DataAttribute]: ...

    def reader(
        self,
        query: Mapping[str, Any],
        *,
        timezone: str | None,
        concurrency: int = 8,
        checkpoint: Checkpoint | None = None,
        custom_attribute_types: Mapping[str, str] | None = None,
    ) -> ContactReader: ...


class IntercomGateway(Protocol):
    def workspace(
        self, token: str, region: str | None = None, *, app_id: str | None = None
    ) -> IntercomWorkspace: ...


class JobQueue(Protocol):
    async def enqueue(
        self, name: str, *, job_id: str, defer_until: datetime | None = None, **kwargs: Any
    ) -> None: ...


class SecretCipher(Protocol):
    """`decrypt` raises ValueError when no configured key opens the ciphertext."""

    def encrypt(self, plaintext: str) -> bytes: ...

    def decrypt(self, ciphertext: bytes) -> str: ...


class IntercomAuthorizer(Protocol):
    """Intercom's OAuth (INTERCOM.md §1.2): where to send the admin, and the code's exchange."""

    def authorize_url(self, *, state: str, redirect_uri: str) -> str: ...

    async def exchange_code(self, code: str) -> str:
        """The access token the code grants; IntercomInvalidRequest when Intercom refuses the
        code (invalid, used or expired)."""
        ...
