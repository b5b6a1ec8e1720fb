from http import HTTPStatus
from typing import Any
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.integration_disconnected import IntegrationDisconnected
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    integration_id: UUID,
    *,
    delete_customers: bool | Unset = False,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["delete_customers"] = delete_customers

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "delete",
        "url": "/v1/integrations/{integration_id}".format(
            integration_id=quote(str(integration_id), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> IntegrationDisconnected | Problem | None:
    if response.status_code == 200:
        response_200 = IntegrationDisconnected.from_dict(response.json())

        return response_200

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 404:
        response_404 = Problem.from_dict(response.json())

        return response_404

    if response.status_code == 422:
        response_422 = Problem.from_dict(response.json())

        return response_422

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[IntegrationDisconnected | Problem]:
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
    delete_customers: bool | Unset = False,
) -> Response[IntegrationDisconnected | Problem]:
    """Disconnect an integration

     Destroys the token and frees the slot; its lists stop auto-syncing and their active
    syncs end `cancelled` (`integration_disconnected`). Customers and sync history stay unless
    `delete_customers`. Connecting the same workspace again revives it, lists and history
    included.

    Args:
        integration_id (UUID):
        delete_customers (bool | Unset): Also delete the customers that only this workspace
            brought (every source of theirs is one of its contacts); others keep theirs. Default:
            False.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[IntegrationDisconnected | Problem]
    """

    kwargs = _get_kwargs(
        integration_id=integration_id,
        delete_customers=delete_customers,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    integration_id: UUID,
    *,
    client: AuthenticatedClient,
    delete_customers: bool | Unset = False,
) -> IntegrationDisconnected | Problem | None:
    """Disconnect an integration

     Destroys the token and frees the slot; its lists stop auto-syncing and their active
    syncs end `cancelled` (`integration_disconnected`). Customers and sync history stay unless
    `delete_customers`. Connecting the same workspace again revives it, lists and history
    included.

    Args:
        integration_id (UUID):
        delete_customers (bool | Unset): Also delete the customers that only this workspace
            brought (every source of theirs is one of its contacts); others keep theirs. Default:
            False.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        IntegrationDisconnected | Problem
    """

    return sync_detailed(
        integration_id=integration_id,
        client=client,
        delete_customers=delete_customers,
    ).parsed


async def asyncio_detailed(
    integration_id: UUID,
    *,
    client: AuthenticatedClient,
    delete_customers: bool | Unset = False,
) -> Response[IntegrationDisconnected | Problem]:
    """Disconnect an integration

     Destroys the token and frees the slot; its lists stop auto-syncing and their active
    syncs end `cancelled` (`integration_disconnected`). Customers and sync history stay unless
    `delete_customers`. Connecting the same workspace again revives it, lists and history
    included.

    Args:
        integration_id (UUID):
        delete_customers (bool | Unset): Also delete the customers that only this workspace
            brought (every source of theirs is one of its contacts); others keep theirs. Default:
            False.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[IntegrationDisconnected | Problem]
    """

    kwargs = _get_kwargs(
        integration_id=integration_id,
        delete_customers=delete_customers,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    integration_id: UUID,
    *,
    client: AuthenticatedClient,
    delete_customers: bool | Unset = False,
) -> IntegrationDisconnected | Problem | None:
    """Disconnect an integration

     Destroys the token and frees the slot; its lists stop auto-syncing and their active
    syncs end `cancelled` (`integration_disconnected`). Customers and sync history stay unless
    `delete_customers`. Connecting the same workspace again revives it, lists and history
    included.

    Args:
        integration_id (UUID):
        delete_customers (bool | Unset): Also delete the customers that only this workspace
            brought (every source of theirs is one of its contacts); others keep theirs. Default:
            False.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        IntegrationDisconnected | Problem
    """

    return (
        await asyncio_detailed(
            integration_id=integration_id,
            client=client,
            delete_customers=delete_customers,
        )
    ).parsed
