from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.property_read import PropertyRead
from ...models.property_update import PropertyUpdate
from ...types import Response


def _get_kwargs(
    property_key: str,
    *,
    body: PropertyUpdate,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "patch",
        "url": "/v1/properties/{property_key}".format(
            property_key=quote(str(property_key), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Problem | PropertyRead | None:
    if response.status_code == 200:
        response_200 = PropertyRead.from_dict(response.json())

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
    body: PropertyUpdate,
) -> Response[Problem | PropertyRead]:
    """Rename a custom property (its key and type are fixed)

     Only the label changes; sending `key` or `type` is a 422 naming them. 409 `property_not_editable`
    for a default property.

    Args:
        property_key (str): The property's key, e.g. `plan_tier` (keys are lower snake case).
        body (PropertyUpdate): Renames a custom property: its key and type are fixed once it
            exists (mappings and
            customers' values refer to them).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | PropertyRead]
    """

    kwargs = _get_kwargs(
        property_key=property_key,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    property_key: str,
    *,
    client: AuthenticatedClient,
    body: PropertyUpdate,
) -> Problem | PropertyRead | None:
    """Rename a custom property (its key and type are fixed)

     Only the label changes; sending `key` or `type` is a 422 naming them. 409 `property_not_editable`
    for a default property.

    Args:
        property_key (str): The property's key, e.g. `plan_tier` (keys are lower snake case).
        body (PropertyUpdate): Renames a custom property: its key and type are fixed once it
            exists (mappings and
            customers' values refer to them).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | PropertyRead
    """

    return sync_detailed(
        property_key=property_key,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    property_key: str,
    *,
    client: AuthenticatedClient,
    body: PropertyUpdate,
) -> Response[Problem | PropertyRead]:
    """Rename a custom property (its key and type are fixed)

     Only the label changes; sending `key` or `type` is a 422 naming them. 409 `property_not_editable`
    for a default property.

    Args:
        property_key (str): The property's key, e.g. `plan_tier` (keys are lower snake case).
        body (PropertyUpdate): Renames a custom property: its key and type are fixed once it
            exists (mappings and
            customers' values refer to them).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | PropertyRead]
    """

    kwargs = _get_kwargs(
        property_key=property_key,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    property_key: str,
    *,
    client: AuthenticatedClient,
    body: PropertyUpdate,
) -> Problem | PropertyRead | None:
    """Rename a custom property (its key and type are fixed)

     Only the label changes; sending `key` or `type` is a 422 naming them. 409 `property_not_editable`
    for a default property.

    Args:
        property_key (str): The property's key, e.g. `plan_tier` (keys are lower snake case).
        body (PropertyUpdate): Renames a custom property: its key and type are fixed once it
            exists (mappings and
            customers' values refer to them).

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
            body=body,
        )
    ).parsed
