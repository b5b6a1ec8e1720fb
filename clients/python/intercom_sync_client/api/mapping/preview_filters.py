from http import HTTPStatus
from typing import Any
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.filter_set import FilterSet
from ...models.preview_read import PreviewRead
from ...models.problem import Problem
from ...types import Response


def _get_kwargs(
    segment_id: UUID,
    *,
    body: FilterSet,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/segments/{segment_id}/filters/preview".format(
            segment_id=quote(str(segment_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> PreviewRead | Problem | None:
    if response.status_code == 200:
        response_200 = PreviewRead.from_dict(response.json())

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

    if response.status_code == 502:
        response_502 = Problem.from_dict(response.json())

        return response_502

    if response.status_code == 503:
        response_503 = Problem.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[PreviewRead | Problem]:
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
) -> Response[PreviewRead | Problem]:
    """Preview unsaved filters: how many contacts they select, and a sample

     Bounded whatever the list's size: Intercom's count when its search evaluates every condition
    (`method` `intercom`); else the contacts its part selects read and counted here, up to 1,500
    (`local`), or the share of the first 1,500 applied to `upper_bound` (`estimated`, `exact` false).
    The sample is taken from the first page. 422 names every condition at fault, as saving would.

    Args:
        segment_id (UUID):
        body (FilterSet):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[PreviewRead | Problem]
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
    body: FilterSet,
) -> PreviewRead | Problem | None:
    """Preview unsaved filters: how many contacts they select, and a sample

     Bounded whatever the list's size: Intercom's count when its search evaluates every condition
    (`method` `intercom`); else the contacts its part selects read and counted here, up to 1,500
    (`local`), or the share of the first 1,500 applied to `upper_bound` (`estimated`, `exact` false).
    The sample is taken from the first page. 422 names every condition at fault, as saving would.

    Args:
        segment_id (UUID):
        body (FilterSet):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        PreviewRead | Problem
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
    body: FilterSet,
) -> Response[PreviewRead | Problem]:
    """Preview unsaved filters: how many contacts they select, and a sample

     Bounded whatever the list's size: Intercom's count when its search evaluates every condition
    (`method` `intercom`); else the contacts its part selects read and counted here, up to 1,500
    (`local`), or the share of the first 1,500 applied to `upper_bound` (`estimated`, `exact` false).
    The sample is taken from the first page. 422 names every condition at fault, as saving would.

    Args:
        segment_id (UUID):
        body (FilterSet):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[PreviewRead | Problem]
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
    body: FilterSet,
) -> PreviewRead | Problem | None:
    """Preview unsaved filters: how many contacts they select, and a sample

     Bounded whatever the list's size: Intercom's count when its search evaluates every condition
    (`method` `intercom`); else the contacts its part selects read and counted here, up to 1,500
    (`local`), or the share of the first 1,500 applied to `upper_bound` (`estimated`, `exact` false).
    The sample is taken from the first page. 422 names every condition at fault, as saving would.

    Args:
        segment_id (UUID):
        body (FilterSet):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        PreviewRead | Problem
    """

    return (
        await asyncio_detailed(
            segment_id=segment_id,
            client=client,
            body=body,
        )
    ).parsed
