"""Accounts and their API keys. Keys are 256 random bits; only their SHA-256 is stored."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.accounts.repository import AccountRepository
from app.domain.models import Account, ApiKey
from app.errors import NotFound

API_KEY_PREFIX = "isk_"
# Far above any real account: the bound keeps the quota arithmetic and the column sane.
MAX_NPS_CAMPAIGNS = 1_000_000


@dataclass(frozen=True)
class NewAccount:
    account: Account
    api_key: str


def hash_api_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


async def create_account(session: AsyncSession, name: str, *, nps_campaigns: int = 0) -> NewAccount:
    account = Account(name=name, nps_campaigns=nps_campaigns)
    session.add(account)
    await session.flush()
    key = await issue_api_key(session, account.id)
    return NewAccount(account=account, api_key=key)


async def issue_api_key(session: AsyncSession, account_id: uuid.UUID) -> str:
    key = API_KEY_PREFIX + secrets.token_urlsafe(32)
    session.add(
        ApiKey(
            account_id=account_id,
            key_hash=hash_api_key(key),
            prefix=key[:10],
            created_at=datetime.now(UTC),
        )
    )
    await session.flush()
    return key


async def revoke_api_key(session: AsyncSession, key_or_prefix: str) -> int:
    """Revokes the key given whole, or the live key listed by its first 10 characters (refused
    when two share them). Returns how many were revoked (0 or 1)."""
    repository = AccountRepository(session)
    if key_or_prefix.startswith(API_KEY_PREFIX) and len(key_or_prefix) > 16:
        return await repository.revoke_keys(key_hash=hash_api_key(key_or_prefix))
    if len(key_or_prefix) < 10:
        raise ValueError("give the key, or its first 10 characters at least")
    revoked = await repository.revoke_keys(prefix=key_or_prefix[:10])
    if revoked < 0:
        raise ValueError(f"{-revoked} live keys start so: give the whole key")
    return revoked


class AccountNotFound(NotFound):
    def __init__(self, account_id: uuid.UUID) -> None:
        super().__init__("Account", account_id)


async def get(session: AsyncSession, account_id: uuid.UUID, *, lock: bool = False) -> Account:
    account = await AccountRepository(session).get(account_id, lock=lock)
    if account is None:
        raise AccountNotFound(account_id)
    return account


async def set_nps_campaigns(session: AsyncSession, account_id: uuid.UUID, count: int) -> Account:
    """The main product reports how many NPS campaigns an account runs (it drives the auto-sync
    quota). Lists already on stay on when the count drops; switching more on is refused."""
    account = await get(session, account_id, lock=True)
    account.nps_campaigns = count
    await session.flush()
    return account
