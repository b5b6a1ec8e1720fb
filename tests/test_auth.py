"""JWT verification with the product's RS256 public key (HS256 is covered over HTTP), and the
account a JWT provisions."""

from __future__ import annotations

import time
import uuid

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.api.auth import _verify_jwt
from app.config import Settings
from app.domain.models import Account
from app.errors import Unauthenticated
from tests.conftest import JWT_SECRET


def rsa_pair() -> tuple[bytes, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private, public.decode()


@pytest.fixture(scope="module")
def keys() -> tuple[bytes, str]:
    return rsa_pair()


def rs256_settings(public_key: str, **extra: str) -> Settings:
    return Settings(
        _env_file=None,
        jwt_rs256_public_key=SecretStr(public_key),
        **extra,  # type: ignore[arg-type]
    )


def test_an_rs256_jwt_from_the_product_names_its_account(keys: tuple[bytes, str]) -> None:
    private, public = keys
    account_id = uuid.uuid4()
    token = jwt.encode(
        {"sub": str(account_id), "exp": int(time.time()) + 60, "name": "Acme"},
        private,
        algorithm="RS256",
    )
    assert _verify_jwt(token, rs256_settings(public)) == (account_id, "Acme")


def test_audience_and_issuer_are_checked_when_configured(keys: tuple[bytes, str]) -> None:
    private, public = keys
    settings = rs256_settings(public, jwt_audience="intercom-sync", jwt_issuer="nps")
    claims = {"sub": str(uuid.uuid4()), "exp": int(time.time()) + 60}
    good = jwt.encode({**claims, "aud": "intercom-sync", "iss": "nps"}, private, "RS256")
    wrong = jwt.encode({**claims, "aud": "billing", "iss": "nps"}, private, "RS256")
    assert _verify_jwt(good, settings)[0] == uuid.UUID(claims["sub"])  # type: ignore[arg-type]
    with pytest.raises(Unauthenticated):
        _verify_jwt(wrong, settings)


@pytest.mark.parametrize(
    "claims",
    [
        {"exp": 4_000_000_000},  # no subject
        {"sub": "not-a-uuid", "exp": 4_000_000_000},
        {"sub": str(uuid.uuid4())},  # no expiry
    ],
)
def test_jwts_without_a_valid_subject_or_expiry_are_refused(
    keys: tuple[bytes, str], claims: dict[str, object]
) -> None:
    private, public = keys
    with pytest.raises(Unauthenticated):
        _verify_jwt(jwt.encode(claims, private, "RS256"), rs256_settings(public))


def test_an_hs256_token_is_refused_when_only_rs256_is_configured(keys: tuple[bytes, str]) -> None:
    _, public = keys
    # The classic confusion attack: HS256 signed with the public key as the secret.
    forged = jwt.encode({"sub": str(uuid.uuid4()), "exp": 4_000_000_000}, "x" * 32, "HS256")
    with pytest.raises(Unauthenticated):
        _verify_jwt(forged, rs256_settings(public))


@pytest.mark.parametrize(
    ("name", "stored"),
    [
        (12345, None),
        ({"first": "Acme"}, None),
        ("   ", None),
        ("x" * 10_000, "x" * 200),
        ("Acme\x00NPS\u0085", "Acme NPS"),
        ("  Acme \ud800 ", "Acme"),
    ],
    ids=["number", "object", "blank", "10k-chars", "controls", "lone-surrogate"],
)
async def test_a_jwt_name_claim_of_any_shape_authenticates_and_names_the_account_sanely(
    http: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    name: object,
    stored: str | None,
) -> None:
    account_id = uuid.uuid4()
    token = jwt.encode(
        {"sub": str(account_id), "exp": 4_000_000_000, "name": name}, JWT_SECRET, "HS256"
    )
    for _ in range(2):  # the request that provisions the account, and one after it
        response = await http.get("/v1/integrations", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200, response.text
    async with sessionmaker() as session:
        account = await session.get(Account, account_id)
    assert account is not None
    assert account.name == (stored or str(account_id))
