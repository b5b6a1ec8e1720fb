"""Intercom OAuth (INTERCOM.md §1.2): the authorize URL and the code-for-token exchange.

The exchange is not retried: a code is single use, so a retry after a failure whose request
reached Intercom would only be refused. The admin starts the connect again instead.
"""

from __future__ import annotations

from urllib.parse import urlencode

import httpx
import structlog
from pydantic import SecretStr, ValidationError

from app.intercom.client import REGION_BASE_URLS, _raise_for_error
from app.intercom.errors import IntercomTransportError, IntercomUnexpectedResponse
from app.intercom.models import IntercomModel

log = structlog.get_logger(__name__)

AUTHORIZE_URL = "https://app.intercom.com/oauth"
TOKEN_PATH = "/auth/eagle/token"


class TokenResponse(IntercomModel):
    # INTERCOM.md §1.2: libraries read `access_token`, some integrations `token`.
    access_token: str | None = None
    token: str | None = None
    token_type: str | None = None

    @property
    def value(self) -> str | None:
        return self.access_token or self.token


class IntercomOAuth:
    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        client_id: str,
        client_secret: SecretStr,
        base_url_override: str | None = None,
    ) -> None:
        self._http = http
        self._client_id = client_id
        self._client_secret = client_secret
        override = base_url_override.rstrip("/") if base_url_override else None
        # The override (the sandbox) serves both the consent page and the API.
        self._authorize_url = f"{override}/oauth" if override else AUTHORIZE_URL
        self._token_url = (override or REGION_BASE_URLS["US"]) + TOKEN_PATH

    def authorize_url(self, *, state: str, redirect_uri: str) -> str:
        query = urlencode(
            {"client_id": self._client_id, "state": state, "redirect_uri": redirect_uri}
        )
        return f"{self._authorize_url}?{query}"

    async def exchange_code(self, code: str) -> str:
        form = {
            "code": code,
            "client_id": self._client_id,
            "client_secret": self._client_secret.get_secret_value(),
        }
        try:
            response = await self._http.post(self._token_url, data=form)
        except httpx.TransportError as exc:
            raise IntercomTransportError(
                f"{type(exc).__name__} calling Intercom {TOKEN_PATH}"
            ) from exc
        # Status only: the body may hold the token, the request the code and the secret.
        log.info("intercom.oauth_exchange", status=response.status_code)
        _raise_for_error(response)
        try:
            token = TokenResponse.parse_json(response.content).value
        except ValidationError:
            token = None
        if not token:
            raise IntercomUnexpectedResponse(
                f"Intercom {TOKEN_PATH} answered no access token", status=response.status_code
            )
        return token
