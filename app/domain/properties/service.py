"""Customer properties: the default catalog (in code, the same in every account) and the
account's custom ones. `resolve` and `create_custom` are what mappings use."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.models import CustomProperty
from app.domain.properties.catalog import (
    DEFAULT_PROPERTIES,
    DEFAULTS_BY_KEY,
    PropertyType,
    is_default,
)
from app.domain.properties.errors import (
    PropertyInUse,
    PropertyKeyReserved,
    PropertyKeyTaken,
    PropertyNotEditable,
    PropertyNotFound,
)
from app.domain.properties.repository import PropertyRepository
from app.domain.properties.schemas import (
    KEY_RULE,
    PROPERTY_LABEL_MAX_LENGTH,
    PropertyInfo,
    PropertyPage,
    PropertyRead,
    is_key_format,
)
from app.domain.scope import AccountScope
from app.errors import InvalidInput

__all__ = ["PropertyInfo", "create_custom", "resolve"]


def _custom_info(row: CustomProperty) -> PropertyInfo:
    return PropertyInfo(
        key=row.key, label=row.label, type=PropertyType(row.type), default=False, id=row.id
    )


DEFAULT_INFOS = tuple(
    PropertyInfo(key=prop.key, label=prop.label, type=prop.type, default=True)
    for prop in DEFAULT_PROPERTIES
)


async def list_all(session: AsyncSession, account: AccountScope) -> list[PropertyInfo]:
    """The default properties in catalog order, then the account's custom ones by key."""
    custom = await PropertyRepository(session).list_for_account(account)
    return [*DEFAULT_INFOS, *(_custom_info(row) for row in custom)]


async def page(session: AsyncSession, account: AccountScope) -> PropertyPage:
    # One page: an account has tens of properties, not thousands.
    infos = await list_all(session, account)
    return PropertyPage(data=[PropertyRead.of(info) for info in infos], next_cursor=None)


async def resolve(
    session: AsyncSession, account: AccountScope, key: str, *, share_lock: bool = True
) -> PropertyInfo | None:
    """The default or custom property `key` names (exactly: keys are lower snake case), or
    None. With `share_lock` (the default) a custom property stays until the transaction ends:
    a mapping saved in it cannot name a property a concurrent delete removes."""
    if key in DEFAULTS_BY_KEY:
        prop = DEFAULTS_BY_KEY[key]
        return PropertyInfo(key=prop.key, label=prop.label, type=prop.type, default=True)
    if not is_key_format(key):
        return None  # could not have been created; and no NUL reaches PostgreSQL
    row = await PropertyRepository(session).get_for_account(
        account, key, lock="key_share" if share_lock else None
    )
    # The index compares without case; a mapping names the key as it is.
    if row is None or row.key != key:
        return None
    return _custom_info(row)


async def create_custom(
    session: AsyncSession,
    account: AccountScope,
    key: str,
    label: str,
    type: PropertyType,
    *,
    field: str = "body",
) -> PropertyInfo:
    """Creates a custom property. 409 `property_key_reserved` for a default property's key,
    `property_key_taken` for a key the account has (without regard to case; concurrent creates
    of one key: exactly one wins). `field` prefixes the 422's field names (`body.key`) for
    callers whose input is shaped otherwise (a mapping item)."""
    if not is_key_format(key):
        raise InvalidInput(f"{field}.key", KEY_RULE)
    if not label.strip() or len(label) > PROPERTY_LABEL_MAX_LENGTH:
        raise InvalidInput(f"{field}.label", f"must be 1-{PROPERTY_LABEL_MAX_LENGTH} characters")
    if is_default(key):
        raise PropertyKeyReserved(key)
    row = await PropertyRepository(session).insert(
        account, key=key, label=label, type=PropertyType(type).value
    )
    if row is None:
        raise PropertyKeyTaken(key)
    return _custom_info(row)


async def _custom_or_raise(
    session: AsyncSession, account: AccountScope, key: str, action: str, *, lock_for_delete: bool
) -> CustomProperty:
    if key in DEFAULTS_BY_KEY:
        raise PropertyNotEditable(key, action)
    row = None
    if is_key_format(key):
        row = await PropertyRepository(session).get_for_account(
            account, key, lock="update" if lock_for_delete else None
        )
    if row is None or row.key != key:
        raise PropertyNotFound(key)
    return row


async def get(session: AsyncSession, account: AccountScope, key: str) -> PropertyInfo:
    info = await resolve(session, account, key, share_lock=False)
    if info is None:
        raise PropertyNotFound(key)
    return info


async def rename(
    session: AsyncSession, account: AccountScope, key: str, label: str
) -> PropertyInfo:
    row = await _custom_or_raise(session, account, key, "renamed", lock_for_delete=False)
    row.label = label
    await session.flush()
    return _custom_info(row)


async def delete(session: AsyncSession, account: AccountScope, key: str) -> None:
    """409 `property_in_use` while a saved mapping of a list or segment names it."""
    repository = PropertyRepository(session)
    # Locked first: a mapping save that resolved the property holds it (KEY SHARE) until it
    # commits, so the check below sees that mapping; one that resolves later finds it gone.
    row = await _custom_or_raise(session, account, key, "deleted", lock_for_delete=True)
    users = await repository.segments_mapping(account, row.key)
    if users:
        raise PropertyInUse(
            row.key,
            [
                {"id": str(s.id), "name": s.name, "integration_id": str(s.integration_id)}
                for s in users
            ],
        )
    await repository.delete(account, row.id)
    await session.flush()
