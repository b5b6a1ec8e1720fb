"""Bearer authentication: an account API key, or a JWT signed by the main product."""

from __future__ import annotations

import hmac
import uuid
from typing import cast

import jwt
from pydantic import SecretStr
from sqlalchemy import String

from app.adapters import Adapters
from app.config import Settings
from app.domain.accounts import credentials
from app.domain.accounts import service as account_service
from app.domain.models import Account
from app.domain.scope import AccountScope
from app.domain.types import clean_name
from app.errors import Unauthenticated

# Read from the model, so that a migration widening the column needs no change here.
ACCOUNT_NAME_MAX_LENGTH = cast(String, Account.__table__.c.name.type).length


def _account_name(claim: object) -> str | None:
    """The `name` claim is the product's to set, so it is trusted for what it says, not for its
    shape: anything but a string is ignored (the account id stands in), and a string is made to
    fit the column rather than failing every request that carries the token."""
    if not isinstance(claim, str):
        return None
    return clean_name(claim, max_length=ACCOUNT_NAME_MAX_LENGTH)


def _verify_jwt(token: str, settings: Settings) -> tuple[uuid.UUID, str | None]:
    keys: list[tuple[str, str]] = []
    if settings.jwt_hs256_secret is not None:
        keys.append(("HS256", settings.jwt_hs256_secret.get_secret_value()))
    if settings.jwt_rs256_public_key is not None:
        keys.append(("RS256", settings.jwt_rs256_public_key.get_secret_value()))
    if not keys:
        raise Unauthenticated("The bearer token is not a valid API key.")
    try:
        algorithm = jwt.get_unverified_header(token).get("alg")
    except jwt.PyJWTError:
        raise Unauthenticated("The bearer token is neither an API key nor a JWT.") from None
    key = next((value for alg, value in keys if alg == algorithm), None)
    if key is None or not isinstance(algorithm, str):
        raise Unauthenticated(f"JWTs signed with {algorithm} are not accepted.")
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=[algorithm],
            audience=settings.jwt_audience,
            issuer=settings.jwt_issuer,
            options={"require": ["sub", "exp"], "verify_aud": settings.jwt_audience is not None},
        )
        return uuid.UUID(str(claims["sub"])), _account_name(claims.get("name"))
    except (jwt.PyJWTError, ValueError) as exc:
        raise Unauthenticated(f"The JWT is not valid: {exc}") from None


def is_bearer_of(given: str, expected: SecretStr | None) -> bool:
    """A deployment's own bearer token (the internal API's, the metrics'), compared in constant
    time; an unset token refuses everything rather than accepting an empty one."""
    return expected is not None and hmac.compare_digest(
        given.encode(), expected.get_secret_value().encode()
    )


async def authenticate(adapters: Adapters, token: str | None) -> AccountScope:
    """`token` is the bearer credential; None when the header is missing or not a bearer."""
    token = (token or "").strip()
    if not token:
        raise Unauthenticated("Send `Authorization: Bearer <API key or JWT>`.")
    known = adapters.known_credentials
    # On the direct pool, not a request session: the route's session may hold a turn of
    # `request_turns` already, and a key that is not cached (a wrong one never is) must not take
    # connections from the sessions' pool outside its queue.
    if token.startswith(account_service.API_KEY_PREFIX):
        key_hash = account_service.hash_api_key(token)
        account_id = known.get(key_hash)
        if account_id is None:
            async with adapters.direct.connection() as connection:
                account_id = await credentials.account_of_key(connection, key_hash)
            if account_id is None:
                raise Unauthenticated("The API key is not valid.")
            known.remember(key_hash, account_id)
        return AccountScope(account_id)
    account_id, name = _verify_jwt(token, adapters.settings)
    if known.get(f"jwt:{account_id}") is None:
        async with adapters.direct.connection() as connection:
            await credentials.provision(connection, account_id, name or str(account_id))
        known.remember(f"jwt:{account_id}", account_id)
    return AccountScope(account_id)
