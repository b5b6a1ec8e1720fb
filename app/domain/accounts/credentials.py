"""The credentials a process verified lately, so that each request need not ask PostgreSQL."""

from __future__ import annotations

import uuid

from cachetools import TTLCache

from app.db import DirectConnection


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


# Each its own transaction, on the API's direct pool (app.db.DirectPool): authentication is on
# every request's path, and takes no turn of the request sessions' pool.
_ACCOUNT_OF_KEY = "SELECT account_id FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL"
_PROVISION = (
    "INSERT INTO accounts (id, name, nps_campaigns) VALUES ($1, $2, 0) ON CONFLICT (id) DO NOTHING"
)


async def account_of_key(connection: DirectConnection, key_hash: str) -> uuid.UUID | None:
    account_id: uuid.UUID | None = await connection.fetchval(_ACCOUNT_OF_KEY, key_hash)
    return account_id


async def provision(connection: DirectConnection, account_id: uuid.UUID, name: str) -> None:
    """Accounts are owned by the main product: the first JWT that names one provisions it."""
    await connection.execute(_PROVISION, account_id, name)
