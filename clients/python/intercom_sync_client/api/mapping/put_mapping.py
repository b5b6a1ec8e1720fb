from http import HTTPStatus
from typing import Any
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.mapping_read import MappingRead
from ...models.mapping_update import MappingUpdate
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    segment_id: UUID,
    *,
    body: MappingUpdate,
    if_match: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(if_match, Unset):
        headers["if-match"] = if_match

    _kwargs: dict[str, Any] = {
        "method": "put",
        "url": "/v1/segments/{segment_id}/mapping".format(
            segment_id=quote(str(segment_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> MappingRead | Problem | None:
    if response.status_code == 200:
        response_200 = MappingRead.from_dict(response.json())

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
) -> Response[MappingRead | Problem]:
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
    body: MappingUpdate,
    if_match: str | Unset = UNSET,
) -> Response[MappingRead | Problem]:
    """Save and confirm the list's mapping, creating new properties on the way

     Replaces the mapping whole. Each entry names an attribute of the cache (an archived one is allowed,
    a removed one is not) and an existing property (`property`) or one to create (`create_property`,
    created in the same transaction). 422 names every entry at fault (unknown attribute or property, a
    property mapped twice, a pair that does not convert, `email` not mapped); 409 `property_key_taken`
    for a property to create whose key exists; 409 `mapping_breaks_filters` when the list's filters name
    a property it would no longer fill; 412 `version_mismatch` when If-Match names an older version.
    Nothing is saved on any error.

    Args:
        segment_id (UUID):
        if_match (str | Unset): The ETag of the version read (a quoted number): the write is
            refused with 412 `version_mismatch` if someone saved since. Without it, the write applies
            to whatever is current.
        body (MappingUpdate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[MappingRead | Problem]
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
    body: MappingUpdate,
    if_match: str | Unset = UNSET,
) -> MappingRead | Problem | None:
    """Save and confirm the list's mapping, creating new properties on the way

     Replaces the mapping whole. Each entry names an attribute of the cache (an archived one is allowed,
    a removed one is not) and an existing property (`property`) or one to create (`create_property`,
    created in the same transaction). 422 names every entry at fault (unknown attribute or property, a
    property mapped twice, a pair that does not convert, `email` not mapped); 409 `property_key_taken`
    for a property to create whose key exists; 409 `mapping_breaks_filters` when the list's filters name
    a property it would no longer fill; 412 `version_mismatch` when If-Match names an older version.
    Nothing is saved on any error.

    Args:
        segment_id (UUID):
        if_match (str | Unset): The ETag of the version read (a quoted number): the write is
            refused with 412 `version_mismatch` if someone saved since. Without it, the write applies
            to whatever is current.
        body (MappingUpdate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        MappingRead | Problem
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
    body: MappingUpdate,
    if_match: str | Unset = UNSET,
) -> Response[MappingRead | Problem]:
    """Save and confirm the list's mapping, creating new properties on the way

     Replaces the mapping whole. Each entry names an attribute of the cache (an archived one is allowed,
    a removed one is not) and an existing property (`property`) or one to create (`create_property`,
    created in the same transaction). 422 names every entry at fault (unknown attribute or property, a
    property mapped twice, a pair that does not convert, `email` not mapped); 409 `property_key_taken`
    for a property to create whose key exists; 409 `mapping_breaks_filters` when the list's filters name
    a property it would no longer fill; 412 `version_mismatch` when If-Match names an older version.
    Nothing is saved on any error.

    Args:
        segment_id (UUID):
        if_match (str | Unset): The ETag of the version read (a quoted number): the write is
            refused with 412 `version_mismatch` if someone saved since. Without it, the write applies
            to whatever is current.
        body (MappingUpdate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[MappingRead | Problem]
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
    body: MappingUpdate,
    if_match: str | Unset = UNSET,
) -> MappingRead | Problem | None:
    """Save and confirm the list's mapping, creating new properties on the way

     Replaces the mapping whole. Each entry names an attribute of the cache (an archived one is allowed,
    a removed one is not) and an existing property (`property`) or one to create (`create_property`,
    created in the same transaction). 422 names every entry at fault (unknown attribute or property, a
    property mapped twice, a pair that does not convert, `email` not mapped); 409 `property_key_taken`
    for a property to create whose key exists; 409 `mapping_breaks_filters` when the list's filters name
    a property it would no longer fill; 412 `version_mismatch` when If-Match names an older version.
    Nothing is saved on any error.

    Args:
        segment_id (UUID):
        if_match (str | Unset): The ETag of the version read (a quoted number): the write is
            refused with 412 `version_mismatch` if someone saved since. Without it, the write applies
            to whatever is current.
        body (MappingUpdate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        MappingRead | Problem
    """

    return (
        await asyncio_detailed(
            segment_id=segment_id,
            client=client,
            body=body,
            if_match=if_match,
        )
    ).parsed
