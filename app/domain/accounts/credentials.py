"""The credentials a process verified lately, so that each request need not ask PostgreSQL."""

from __future__ import annotations

import uuid

from cachetools import TTLCache


class KnownCredentials:
    """What this process verified in the last `ttl_s` seconds: the account of each API key (by
    the key's hash), and the accounts JWTs provisioned. Spares every request a round trip to
    PostgreSQL; the price is that a revoked key keeps working here for at most `ttl_s`. Only
    successes are kept: a new key works at once, a wrong one is looked up each time."""

    def __init__(self, ttl_s: float, max_entries: int = 10_000) -> None:
        self._accounts: TTLCache[str, uuid.UUID] | None = (
            TTLCache(max_entries, ttl_s) if ttl_s > 0 else None
        )

    def get(self, key: str) -> uuid.UUID | None:
        return None if self._accounts is None else self._accounts.get(key)

    def remember(self, key: str, account_id: uuid.UUID) -> None:
        if self._accounts is not None:
            self._accounts[key] = account_id
