from http import HTTPStatus
from typing import Any
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.filter_set import FilterSet
from ...models.filters_read import FiltersRead
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    segment_id: UUID,
    *,
    body: FilterSet,
    if_match: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(if_match, Unset):
        headers["if-match"] = if_match

    _kwargs: dict[str, Any] = {
        "method": "put",
        "url": "/v1/segments/{segment_id}/filters".format(
            segment_id=quote(str(segment_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> FiltersRead | Problem | None:
    if response.status_code == 200:
        response_200 = FiltersRead.from_dict(response.json())

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
) -> Response[FiltersRead | Problem]:
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
    body: FilterSet,
    if_match: str | Unset = UNSET,
) -> Response[FiltersRead | Problem]:
    """Save the list's filters

     Groups of conditions on the properties the list maps: `combine: any` (any group, each all of its
    conditions) or `all` (all groups, each any of its conditions). Operators by type: text `is`,
    `is_not`, `contains`, `does_not_contain`, `starts_with`, `ends_with`, `is_any_of`, `is_none_of`;
    number `=`, `!=`, `<`, `<=`, `>`, `>=`; boolean `is_true`, `is_false`; date `before`, `after`, `on`,
    `between`, `more_than_days_ago`, `less_than_days_ago`; any type `is_set`, `is_not_set`. Text
    compares without case or surrounding spaces; a value not set matches the negations; dates compare by
    day in the workspace's timezone. 422 names every condition at fault; 412 `version_mismatch` when If-
    Match names an older version. No group: every contact. Applies from the next sync; contacts left out
    are counted as skipped `filtered_out`.

    Args:
        segment_id (UUID):
        if_match (str | Unset): The ETag of the version read (a quoted number): the write is
            refused with 412 `version_mismatch` if someone saved since. Without it, the write applies
            to whatever is current.
        body (FilterSet):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[FiltersRead | Problem]
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
    body: FilterSet,
    if_match: str | Unset = UNSET,
) -> FiltersRead | Problem | None:
    """Save the list's filters

     Groups of conditions on the properties the list maps: `combine: any` (any group, each all of its
    conditions) or `all` (all groups, each any of its conditions). Operators by type: text `is`,
    `is_not`, `contains`, `does_not_contain`, `starts_with`, `ends_with`, `is_any_of`, `is_none_of`;
    number `=`, `!=`, `<`, `<=`, `>`, `>=`; boolean `is_true`, `is_false`; date `before`, `after`, `on`,
    `between`, `more_than_days_ago`, `less_than_days_ago`; any type `is_set`, `is_not_set`. Text
    compares without case or surrounding spaces; a value not set matches the negations; dates compare by
    day in the workspace's timezone. 422 names every condition at fault; 412 `version_mismatch` when If-
    Match names an older version. No group: every contact. Applies from the next sync; contacts left out
    are counted as skipped `filtered_out`.

    Args:
        segment_id (UUID):
        if_match (str | Unset): The ETag of the version read (a quoted number): the write is
            refused with 412 `version_mismatch` if someone saved since. Without it, the write applies
            to whatever is current.
        body (FilterSet):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        FiltersRead | Problem
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
    body: FilterSet,
    if_match: str | Unset = UNSET,
) -> Response[FiltersRead | Problem]:
    """Save the list's filters

     Groups of conditions on the properties the list maps: `combine: any` (any group, each all of its
    conditions) or `all` (all groups, each any of its conditions). Operators by type: text `is`,
    `is_not`, `contains`, `does_not_contain`, `starts_with`, `ends_with`, `is_any_of`, `is_none_of`;
    number `=`, `!=`, `<`, `<=`, `>`, `>=`; boolean `is_true`, `is_false`; date `before`, `after`, `on`,
    `between`, `more_than_days_ago`, `less_than_days_ago`; any type `is_set`, `is_not_set`. Text
    compares without case or surrounding spaces; a value not set matches the negations; dates compare by
    day in the workspace's timezone. 422 names every condition at fault; 412 `version_mismatch` when If-
    Match names an older version. No group: every contact. Applies from the next sync; contacts left out
    are counted as skipped `filtered_out`.

    Args:
        segment_id (UUID):
        if_match (str | Unset): The ETag of the version read (a quoted number): the write is
            refused with 412 `version_mismatch` if someone saved since. Without it, the write applies
            to whatever is current.
        body (FilterSet):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[FiltersRead | Problem]
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
    body: FilterSet,
    if_match: str | Unset = UNSET,
) -> FiltersRead | Problem | None:
    """Save the list's filters

     Groups of conditions on the properties the list maps: `combine: any` (any group, each all of its
    conditions) or `all` (all groups, each any of its conditions). Operators by type: text `is`,
    `is_not`, `contains`, `does_not_contain`, `starts_with`, `ends_with`, `is_any_of`, `is_none_of`;
    number `=`, `!=`, `<`, `<=`, `>`, `>=`; boolean `is_true`, `is_false`; date `before`, `after`, `on`,
    `between`, `more_than_days_ago`, `less_than_days_ago`; any type `is_set`, `is_not_set`. Text
    compares without case or surrounding spaces; a value not set matches the negations; dates compare by
    day in the workspace's timezone. 422 names every condition at fault; 412 `version_mismatch` when If-
    Match names an older version. No group: every contact. Applies from the next sync; contacts left out
    are counted as skipped `filtered_out`.

    Args:
        segment_id (UUID):
        if_match (str | Unset): The ETag of the version read (a quoted number): the write is
            refused with 412 `version_mismatch` if someone saved since. Without it, the write applies
            to whatever is current.
        body (FilterSet):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        FiltersRead | Problem
    """

    return (
        await asyncio_detailed(
            segment_id=segment_id,
            client=client,
            body=body,
            if_match=if_match,
        )
    ).parsed
