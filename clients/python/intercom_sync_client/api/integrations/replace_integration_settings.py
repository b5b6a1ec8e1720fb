from http import HTTPStatus
from typing import Any
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.integration_settings import IntegrationSettings
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    integration_id: UUID,
    *,
    body: IntegrationSettings,
    if_match: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(if_match, Unset):
        headers["if-match"] = if_match

    _kwargs: dict[str, Any] = {
        "method": "put",
        "url": "/v1/integrations/{integration_id}/settings".format(
            integration_id=quote(str(integration_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> IntegrationSettings | Problem | None:
    if response.status_code == 200:
        response_200 = IntegrationSettings.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 404:
        response_404 = Problem.from_dict(response.json())

        return response_404

    if response.status_code == 412:
        response_412 = Problem.from_dict(response.json())

        return response_412

    if response.status_code == 413:
        response_413 = Problem.from_dict(response.json())

        return response_413

    if response.status_code == 415:
        response_415 = Problem.from_dict(response.json())

        return response_415

    if response.status_code == 422:
        response_422 = Problem.from_dict(response.json())

        return response_422

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[IntegrationSettings | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    integration_id: UUID,
    *,
    client: AuthenticatedClient,
    body: IntegrationSettings,
    if_match: str | Unset = UNSET,
) -> Response[IntegrationSettings | Problem]:
    """Replace the integration's settings

     The whole document: keys left out take their defaults, unknown keys are a 422. With `If-Match` (the
    `ETag` read), 412 `version_mismatch` when someone saved since; nothing is saved on any error.
    Answers the saved settings and their new `ETag`.

    Args:
        integration_id (UUID):
        if_match (str | Unset): The ETag of the version read (a quoted number): the write is
            refused with 412 `version_mismatch` if someone saved since. Without it, the write applies
            to whatever is current.
        body (IntegrationSettings):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[IntegrationSettings | Problem]
    """

    kwargs = _get_kwargs(
        integration_id=integration_id,
        body=body,
        if_match=if_match,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    integration_id: UUID,
    *,
    client: AuthenticatedClient,
    body: IntegrationSettings,
    if_match: str | Unset = UNSET,
) -> IntegrationSettings | Problem | None:
    """Replace the integration's settings

     The whole document: keys left out take their defaults, unknown keys are a 422. With `If-Match` (the
    `ETag` read), 412 `version_mismatch` when someone saved since; nothing is saved on any error.
    Answers the saved settings and their new `ETag`.

    Args:
        integration_id (UUID):
        if_match (str | Unset): The ETag of the version read (a quoted number): the write is
            refused with 412 `version_mismatch` if someone saved since. Without it, the write applies
            to whatever is current.
        body (IntegrationSettings):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        IntegrationSettings | Problem
    """

    return sync_detailed(
        integration_id=integration_id,
        client=client,
        body=body,
        if_match=if_match,
    ).parsed


async def asyncio_detailed(
    integration_id: UUID,
    *,
    client: AuthenticatedClient,
    body: IntegrationSettings,
    if_match: str | Unset = UNSET,
) -> Response[IntegrationSettings | Problem]:
    """Replace the integration's settings

     The whole document: keys left out take their defaults, unknown keys are a 422. With `If-Match` (the
    `ETag` read), 412 `version_mismatch` when someone saved since; nothing is saved on any error.
    Answers the saved settings and their new `ETag`.

    Args:
        integration_id (UUID):
        if_match (str | Unset): The ETag of the version read (a quoted number): the write is
            refused with 412 `version_mismatch` if someone saved since. Without it, the write applies
            to whatever is current.
        body (IntegrationSettings):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[IntegrationSettings | Problem]
    """

    kwargs = _get_kwargs(
        integration_id=integration_id,
        body=body,
        if_match=if_match,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    integration_id: UUID,
    *,
    client: AuthenticatedClient,
    body: IntegrationSettings,
    if_match: str | Unset = UNSET,
) -> IntegrationSettings | Problem | None:
    """Replace the integration's settings

     The whole document: keys left out take their defaults, unknown keys are a 422. With `If-Match` (the
    `ETag` read), 412 `version_mismatch` when someone saved since; nothing is saved on any error.
    Answers the saved settings and their new `ETag`.

    Args:
        integration_id (UUID):
        if_match (str | Unset): The ETag of the version read (a quoted number): the write is
            refused with 412 `version_mismatch` if someone saved since. Without it, the write applies
            to whatever is current.
        body (IntegrationSettings):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        IntegrationSettings | Problem
    """

    return (
        await asyncio_detailed(
            integration_id=integration_id,
            client=client,
            body=body,
            if_match=if_match,
        )
    ).parsed
