from http import HTTPStatus
from typing import Any
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.suggestion_list import SuggestionList
from ...types import Response


def _get_kwargs(
    segment_id: UUID,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/segments/{segment_id}/mapping/suggestions".format(
            segment_id=quote(str(segment_id), safe=""),
        ),
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Problem | SuggestionList | None:
    if response.status_code == 200:
        response_200 = SuggestionList.from_dict(response.json())

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
) -> Response[Problem | SuggestionList]:
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
) -> Response[Problem | SuggestionList]:
    """For each Intercom attribute, the property it should import into, and why

     From the integration's cached data attributes (refresh the data to see new ones). A suggestion names
    an existing property (`property`) or proposes one to create (`create`), with a `reason`:
    `standard_attribute`, `same_key`, `same_label`, `no_match`, `archived` or `removed`.

    Args:
        segment_id (UUID):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | SuggestionList]
    """

    kwargs = _get_kwargs(
        segment_id=segment_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    segment_id: UUID,
    *,
    client: AuthenticatedClient,
) -> Problem | SuggestionList | None:
    """For each Intercom attribute, the property it should import into, and why

     From the integration's cached data attributes (refresh the data to see new ones). A suggestion names
    an existing property (`property`) or proposes one to create (`create`), with a `reason`:
    `standard_attribute`, `same_key`, `same_label`, `no_match`, `archived` or `removed`.

    Args:
        segment_id (UUID):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | SuggestionList
    """

    return sync_detailed(
        segment_id=segment_id,
        client=client,
    ).parsed


async def asyncio_detailed(
    segment_id: UUID,
    *,
    client: AuthenticatedClient,
) -> Response[Problem | SuggestionList]:
    """For each Intercom attribute, the property it should import into, and why

     From the integration's cached data attributes (refresh the data to see new ones). A suggestion names
    an existing property (`property`) or proposes one to create (`create`), with a `reason`:
    `standard_attribute`, `same_key`, `same_label`, `no_match`, `archived` or `removed`.

    Args:
        segment_id (UUID):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | SuggestionList]
    """

    kwargs = _get_kwargs(
        segment_id=segment_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    segment_id: UUID,
    *,
    client: AuthenticatedClient,
) -> Problem | SuggestionList | None:
    """For each Intercom attribute, the property it should import into, and why

     From the integration's cached data attributes (refresh the data to see new ones). A suggestion names
    an existing property (`property`) or proposes one to create (`create`), with a `reason`:
    `standard_attribute`, `same_key`, `same_label`, `no_match`, `archived` or `removed`.

    Args:
        segment_id (UUID):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | SuggestionList
    """

    return (
        await asyncio_detailed(
            segment_id=segment_id,
            client=client,
        )
    ).parsed
