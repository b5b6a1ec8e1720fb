"""The customer properties a mapping may name, as a mapping sees them: a view over
`app.domain.properties` that adds where each property's value lands on the customer."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.properties import service as properties
from app.domain.properties.catalog import DEFAULTS_BY_KEY, PropertyType, Target, is_default
from app.domain.properties.schemas import PROPERTY_KEY_MAX_LENGTH, is_key_format
from app.domain.scope import AccountScope

PROPERTY_KEY_PATTERN = r"^[a-z][a-z0-9_]*$"

__all__ = ["PROPERTY_KEY_MAX_LENGTH", "PROPERTY_KEY_PATTERN", "PropertyInfo"]


@dataclass(frozen=True)
class PropertyInfo:
    key: str
    label: str
    type: PropertyType
    target: Target
    default: bool


def _view(info: properties.PropertyInfo) -> PropertyInfo:
    target = DEFAULTS_BY_KEY[info.key].target if info.default else Target.PROPERTIES
    return PropertyInfo(info.key, info.label, info.type, target, info.default)


def is_valid_key(key: str) -> bool:
    return is_key_format(key)


def is_default_key(key: str) -> bool:
    return is_default(key)


async def all_properties(session: AsyncSession, account: AccountScope) -> dict[str, PropertyInfo]:
    """Every property of the account by key: the defaults first, then the custom ones."""
    return {info.key: _view(info) for info in await properties.list_all(session, account)}


async def lock_named(
    session: AsyncSession, account: AccountScope, keys: Sequence[str]
) -> list[str]:
    """Share-locks the custom properties among `keys` (in key order, the same in every
    transaction); returns those that no longer exist."""
    gone = []
    for key in sorted({key for key in keys if not is_default(key)}):
        if await properties.resolve(session, account, key, share_lock=True) is None:
            gone.append(key)
    return gone


async def create_custom(
    session: AsyncSession, account: AccountScope, key: str, label: str, type: PropertyType
) -> PropertyInfo:
    """A new custom property (the properties service's rules and 409s)."""
    return _view(await properties.create_custom(session, account, key, label, type))
