from http import HTTPStatus
from typing import Any
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.sync_read import SyncRead
from ...types import Response


def _get_kwargs(
    sync_id: UUID,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/syncs/{sync_id}/cancel".format(
            sync_id=quote(str(sync_id), safe=""),
        ),
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Problem | SyncRead | None:
    if response.status_code == 200:
        response_200 = SyncRead.from_dict(response.json())

        return response_200

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 404:
        response_404 = Problem.from_dict(response.json())

        return response_404

    if response.status_code == 409:
        response_409 = Problem.from_dict(response.json())

        return response_409

    if response.status_code == 422:
        response_422 = Problem.from_dict(response.json())

        return response_422

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Problem | SyncRead]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    sync_id: UUID,
    *,
    client: AuthenticatedClient,
) -> Response[Problem | SyncRead]:
    """Cancel a sync

     A pending sync never starts; a running one stops at its next batch, keeps what it committed and ends
    `cancelled` with its partial report. Cancelling a cancelled sync answers it again; 409
    `sync_not_active` for a finished or failed one.

    Args:
        sync_id (UUID):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | SyncRead]
    """

    kwargs = _get_kwargs(
        sync_id=sync_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    sync_id: UUID,
    *,
    client: AuthenticatedClient,
) -> Problem | SyncRead | None:
    """Cancel a sync

     A pending sync never starts; a running one stops at its next batch, keeps what it committed and ends
    `cancelled` with its partial report. Cancelling a cancelled sync answers it again; 409
    `sync_not_active` for a finished or failed one.

    Args:
        sync_id (UUID):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | SyncRead
    """

    return sync_detailed(
        sync_id=sync_id,
        client=client,
    ).parsed


async def asyncio_detailed(
    sync_id: UUID,
    *,
    client: AuthenticatedClient,
) -> Response[Problem | SyncRead]:
    """Cancel a sync

     A pending sync never starts; a running one stops at its next batch, keeps what it committed and ends
    `cancelled` with its partial report. Cancelling a cancelled sync answers it again; 409
    `sync_not_active` for a finished or failed one.

    Args:
        sync_id (UUID):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | SyncRead]
    """

    kwargs = _get_kwargs(
        sync_id=sync_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    sync_id: UUID,
    *,
    client: AuthenticatedClient,
) -> Problem | SyncRead | None:
    """Cancel a sync

     A pending sync never starts; a running one stops at its next batch, keeps what it committed and ends
    `cancelled` with its partial report. Cancelling a cancelled sync answers it again; 409
    `sync_not_active` for a finished or failed one.

    Args:
        sync_id (UUID):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | SyncRead
    """

    return (
        await asyncio_detailed(
            sync_id=sync_id,
            client=client,
        )
    ).parsed
