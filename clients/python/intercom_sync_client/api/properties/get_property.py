from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.property_read import PropertyRead
from ...types import Response


def _get_kwargs(
    property_key: str,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/properties/{property_key}".format(
            property_key=quote(str(property_key), safe=""),
        ),
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Problem | PropertyRead | None:
    if response.status_code == 200:
        response_200 = PropertyRead.from_dict(response.json())

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
) -> Response[Problem | PropertyRead]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    property_key: str,
    *,
    client: AuthenticatedClient,
) -> Response[Problem | PropertyRead]:
    """Read one property, default or custom

    Args:
        property_key (str): The property's key, e.g. `plan_tier` (keys are lower snake case).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | PropertyRead]
    """

    kwargs = _get_kwargs(
        property_key=property_key,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    property_key: str,
    *,
    client: AuthenticatedClient,
) -> Problem | PropertyRead | None:
    """Read one property, default or custom

    Args:
        property_key (str): The property's key, e.g. `plan_tier` (keys are lower snake case).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | PropertyRead
    """

    return sync_detailed(
        property_key=property_key,
        client=client,
    ).parsed


async def asyncio_detailed(
    property_key: str,
    *,
    client: AuthenticatedClient,
) -> Response[Problem | PropertyRead]:
    """Read one property, default or custom

    Args:
        property_key (str): The property's key, e.g. `plan_tier` (keys are lower snake case).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | PropertyRead]
    """

    kwargs = _get_kwargs(
        property_key=property_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    property_key: str,
    *,
    client: AuthenticatedClient,
) -> Problem | PropertyRead | None:
    """Read one property, default or custom

    Args:
        property_key (str): The property's key, e.g. `plan_tier` (keys are lower snake case).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | PropertyRead
    """

    return (
        await asyncio_detailed(
            property_key=property_key,
            client=client,
        )
    ).parsed
