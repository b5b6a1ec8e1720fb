from http import HTTPStatus
from typing import Any
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.intercom_event_page import IntercomEventPage
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    integration_id: UUID,
    *,
    cursor: None | str | Unset = UNSET,
    limit: int | Unset = 50,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_cursor: None | str | Unset
    if isinstance(cursor, Unset):
        json_cursor = UNSET
    else:
        json_cursor = cursor
    params["cursor"] = json_cursor

    params["limit"] = limit

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/integrations/{integration_id}/events".format(
            integration_id=quote(str(integration_id), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> IntercomEventPage | Problem | None:
    if response.status_code == 200:
        response_200 = IntercomEventPage.from_dict(response.json())

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
) -> Response[IntercomEventPage | Problem]:
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
    cursor: None | str | Unset = UNSET,
    limit: int | Unset = 50,
) -> Response[IntercomEventPage | Problem]:
    """Events sent to the workspace's contacts, newest first

     Events for Intercom written when a customer unsubscribed from surveys or was deleted here (as the
    integration's settings ask): `pending` until a job sends them, `sent`, or `failed` with `last_error`
    (`contact_not_found`, `token_rejected`, …; a rejected token also marks the integration
    `reauth_required`).

    Args:
        integration_id (UUID):
        cursor (None | str | Unset): `next_cursor` of the previous page.
        limit (int | Unset):  Default: 50.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[IntercomEventPage | Problem]
    """

    kwargs = _get_kwargs(
        integration_id=integration_id,
        cursor=cursor,
        limit=limit,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    integration_id: UUID,
    *,
    client: AuthenticatedClient,
    cursor: None | str | Unset = UNSET,
    limit: int | Unset = 50,
) -> IntercomEventPage | Problem | None:
    """Events sent to the workspace's contacts, newest first

     Events for Intercom written when a customer unsubscribed from surveys or was deleted here (as the
    integration's settings ask): `pending` until a job sends them, `sent`, or `failed` with `last_error`
    (`contact_not_found`, `token_rejected`, …; a rejected token also marks the integration
    `reauth_required`).

    Args:
        integration_id (UUID):
        cursor (None | str | Unset): `next_cursor` of the previous page.
        limit (int | Unset):  Default: 50.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        IntercomEventPage | Problem
    """

    return sync_detailed(
        integration_id=integration_id,
        client=client,
        cursor=cursor,
        limit=limit,
    ).parsed


async def asyncio_detailed(
    integration_id: UUID,
    *,
    client: AuthenticatedClient,
    cursor: None | str | Unset = UNSET,
    limit: int | Unset = 50,
) -> Response[IntercomEventPage | Problem]:
    """Events sent to the workspace's contacts, newest first

     Events for Intercom written when a customer unsubscribed from surveys or was deleted here (as the
    integration's settings ask): `pending` until a job sends them, `sent`, or `failed` with `last_error`
    (`contact_not_found`, `token_rejected`, …; a rejected token also marks the integration
    `reauth_required`).

    Args:
        integration_id (UUID):
        cursor (None | str | Unset): `next_cursor` of the previous page.
        limit (int | Unset):  Default: 50.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[IntercomEventPage | Problem]
    """

    kwargs = _get_kwargs(
        integration_id=integration_id,
        cursor=cursor,
        limit=limit,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    integration_id: UUID,
    *,
    client: AuthenticatedClient,
    cursor: None | str | Unset = UNSET,
    limit: int | Unset = 50,
) -> IntercomEventPage | Problem | None:
    """Events sent to the workspace's contacts, newest first

     Events for Intercom written when a customer unsubscribed from surveys or was deleted here (as the
    integration's settings ask): `pending` until a job sends them, `sent`, or `failed` with `last_error`
    (`contact_not_found`, `token_rejected`, …; a rejected token also marks the integration
    `reauth_required`).

    Args:
        integration_id (UUID):
        cursor (None | str | Unset): `next_cursor` of the previous page.
        limit (int | Unset):  Default: 50.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        IntercomEventPage | Problem
    """

    return (
        await asyncio_detailed(
            integration_id=integration_id,
            client=client,
            cursor=cursor,
            limit=limit,
        )
    ).parsed
