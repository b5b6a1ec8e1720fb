"""What the domain needs from the outside world. Adapters are wired at the edges."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any, Protocol

from app.intercom.models import ContactList, Me, Segment


class IntercomWorkspace(Protocol):
    async def me(self) -> Me: ...

    async def list_segments(self, *, include_count: bool = True) -> list[Segment]: ...

    async def count_contacts(self, query: Mapping[str, Any]) -> int: ...

    def search_contact_pages(
        self, query: Mapping[str, Any], *, starting_after: str | None = None
    ) -> AsyncIterator[ContactList]: ...


class IntercomGateway(Protocol):
    def workspace(self, token: str, region: str | None = None) -> IntercomWorkspace: ...


class JobQueue(Protocol):
    async def enqueue(self, name: str, *, job_id: str | None = None, **kwargs: Any) -> None: ...


class SecretCipher(Protocol):
    def encrypt(self, plaintext: str) -> bytes: ...

    def decrypt(self, ciphertext: bytes) -> str: ...
