from http import HTTPStatus
from typing import Any
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.last_sync_status import LastSyncStatus
from ...models.problem import Problem
from ...models.segment_kind import SegmentKind
from ...models.segment_page import SegmentPage
from ...models.segment_sort import SegmentSort
from ...types import UNSET, Response, Unset


def _get_kwargs(
    integration_id: UUID,
    *,
    kind: list[SegmentKind] | None | Unset = UNSET,
    last_sync_status: list[LastSyncStatus] | None | Unset = UNSET,
    sort: SegmentSort | Unset = UNSET,
    cursor: None | str | Unset = UNSET,
    limit: int | Unset = 50,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_kind: list[str] | None | Unset
    if isinstance(kind, Unset):
        json_kind = UNSET
    elif isinstance(kind, list):
        json_kind = []
        for kind_type_0_item_data in kind:
            kind_type_0_item = kind_type_0_item_data.value
            json_kind.append(kind_type_0_item)

    else:
        json_kind = kind
    params["kind"] = json_kind

    json_last_sync_status: list[str] | None | Unset
    if isinstance(last_sync_status, Unset):
        json_last_sync_status = UNSET
    elif isinstance(last_sync_status, list):
        json_last_sync_status = []
        for last_sync_status_type_0_item_data in last_sync_status:
            last_sync_status_type_0_item = last_sync_status_type_0_item_data.value
            json_last_sync_status.append(last_sync_status_type_0_item)

    else:
        json_last_sync_status = last_sync_status
    params["last_sync_status"] = json_last_sync_status

    json_sort: str | Unset = UNSET
    if not isinstance(sort, Unset):
        json_sort = sort.value

    params["sort"] = json_sort

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
        "url": "/v1/integrations/{integration_id}/segments".format(
            integration_id=quote(str(integration_id), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Problem | SegmentPage | None:
    if response.status_code == 200:
        response_200 = SegmentPage.from_dict(response.json())

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
) -> Response[Problem | SegmentPage]:
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
    kind: list[SegmentKind] | None | Unset = UNSET,
    last_sync_status: list[LastSyncStatus] | None | Unset = UNSET,
    sort: SegmentSort | Unset = UNSET,
    cursor: None | str | Unset = UNSET,
    limit: int | Unset = 50,
) -> Response[Problem | SegmentPage]:
    """The integration's lists and segments, filtered and sorted, with their last sync

     Main lists (Users, Leads), the segments saved in Intercom and custom segments, each with its cached
    contact count, auto-sync switch and last sync. Filter by `kind` and `last_sync_status` (each
    repeatable: any of the values), sort with `sort` (`type`, `count`, `auto_sync`, `last_sync`; `-` for
    descending; ties by name then id). A cursor is only valid with the sort it was made for.

    Args:
        integration_id (UUID):
        kind (list[SegmentKind] | None | Unset): users, leads, intercom or custom.
        last_sync_status (list[LastSyncStatus] | None | Unset): The status of each one's last
            sync; `never` for never synced.
        sort (SegmentSort | Unset): Sort keys of the segment list; `-` in front sorts descending.
            Ties are broken by name,
            then id, always ascending, so that pages never skip or repeat a row.
        cursor (None | str | Unset): `next_cursor` of the previous page.
        limit (int | Unset):  Default: 50.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | SegmentPage]
    """

    kwargs = _get_kwargs(
        integration_id=integration_id,
        kind=kind,
        last_sync_status=last_sync_status,
        sort=sort,
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
    kind: list[SegmentKind] | None | Unset = UNSET,
    last_sync_status: list[LastSyncStatus] | None | Unset = UNSET,
    sort: SegmentSort | Unset = UNSET,
    cursor: None | str | Unset = UNSET,
    limit: int | Unset = 50,
) -> Problem | SegmentPage | None:
    """The integration's lists and segments, filtered and sorted, with their last sync

     Main lists (Users, Leads), the segments saved in Intercom and custom segments, each with its cached
    contact count, auto-sync switch and last sync. Filter by `kind` and `last_sync_status` (each
    repeatable: any of the values), sort with `sort` (`type`, `count`, `auto_sync`, `last_sync`; `-` for
    descending; ties by name then id). A cursor is only valid with the sort it was made for.

    Args:
        integration_id (UUID):
        kind (list[SegmentKind] | None | Unset): users, leads, intercom or custom.
        last_sync_status (list[LastSyncStatus] | None | Unset): The status of each one's last
            sync; `never` for never synced.
        sort (SegmentSort | Unset): Sort keys of the segment list; `-` in front sorts descending.
            Ties are broken by name,
            then id, always ascending, so that pages never skip or repeat a row.
        cursor (None | str | Unset): `next_cursor` of the previous page.
        limit (int | Unset):  Default: 50.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | SegmentPage
    """

    return sync_detailed(
        integration_id=integration_id,
        client=client,
        kind=kind,
        last_sync_status=last_sync_status,
        sort=sort,
        cursor=cursor,
        limit=limit,
    ).parsed


async def asyncio_detailed(
    integration_id: UUID,
    *,
    client: AuthenticatedClient,
    kind: list[SegmentKind] | None | Unset = UNSET,
    last_sync_status: list[LastSyncStatus] | None | Unset = UNSET,
    sort: SegmentSort | Unset = UNSET,
    cursor: None | str | Unset = UNSET,
    limit: int | Unset = 50,
) -> Response[Problem | SegmentPage]:
    """The integration's lists and segments, filtered and sorted, with their last sync

     Main lists (Users, Leads), the segments saved in Intercom and custom segments, each with its cached
    contact count, auto-sync switch and last sync. Filter by `kind` and `last_sync_status` (each
    repeatable: any of the values), sort with `sort` (`type`, `count`, `auto_sync`, `last_sync`; `-` for
    descending; ties by name then id). A cursor is only valid with the sort it was made for.

    Args:
        integration_id (UUID):
        kind (list[SegmentKind] | None | Unset): users, leads, intercom or custom.
        last_sync_status (list[LastSyncStatus] | None | Unset): The status of each one's last
            sync; `never` for never synced.
        sort (SegmentSort | Unset): Sort keys of the segment list; `-` in front sorts descending.
            Ties are broken by name,
            then id, always ascending, so that pages never skip or repeat a row.
        cursor (None | str | Unset): `next_cursor` of the previous page.
        limit (int | Unset):  Default: 50.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | SegmentPage]
    """

    kwargs = _get_kwargs(
        integration_id=integration_id,
        kind=kind,
        last_sync_status=last_sync_status,
        sort=sort,
        cursor=cursor,
        limit=limit,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    integration_id: UUID,
    *,
    client: AuthenticatedClient,
    kind: list[SegmentKind] | None | Unset = UNSET,
    last_sync_status: list[LastSyncStatus] | None | Unset = UNSET,
    sort: SegmentSort | Unset = UNSET,
    cursor: None | str | Unset = UNSET,
    limit: int | Unset = 50,
) -> Problem | SegmentPage | None:
    """The integration's lists and segments, filtered and sorted, with their last sync

     Main lists (Users, Leads), the segments saved in Intercom and custom segments, each with its cached
    contact count, auto-sync switch and last sync. Filter by `kind` and `last_sync_status` (each
    repeatable: any of the values), sort with `sort` (`type`, `count`, `auto_sync`, `last_sync`; `-` for
    descending; ties by name then id). A cursor is only valid with the sort it was made for.

    Args:
        integration_id (UUID):
        kind (list[SegmentKind] | None | Unset): users, leads, intercom or custom.
        last_sync_status (list[LastSyncStatus] | None | Unset): The status of each one's last
            sync; `never` for never synced.
        sort (SegmentSort | Unset): Sort keys of the segment list; `-` in front sorts descending.
            Ties are broken by name,
            then id, always ascending, so that pages never skip or repeat a row.
        cursor (None | str | Unset): `next_cursor` of the previous page.
        limit (int | Unset):  Default: 50.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | SegmentPage
    """

    return (
        await asyncio_detailed(
            integration_id=integration_id,
            client=client,
            kind=kind,
            last_sync_status=last_sync_status,
            sort=sort,
            cursor=cursor,
            limit=limit,
        )
    ).parsed
