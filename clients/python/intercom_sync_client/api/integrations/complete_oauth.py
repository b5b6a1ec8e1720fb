from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.integration_read import IntegrationRead
from ...models.o_auth_callback import OAuthCallback
from ...models.problem import Problem
from ...types import Response


def _get_kwargs(
    *,
    body: OAuthCallback,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/integrations/oauth/callback",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> IntegrationRead | Problem | None:
    if response.status_code == 201:
        response_201 = IntegrationRead.from_dict(response.json())

        return response_201

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 409:
        response_409 = Problem.from_dict(response.json())

        return response_409

    if response.status_code == 413:
        response_413 = Problem.from_dict(response.json())

        return response_413

    if response.status_code == 415:
        response_415 = Problem.from_dict(response.json())

        return response_415

    if response.status_code == 422:
        response_422 = Problem.from_dict(response.json())

        return response_422

    if response.status_code == 502:
        response_502 = Problem.from_dict(response.json())

        return response_502

    if response.status_code == 503:
        response_503 = Problem.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[IntegrationRead | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: OAuthCallback,
) -> Response[IntegrationRead | Problem]:
    """Finish an OAuth connect with the code and state Intercom returned

     Connects like `POST /v1/integrations` (201, or 200 for a workspace that needed
    reauthorisation). 422 naming `body.state`: `oauth_state_invalid` (not signed by us),
    `oauth_state_unknown` (not this account's), `oauth_state_expired`, `oauth_state_used`;
    naming `body.code`: `oauth_code_rejected`.

    Args:
        body (OAuthCallback):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[IntegrationRead | Problem]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    body: OAuthCallback,
) -> IntegrationRead | Problem | None:
    """Finish an OAuth connect with the code and state Intercom returned

     Connects like `POST /v1/integrations` (201, or 200 for a workspace that needed
    reauthorisation). 422 naming `body.state`: `oauth_state_invalid` (not signed by us),
    `oauth_state_unknown` (not this account's), `oauth_state_expired`, `oauth_state_used`;
    naming `body.code`: `oauth_code_rejected`.

    Args:
        body (OAuthCallback):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        IntegrationRead | Problem
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: OAuthCallback,
) -> Response[IntegrationRead | Problem]:
    """Finish an OAuth connect with the code and state Intercom returned

     Connects like `POST /v1/integrations` (201, or 200 for a workspace that needed
    reauthorisation). 422 naming `body.state`: `oauth_state_invalid` (not signed by us),
    `oauth_state_unknown` (not this account's), `oauth_state_expired`, `oauth_state_used`;
    naming `body.code`: `oauth_code_rejected`.

    Args:
        body (OAuthCallback):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[IntegrationRead | Problem]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: OAuthCallback,
) -> IntegrationRead | Problem | None:
    """Finish an OAuth connect with the code and state Intercom returned

     Connects like `POST /v1/integrations` (201, or 200 for a workspace that needed
    reauthorisation). 422 naming `body.state`: `oauth_state_invalid` (not signed by us),
    `oauth_state_unknown` (not this account's), `oauth_state_expired`, `oauth_state_used`;
    naming `body.code`: `oauth_code_rejected`.

    Args:
        body (OAuthCallback):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        IntegrationRead | Problem
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
