from http import HTTPStatus
from typing import Any
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.segment_read import SegmentRead
from ...models.segment_update import SegmentUpdate
from ...types import Response


def _get_kwargs(
    segment_id: UUID,
    *,
    body: SegmentUpdate,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "patch",
        "url": "/v1/segments/{segment_id}".format(
            segment_id=quote(str(segment_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Problem | SegmentRead | None:
    if response.status_code == 200:
        response_200 = SegmentRead.from_dict(response.json())

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


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Problem | SegmentRead]:
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
    body: SegmentUpdate,
) -> Response[Problem | SegmentRead]:
    """Rename a custom segment, or switch auto-sync on or off

     409 `segment_not_editable` when renaming a main list or an Intercom segment; 409
    `auto_sync_quota_exceeded` (with `used` and `allowed`) when switching auto-sync on would exceed the
    account's quota (its NPS campaigns times a ratio); 409 `segment_missing` for a segment deleted in
    Intercom; 409 `mapping_not_confirmed` when switching auto-sync on for a list whose mapping nobody
    confirmed, unless `use_default_mapping` is true. A switched-on list is first synced at its next
    daily slot (`next_sync_at`).

    Args:
        segment_id (UUID):
        body (SegmentUpdate): Rename a custom segment, or switch auto-sync on or off for any list
            or segment.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | SegmentRead]
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
    body: SegmentUpdate,
) -> Problem | SegmentRead | None:
    """Rename a custom segment, or switch auto-sync on or off

     409 `segment_not_editable` when renaming a main list or an Intercom segment; 409
    `auto_sync_quota_exceeded` (with `used` and `allowed`) when switching auto-sync on would exceed the
    account's quota (its NPS campaigns times a ratio); 409 `segment_missing` for a segment deleted in
    Intercom; 409 `mapping_not_confirmed` when switching auto-sync on for a list whose mapping nobody
    confirmed, unless `use_default_mapping` is true. A switched-on list is first synced at its next
    daily slot (`next_sync_at`).

    Args:
        segment_id (UUID):
        body (SegmentUpdate): Rename a custom segment, or switch auto-sync on or off for any list
            or segment.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | SegmentRead
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
    body: SegmentUpdate,
) -> Response[Problem | SegmentRead]:
    """Rename a custom segment, or switch auto-sync on or off

     409 `segment_not_editable` when renaming a main list or an Intercom segment; 409
    `auto_sync_quota_exceeded` (with `used` and `allowed`) when switching auto-sync on would exceed the
    account's quota (its NPS campaigns times a ratio); 409 `segment_missing` for a segment deleted in
    Intercom; 409 `mapping_not_confirmed` when switching auto-sync on for a list whose mapping nobody
    confirmed, unless `use_default_mapping` is true. A switched-on list is first synced at its next
    daily slot (`next_sync_at`).

    Args:
        segment_id (UUID):
        body (SegmentUpdate): Rename a custom segment, or switch auto-sync on or off for any list
            or segment.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | SegmentRead]
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
    body: SegmentUpdate,
) -> Problem | SegmentRead | None:
    """Rename a custom segment, or switch auto-sync on or off

     409 `segment_not_editable` when renaming a main list or an Intercom segment; 409
    `auto_sync_quota_exceeded` (with `used` and `allowed`) when switching auto-sync on would exceed the
    account's quota (its NPS campaigns times a ratio); 409 `segment_missing` for a segment deleted in
    Intercom; 409 `mapping_not_confirmed` when switching auto-sync on for a list whose mapping nobody
    confirmed, unless `use_default_mapping` is true. A switched-on list is first synced at its next
    daily slot (`next_sync_at`).

    Args:
        segment_id (UUID):
        body (SegmentUpdate): Rename a custom segment, or switch auto-sync on or off for any list
            or segment.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | SegmentRead
    """

    return (
        await asyncio_detailed(
            segment_id=segment_id,
            client=client,
            body=body,
        )
    ).parsed
