from http import HTTPStatus
from typing import Any
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.attribute_page import AttributePage
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    integration_id: UUID,
    *,
    include_archived: bool | Unset = True,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["include_archived"] = include_archived

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/integrations/{integration_id}/attributes".format(
            integration_id=quote(str(integration_id), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> AttributePage | Problem | None:
    if response.status_code == 200:
        response_200 = AttributePage.from_dict(response.json())

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
) -> Response[AttributePage | Problem]:
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
    include_archived: bool | Unset = True,
) -> Response[AttributePage | Problem]:
    """The workspace's contact data attributes a mapping can import

     As of the integration's last refresh: standard attributes first, then custom ones, each by name.
    Attributes deleted in Intercom are not listed; archived ones are (`archived`), unless
    `include_archived=false`. One page.

    Args:
        integration_id (UUID):
        include_archived (bool | Unset): List attributes archived in Intercom too. Default: True.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AttributePage | Problem]
    """

    kwargs = _get_kwargs(
        integration_id=integration_id,
        include_archived=include_archived,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    integration_id: UUID,
    *,
    client: AuthenticatedClient,
    include_archived: bool | Unset = True,
) -> AttributePage | Problem | None:
    """The workspace's contact data attributes a mapping can import

     As of the integration's last refresh: standard attributes first, then custom ones, each by name.
    Attributes deleted in Intercom are not listed; archived ones are (`archived`), unless
    `include_archived=false`. One page.

    Args:
        integration_id (UUID):
        include_archived (bool | Unset): List attributes archived in Intercom too. Default: True.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AttributePage | Problem
    """

    return sync_detailed(
        integration_id=integration_id,
        client=client,
        include_archived=include_archived,
    ).parsed


async def asyncio_detailed(
    integration_id: UUID,
    *,
    client: AuthenticatedClient,
    include_archived: bool | Unset = True,
) -> Response[AttributePage | Problem]:
    """The workspace's contact data attributes a mapping can import

     As of the integration's last refresh: standard attributes first, then custom ones, each by name.
    Attributes deleted in Intercom are not listed; archived ones are (`archived`), unless
    `include_archived=false`. One page.

    Args:
        integration_id (UUID):
        include_archived (bool | Unset): List attributes archived in Intercom too. Default: True.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AttributePage | Problem]
    """

    kwargs = _get_kwargs(
        integration_id=integration_id,
        include_archived=include_archived,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    integration_id: UUID,
    *,
    client: AuthenticatedClient,
    include_archived: bool | Unset = True,
) -> AttributePage | Problem | None:
    """The workspace's contact data attributes a mapping can import

     As of the integration's last refresh: standard attributes first, then custom ones, each by name.
    Attributes deleted in Intercom are not listed; archived ones are (`archived`), unless
    `include_archived=false`. One page.

    Args:
        integration_id (UUID):
        include_archived (bool | Unset): List attributes archived in Intercom too. Default: True.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AttributePage | Problem
    """

    return (
        await asyncio_detailed(
            integration_id=integration_id,
            client=client,
            include_archived=include_archived,
        )
    ).parsed
