from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.property_create import PropertyCreate
from ...models.property_read import PropertyRead
from ...types import Response


def _get_kwargs(
    *,
    body: PropertyCreate,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/properties",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Problem | PropertyRead | None:
    if response.status_code == 201:
        response_201 = PropertyRead.from_dict(response.json())

        return response_201

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

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
) -> Response[Problem | PropertyRead]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: PropertyCreate,
) -> Response[Problem | PropertyRead]:
    """Create a custom property

     The key is lower snake case, at most 64 characters, and fixed once created; so is the type. 409
    `property_key_reserved` for a default property's key, `property_key_taken` when the account has a
    custom property with the key (without regard to case).

    Args:
        body (PropertyCreate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | PropertyRead]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    body: PropertyCreate,
) -> Problem | PropertyRead | None:
    """Create a custom property

     The key is lower snake case, at most 64 characters, and fixed once created; so is the type. 409
    `property_key_reserved` for a default property's key, `property_key_taken` when the account has a
    custom property with the key (without regard to case).

    Args:
        body (PropertyCreate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | PropertyRead
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: PropertyCreate,
) -> Response[Problem | PropertyRead]:
    """Create a custom property

     The key is lower snake case, at most 64 characters, and fixed once created; so is the type. 409
    `property_key_reserved` for a default property's key, `property_key_taken` when the account has a
    custom property with the key (without regard to case).

    Args:
        body (PropertyCreate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | PropertyRead]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: PropertyCreate,
) -> Problem | PropertyRead | None:
    """Create a custom property

     The key is lower snake case, at most 64 characters, and fixed once created; so is the type. 409
    `property_key_reserved` for a default property's key, `property_key_taken` when the account has a
    custom property with the key (without regard to case).

    Args:
        body (PropertyCreate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | PropertyRead
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
