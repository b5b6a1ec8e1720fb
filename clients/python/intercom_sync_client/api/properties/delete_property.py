from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...types import Response


def _get_kwargs(
    property_key: str,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "delete",
        "url": "/v1/properties/{property_key}".format(
            property_key=quote(str(property_key), safe=""),
        ),
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Any | Problem | None:
    if response.status_code == 204:
        response_204 = cast(Any, None)
        return response_204

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 404:
        response_404 = Problem.from_dict(response.json())

        return response_404

    if response.status_code == 409:
        response_409 = Problem.from_dict(response.json())

        return response_409

    if response.status_code == 422:
        response_422 = Problem.from_dict(response.json())

        return response_422

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Any | Problem]:
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
) -> Response[Any | Problem]:
    """Delete a custom property no saved mapping uses

     409 `property_in_use` while the saved mapping of a list or segment names it (`segments` lists them:
    map them elsewhere first); 409 `property_not_editable` for a default property. Values customers
    already hold stay.

    Args:
        property_key (str): The property's key, e.g. `plan_tier` (keys are lower snake case).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Problem]
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
) -> Any | Problem | None:
    """Delete a custom property no saved mapping uses

     409 `property_in_use` while the saved mapping of a list or segment names it (`segments` lists them:
    map them elsewhere first); 409 `property_not_editable` for a default property. Values customers
    already hold stay.

    Args:
        property_key (str): The property's key, e.g. `plan_tier` (keys are lower snake case).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Problem
    """

    return sync_detailed(
        property_key=property_key,
        client=client,
    ).parsed


async def asyncio_detailed(
    property_key: str,
    *,
    client: AuthenticatedClient,
) -> Response[Any | Problem]:
    """Delete a custom property no saved mapping uses

     409 `property_in_use` while the saved mapping of a list or segment names it (`segments` lists them:
    map them elsewhere first); 409 `property_not_editable` for a default property. Values customers
    already hold stay.

    Args:
        property_key (str): The property's key, e.g. `plan_tier` (keys are lower snake case).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Problem]
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
) -> Any | Problem | None:
    """Delete a custom property no saved mapping uses

     409 `property_in_use` while the saved mapping of a list or segment names it (`segments` lists them:
    map them elsewhere first); 409 `property_not_editable` for a default property. Values customers
    already hold stay.

    Args:
        property_key (str): The property's key, e.g. `plan_tier` (keys are lower snake case).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Problem
    """

    return (
        await asyncio_detailed(
            property_key=property_key,
            client=client,
        )
    ).parsed
