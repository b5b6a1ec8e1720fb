from http import HTTPStatus
from typing import Any
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.sync_read import SyncRead
from ...models.sync_start import SyncStart
from ...types import UNSET, Response, Unset


def _get_kwargs(
    segment_id: UUID,
    *,
    body: SyncStart | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/segments/{segment_id}/syncs".format(
            segment_id=quote(str(segment_id), safe=""),
        ),
    }

    if not isinstance(body, Unset):
        _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Problem | SyncRead | None:
    if response.status_code == 202:
        response_202 = SyncRead.from_dict(response.json())

        return response_202

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 404:
        response_404 = Problem.from_dict(response.json())

        return response_404

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
    segment_id: UUID,
    *,
    client: AuthenticatedClient,
    body: SyncStart | Unset = UNSET,
) -> Response[Problem | SyncRead]:
    """Sync now: start a sync of the segment's contacts

     409 `sync_already_active` while a sync of the segment is pending or running; 409
    `integration_reauth_required` while Intercom refuses the integration's token; 409
    `mapping_not_confirmed` for a list whose mapping nobody confirmed: its `choices` are
    `use_default_mapping` (send `{"use_default_mapping": true}`) or `map_first` (PUT the mapping at
    `mapping_url`); 409 `mapping_without_email` when the mapping names no email attribute Intercom still
    has (customers are identified by it). The run applies the mapping and settings saved when it starts;
    its `warnings` name mapped attributes archived or removed in Intercom.

    Args:
        segment_id (UUID):
        body (SyncStart | Unset): Options of "sync now"; the body may be left out.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | SyncRead]
    """

    kwargs = _get_kwargs(
        segment_id=segment_id,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    segment_id: UUID,
    *,
    client: AuthenticatedClient,
    body: SyncStart | Unset = UNSET,
) -> Problem | SyncRead | None:
    """Sync now: start a sync of the segment's contacts

     409 `sync_already_active` while a sync of the segment is pending or running; 409
    `integration_reauth_required` while Intercom refuses the integration's token; 409
    `mapping_not_confirmed` for a list whose mapping nobody confirmed: its `choices` are
    `use_default_mapping` (send `{"use_default_mapping": true}`) or `map_first` (PUT the mapping at
    `mapping_url`); 409 `mapping_without_email` when the mapping names no email attribute Intercom still
    has (customers are identified by it). The run applies the mapping and settings saved when it starts;
    its `warnings` name mapped attributes archived or removed in Intercom.

    Args:
        segment_id (UUID):
        body (SyncStart | Unset): Options of "sync now"; the body may be left out.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | SyncRead
    """

    return sync_detailed(
        segment_id=segment_id,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    segment_id: UUID,
    *,
    client: AuthenticatedClient,
    body: SyncStart | Unset = UNSET,
) -> Response[Problem | SyncRead]:
    """Sync now: start a sync of the segment's contacts

     409 `sync_already_active` while a sync of the segment is pending or running; 409
    `integration_reauth_required` while Intercom refuses the integration's token; 409
    `mapping_not_confirmed` for a list whose mapping nobody confirmed: its `choices` are
    `use_default_mapping` (send `{"use_default_mapping": true}`) or `map_first` (PUT the mapping at
    `mapping_url`); 409 `mapping_without_email` when the mapping names no email attribute Intercom still
    has (customers are identified by it). The run applies the mapping and settings saved when it starts;
    its `warnings` name mapped attributes archived or removed in Intercom.

    Args:
        segment_id (UUID):
        body (SyncStart | Unset): Options of "sync now"; the body may be left out.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | SyncRead]
    """

    kwargs = _get_kwargs(
        segment_id=segment_id,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    segment_id: UUID,
    *,
    client: AuthenticatedClient,
    body: SyncStart | Unset = UNSET,
) -> Problem | SyncRead | None:
    """Sync now: start a sync of the segment's contacts

     409 `sync_already_active` while a sync of the segment is pending or running; 409
    `integration_reauth_required` while Intercom refuses the integration's token; 409
    `mapping_not_confirmed` for a list whose mapping nobody confirmed: its `choices` are
    `use_default_mapping` (send `{"use_default_mapping": true}`) or `map_first` (PUT the mapping at
    `mapping_url`); 409 `mapping_without_email` when the mapping names no email attribute Intercom still
    has (customers are identified by it). The run applies the mapping and settings saved when it starts;
    its `warnings` name mapped attributes archived or removed in Intercom.

    Args:
        segment_id (UUID):
        body (SyncStart | Unset): Options of "sync now"; the body may be left out.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | SyncRead
    """

    return (
        await asyncio_detailed(
            segment_id=segment_id,
            client=client,
            body=body,
        )
    ).parsed
