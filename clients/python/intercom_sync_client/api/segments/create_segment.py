from http import HTTPStatus
from typing import Any
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.segment_create import SegmentCreate
from ...models.segment_read import SegmentRead
from ...types import Response


def _get_kwargs(
    integration_id: UUID,
    *,
    body: SegmentCreate,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/integrations/{integration_id}/segments".format(
            integration_id=quote(str(integration_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Problem | SegmentRead | None:
    if response.status_code == 201:
        response_201 = SegmentRead.from_dict(response.json())

        return response_201

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
    integration_id: UUID,
    *,
    client: AuthenticatedClient,
    body: SegmentCreate,
) -> Response[Problem | SegmentRead]:
    """Create a custom segment on the Users or Leads list

     409 `segment_name_taken` when a custom segment of the integration already has the name (without
    regard to case).

    Args:
        integration_id (UUID):
        body (SegmentCreate): A custom segment: a main list (its filters come with the filter
            feature; until then it
            matches its whole source).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | SegmentRead]
    """

    kwargs = _get_kwargs(
        integration_id=integration_id,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    integration_id: UUID,
    *,
    client: AuthenticatedClient,
    body: SegmentCreate,
) -> Problem | SegmentRead | None:
    """Create a custom segment on the Users or Leads list

     409 `segment_name_taken` when a custom segment of the integration already has the name (without
    regard to case).

    Args:
        integration_id (UUID):
        body (SegmentCreate): A custom segment: a main list (its filters come with the filter
            feature; until then it
            matches its whole source).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | SegmentRead
    """

    return sync_detailed(
        integration_id=integration_id,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    integration_id: UUID,
    *,
    client: AuthenticatedClient,
    body: SegmentCreate,
) -> Response[Problem | SegmentRead]:
    """Create a custom segment on the Users or Leads list

     409 `segment_name_taken` when a custom segment of the integration already has the name (without
    regard to case).

    Args:
        integration_id (UUID):
        body (SegmentCreate): A custom segment: a main list (its filters come with the filter
            feature; until then it
            matches its whole source).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | SegmentRead]
    """

    kwargs = _get_kwargs(
        integration_id=integration_id,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    integration_id: UUID,
    *,
    client: AuthenticatedClient,
    body: SegmentCreate,
) -> Problem | SegmentRead | None:
    """Create a custom segment on the Users or Leads list

     409 `segment_name_taken` when a custom segment of the integration already has the name (without
    regard to case).

    Args:
        integration_id (UUID):
        body (SegmentCreate): A custom segment: a main list (its filters come with the filter
            feature; until then it
            matches its whole source).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | SegmentRead
    """

    return (
        await asyncio_detailed(
            integration_id=integration_id,
            client=client,
            body=body,
        )
    ).parsed
