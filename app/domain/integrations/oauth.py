"""Connecting a workspace with Intercom OAuth: start (a signed, single-use state bound to the
account and redirect) and callback (the state checked and consumed, the code exchanged, then
the same connect as with an access token)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.integrations import service
from app.domain.integrations.errors import (
    OAuthClientRejected,
    OAuthCodeRejected,
    OAuthRedirectNotAllowed,
    OAuthStateExpired,
    OAuthStateInvalid,
    OAuthStateUnknown,
    OAuthStateUsed,
)
from app.domain.integrations.repository import IntegrationRepository
from app.domain.integrations.schemas import OAuthCallback, OAuthStart, OAuthStarted
from app.domain.models.integrations import OAuthState
from app.domain.ports import IntercomAuthorizer, IntercomGateway, SecretCipher
from app.domain.scope import AccountScope
from app.intercom.errors import IntercomAuthError, IntercomInvalidRequest, IntercomNotFound

# Who the signed state is for: a JWT signed with the same key for another purpose is refused.
STATE_AUDIENCE = "intercom-sync:oauth-state"
STATE_ALGORITHM = "HS256"


@dataclass(frozen=True)
class OAuthPolicy:
    redirect_uris: Sequence[str]
    # The first signs, all verify (see Settings.oauth_state_keys).
    state_keys: Sequence[bytes]
    state_ttl: timedelta


def sign_state(state_id: uuid.UUID, expires_at: datetime, key: bytes) -> str:
    claims = {"sid": str(state_id), "exp": int(expires_at.timestamp()), "aud": STATE_AUDIENCE}
    return jwt.encode(claims, key, algorithm=STATE_ALGORITHM)


def read_state(state: str, keys: Sequence[bytes]) -> uuid.UUID:
    """The state row's id the signed state carries."""
    for key in keys:
        try:
            # The signature is checked before the claims: an expired state is one of ours.
            claims = jwt.decode(
                state,
                key,
                algorithms=[STATE_ALGORITHM],
                audience=STATE_AUDIENCE,
                options={"require": ["exp", "aud", "sid"]},
            )
        except jwt.InvalidSignatureError:
            continue
        except jwt.ExpiredSignatureError:
            raise OAuthStateExpired from None
        except jwt.PyJWTError:
            raise OAuthStateInvalid from None
        try:
            return uuid.UUID(str(claims["sid"]))
        except ValueError:
            raise OAuthStateInvalid from None
    raise OAuthStateInvalid


async def start(
    session: AsyncSession,
    account: AccountScope,
    data: OAuthStart,
    *,
    policy: OAuthPolicy,
    authorizer: IntercomAuthorizer,
) -> OAuthStarted:
    # Exact match: a prefix or pattern would let a look-alike path receive the code.
    if data.redirect_uri not in policy.redirect_uris:
        raise OAuthRedirectNotAllowed
    repository = IntegrationRepository(session)
    # Said now rather than after the admin went through Intercom's consent screen.
    service.ensure_connectable(await repository.list_for_account(account))
    await repository.delete_stale_oauth_states(account)
    now = datetime.now(UTC)
    row = OAuthState(
        id=uuid.uuid4(),
        account_id=account.id,
        redirect_uri=data.redirect_uri,
        name=data.name,
        created_at=now,
        expires_at=now + policy.state_ttl,
    )
    session.add(row)
    await session.flush()
    state = sign_state(row.id, row.expires_at, policy.state_keys[0])
    return OAuthStarted(
        authorize_url=authorizer.authorize_url(state=state, redirect_uri=data.redirect_uri),
        state=state,
        expires_at=row.expires_at,
    )


async def complete(
    session: AsyncSession,
    account: AccountScope,
    data: OAuthCallback,
    *,
    policy: OAuthPolicy,
    authorizer: IntercomAuthorizer,
    intercom: IntercomGateway,
    cipher: SecretCipher,
) -> service.Connection:
    state_id = read_state(data.state, policy.state_keys)
    repository = IntegrationRepository(session)
    # Checked first, consumed only once Intercom has answered: no lock or write waits on
    # Intercom (see service.read_workspace). Consumed in the request's transaction: if the
    # connect fails, the state is left unused (the code, single use at Intercom, is not).
    if not await repository.oauth_state_usable(account, state_id):
        raise await _why_refused(repository, account, state_id)
    try:
        token = await authorizer.exchange_code(data.code.get_secret_value())
    except (IntercomInvalidRequest, IntercomNotFound) as exc:
        raise OAuthCodeRejected from exc
    except IntercomAuthError as exc:
        # The token endpoint answers 401 to client credentials it does not know.
        raise OAuthClientRejected from exc
    me = await intercom.workspace(token).me()
    snapshot = await service.read_workspace(session, account, me, token=token, intercom=intercom)
    # Atomic: of two callbacks with one state, only one gets past this.
    row = await repository.consume_oauth_state(account, state_id)
    if row is None:
        raise await _why_refused(repository, account, state_id)
    return await service.connect(
        session,
        account,
        me,
        snapshot,
        token=token,
        name=row.name,
        auth_method="oauth",
        cipher=cipher,
    )


async def _why_refused(
    repository: IntegrationRepository, account: AccountScope, state_id: uuid.UUID
) -> Exception:
    row = await repository.get_oauth_state(account, state_id)
    if row is None:
        return OAuthStateUnknown()
    if row.consumed_at is not None:
        return OAuthStateUsed()
    return OAuthStateExpired()
