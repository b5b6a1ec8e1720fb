"""The customer properties a mapping may name: the default ones (the catalog) and the account's
custom ones. A stand-in for `app.domain.properties.service` (built on another branch: `resolve`,
`create_custom`), kept to this one module so that the swap at merge touches nothing else."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.mapping.errors import PropertyKeyTaken
from app.domain.models import CustomProperty
from app.domain.properties.catalog import DEFAULT_PROPERTIES, PropertyType, Target, is_default
from app.domain.scope import AccountScope

PROPERTY_KEY_PATTERN = r"^[a-z][a-z0-9_]*$"
PROPERTY_KEY_MAX_LENGTH = 64
_KEY = re.compile(PROPERTY_KEY_PATTERN)


@dataclass(frozen=True)
class PropertyInfo:
    key: str
    label: str
    type: PropertyType
    target: Target
    default: bool


def _custom(row: CustomProperty) -> PropertyInfo:
    return PropertyInfo(row.key, row.label, PropertyType(row.type), Target.PROPERTIES, False)


DEFAULT_INFOS = tuple(
    PropertyInfo(prop.key, prop.label, prop.type, prop.target, True) for prop in DEFAULT_PROPERTIES
)


def is_valid_key(key: str) -> bool:
    return len(key) <= PROPERTY_KEY_MAX_LENGTH and _KEY.match(key) is not None


async def all_properties(session: AsyncSession, account: AccountScope) -> dict[str, PropertyInfo]:
    """Every property of the account by key: the defaults first, then the custom ones."""
    rows = await session.scalars(
        select(CustomProperty)
        .where(CustomProperty.account_id == account.id)
        .order_by(CustomProperty.key)
    )
    return {
        **{info.key: info for info in DEFAULT_INFOS},
        **{row.key: _custom(row) for row in rows},
    }


async def key_taken(session: AsyncSession, account: AccountScope, key: str) -> bool:
    if is_default(key):
        return True
    found = await session.scalar(
        select(CustomProperty.id).where(
            CustomProperty.account_id == account.id,
            func.lower(CustomProperty.key) == key.lower(),
        )
    )
    return found is not None


async def create_custom(
    session: AsyncSession, account: AccountScope, key: str, label: str, type: PropertyType
) -> PropertyInfo:
    """A new custom property; 409 `property_key_taken` when the key (whatever its case) is a
    default one or the account's already. The caller validated the key's shape."""
    if await key_taken(session, account, key):
        raise PropertyKeyTaken(key)
    row = CustomProperty(id=uuid.uuid4(), account_id=account.id, key=key, label=label, type=type)
    try:
        # A savepoint: a concurrent insert of the same key fails this one alone.
        async with session.begin_nested():
            session.add(row)
            await session.flush()
    except IntegrityError:
        raise PropertyKeyTaken(key) from None
    return _custom(row)


def is_default_key(key: str) -> bool:
    return is_default(key)
