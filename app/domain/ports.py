"""What the domain needs from the outside world. Adapters are wired at the edges."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from app.intercom.models import Me, Segment
from app.intercom.paging import Checkpoint, PartitionedReader


class IntercomWorkspace(Protocol):
    async def me(self) -> Me: ...

    async def list_segments(self, *, include_count: bool = True) -> list[Segment]: ...

    async def count_contacts(self, query: Mapping[str, Any]) -> int: ...

    def reader(
        self,
        query: Mapping[str, Any],
        *,
        timezone: str | None,
        concurrency: int = 8,
        checkpoint: Checkpoint | None = None,
    ) -> PartitionedReader: ...


class IntercomGateway(Protocol):
    def workspace(
        self, token: str, region: str | None = None, *, app_id: str | None = None
    ) -> IntercomWorkspace: ...


class JobQueue(Protocol):
    async def enqueue(self, name: str, *, job_id: str | None = None, **kwargs: Any) -> None: ...


class SecretCipher(Protocol):
    def encrypt(self, plaintext: str) -> bytes: ...

    def decrypt(self, ciphertext: bytes) -> str: ...
