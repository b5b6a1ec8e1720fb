from http import HTTPStatus
from typing import Any
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.segment_settings_read import SegmentSettingsRead
from ...models.segment_settings_update import SegmentSettingsUpdate
from ...types import UNSET, Response, Unset


def _get_kwargs(
    segment_id: UUID,
    *,
    body: SegmentSettingsUpdate,
    if_match: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(if_match, Unset):
        headers["if-match"] = if_match

    _kwargs: dict[str, Any] = {
        "method": "put",
        "url": "/v1/segments/{segment_id}/settings".format(
            segment_id=quote(str(segment_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Problem | SegmentSettingsRead | None:
    if response.status_code == 200:
        response_200 = SegmentSettingsRead.from_dict(response.json())

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
) -> Response[Problem | SegmentSettingsRead]:
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
    body: SegmentSettingsUpdate,
    if_match: str | Unset = UNSET,
) -> Response[Problem | SegmentSettingsRead]:
    """Save the list's sync settings

     412 `version_mismatch` when If-Match names an older version. Applies from the list's next sync.

    Args:
        segment_id (UUID):
        if_match (str | Unset): The ETag of the version read (a quoted number): the write is
            refused with 412 `version_mismatch` if someone saved since. Without it, the write applies
            to whatever is current.
        body (SegmentSettingsUpdate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | SegmentSettingsRead]
    """

    kwargs = _get_kwargs(
        segment_id=segment_id,
        body=body,
        if_match=if_match,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    segment_id: UUID,
    *,
    client: AuthenticatedClient,
    body: SegmentSettingsUpdate,
    if_match: str | Unset = UNSET,
) -> Problem | SegmentSettingsRead | None:
    """Save the list's sync settings

     412 `version_mismatch` when If-Match names an older version. Applies from the list's next sync.

    Args:
        segment_id (UUID):
        if_match (str | Unset): The ETag of the version read (a quoted number): the write is
            refused with 412 `version_mismatch` if someone saved since. Without it, the write applies
            to whatever is current.
        body (SegmentSettingsUpdate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | SegmentSettingsRead
    """

    return sync_detailed(
        segment_id=segment_id,
        client=client,
        body=body,
        if_match=if_match,
    ).parsed


async def asyncio_detailed(
    segment_id: UUID,
    *,
    client: AuthenticatedClient,
    body: SegmentSettingsUpdate,
    if_match: str | Unset = UNSET,
) -> Response[Problem | SegmentSettingsRead]:
    """Save the list's sync settings

     412 `version_mismatch` when If-Match names an older version. Applies from the list's next sync.

    Args:
        segment_id (UUID):
        if_match (str | Unset): The ETag of the version read (a quoted number): the write is
            refused with 412 `version_mismatch` if someone saved since. Without it, the write applies
            to whatever is current.
        body (SegmentSettingsUpdate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | SegmentSettingsRead]
    """

    kwargs = _get_kwargs(
        segment_id=segment_id,
        body=body,
        if_match=if_match,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    segment_id: UUID,
    *,
    client: AuthenticatedClient,
    body: SegmentSettingsUpdate,
    if_match: str | Unset = UNSET,
) -> Problem | SegmentSettingsRead | None:
    """Save the list's sync settings

     412 `version_mismatch` when If-Match names an older version. Applies from the list's next sync.

    Args:
        segment_id (UUID):
        if_match (str | Unset): The ETag of the version read (a quoted number): the write is
            refused with 412 `version_mismatch` if someone saved since. Without it, the write applies
            to whatever is current.
        body (SegmentSettingsUpdate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | SegmentSettingsRead
    """

    return (
        await asyncio_detailed(
            segment_id=segment_id,
            client=client,
            body=body,
            if_match=if_match,
        )
    ).parsed
