from http import HTTPStatus
from typing import Any
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.customer_page import CustomerPage
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    cursor: None | str | Unset = UNSET,
    limit: int | Unset = 100,
    tag: None | str | Unset = UNSET,
    subscribed: bool | None | Unset = UNSET,
    integration_id: None | Unset | UUID = UNSET,
    segment_id: None | Unset | UUID = UNSET,
    property_: list[str] | None | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_cursor: None | str | Unset
    if isinstance(cursor, Unset):
        json_cursor = UNSET
    else:
        json_cursor = cursor
    params["cursor"] = json_cursor

    params["limit"] = limit

    json_tag: None | str | Unset
    if isinstance(tag, Unset):
        json_tag = UNSET
    else:
        json_tag = tag
    params["tag"] = json_tag

    json_subscribed: bool | None | Unset
    if isinstance(subscribed, Unset):
        json_subscribed = UNSET
    else:
        json_subscribed = subscribed
    params["subscribed"] = json_subscribed

    json_integration_id: None | str | Unset
    if isinstance(integration_id, Unset):
        json_integration_id = UNSET
    elif isinstance(integration_id, UUID):
        json_integration_id = str(integration_id)
    else:
        json_integration_id = integration_id
    params["integration_id"] = json_integration_id

    json_segment_id: None | str | Unset
    if isinstance(segment_id, Unset):
        json_segment_id = UNSET
    elif isinstance(segment_id, UUID):
        json_segment_id = str(segment_id)
    else:
        json_segment_id = segment_id
    params["segment_id"] = json_segment_id

    json_property_: list[str] | None | Unset
    if isinstance(property_, Unset):
        json_property_ = UNSET
    elif isinstance(property_, list):
        json_property_ = property_

    else:
        json_property_ = property_
    params["property"] = json_property_

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/customers",
        "params": params,
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> CustomerPage | Problem | None:
    if response.status_code == 200:
        response_200 = CustomerPage.from_dict(response.json())

        return response_200

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 422:
        response_422 = Problem.from_dict(response.json())

        return response_422

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[CustomerPage | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    cursor: None | str | Unset = UNSET,
    limit: int | Unset = 100,
    tag: None | str | Unset = UNSET,
    subscribed: bool | None | Unset = UNSET,
    integration_id: None | Unset | UUID = UNSET,
    segment_id: None | Unset | UUID = UNSET,
    property_: list[str] | None | Unset = UNSET,
) -> Response[CustomerPage | Problem]:
    """The account's customers, oldest first, with cursor pagination

    Args:
        cursor (None | str | Unset): `next_cursor` of the previous page.
        limit (int | Unset):  Default: 100.
        tag (None | str | Unset): Only customers with this tag.
        subscribed (bool | None | Unset): Only customers subscribed to surveys (true) or
            unsubscribed (false).
        integration_id (None | Unset | UUID): Only customers that came from this integration's
            workspace.
        segment_id (None | Unset | UUID): Only customers with a contact in this list or segment.
        property_ (list[str] | None | Unset): `key:value`, repeatable (all must hold): only
            customers whose property `key` (a custom or default property, or `email`, `name`, `phone`)
            equals `value`, compared as text: `property=country:France&property=plan:pro`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CustomerPage | Problem]
    """

    kwargs = _get_kwargs(
        cursor=cursor,
        limit=limit,
        tag=tag,
        subscribed=subscribed,
        integration_id=integration_id,
        segment_id=segment_id,
        property_=property_,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    cursor: None | str | Unset = UNSET,
    limit: int | Unset = 100,
    tag: None | str | Unset = UNSET,
    subscribed: bool | None | Unset = UNSET,
    integration_id: None | Unset | UUID = UNSET,
    segment_id: None | Unset | UUID = UNSET,
    property_: list[str] | None | Unset = UNSET,
) -> CustomerPage | Problem | None:
    """The account's customers, oldest first, with cursor pagination

    Args:
        cursor (None | str | Unset): `next_cursor` of the previous page.
        limit (int | Unset):  Default: 100.
        tag (None | str | Unset): Only customers with this tag.
        subscribed (bool | None | Unset): Only customers subscribed to surveys (true) or
            unsubscribed (false).
        integration_id (None | Unset | UUID): Only customers that came from this integration's
            workspace.
        segment_id (None | Unset | UUID): Only customers with a contact in this list or segment.
        property_ (list[str] | None | Unset): `key:value`, repeatable (all must hold): only
            customers whose property `key` (a custom or default property, or `email`, `name`, `phone`)
            equals `value`, compared as text: `property=country:France&property=plan:pro`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CustomerPage | Problem
    """

    return sync_detailed(
        client=client,
        cursor=cursor,
        limit=limit,
        tag=tag,
        subscribed=subscribed,
        integration_id=integration_id,
        segment_id=segment_id,
        property_=property_,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    cursor: None | str | Unset = UNSET,
    limit: int | Unset = 100,
    tag: None | str | Unset = UNSET,
    subscribed: bool | None | Unset = UNSET,
    integration_id: None | Unset | UUID = UNSET,
    segment_id: None | Unset | UUID = UNSET,
    property_: list[str] | None | Unset = UNSET,
) -> Response[CustomerPage | Problem]:
    """The account's customers, oldest first, with cursor pagination

    Args:
        cursor (None | str | Unset): `next_cursor` of the previous page.
        limit (int | Unset):  Default: 100.
        tag (None | str | Unset): Only customers with this tag.
        subscribed (bool | None | Unset): Only customers subscribed to surveys (true) or
            unsubscribed (false).
        integration_id (None | Unset | UUID): Only customers that came from this integration's
            workspace.
        segment_id (None | Unset | UUID): Only customers with a contact in this list or segment.
        property_ (list[str] | None | Unset): `key:value`, repeatable (all must hold): only
            customers whose property `key` (a custom or default property, or `email`, `name`, `phone`)
            equals `value`, compared as text: `property=country:France&property=plan:pro`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CustomerPage | Problem]
    """

    kwargs = _get_kwargs(
        cursor=cursor,
        limit=limit,
        tag=tag,
        subscribed=subscribed,
        integration_id=integration_id,
        segment_id=segment_id,
        property_=property_,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    cursor: None | str | Unset = UNSET,
    limit: int | Unset = 100,
    tag: None | str | Unset = UNSET,
    subscribed: bool | None | Unset = UNSET,
    integration_id: None | Unset | UUID = UNSET,
    segment_id: None | Unset | UUID = UNSET,
    property_: list[str] | None | Unset = UNSET,
) -> CustomerPage | Problem | None:
    """The account's customers, oldest first, with cursor pagination

    Args:
        cursor (None | str | Unset): `next_cursor` of the previous page.
        limit (int | Unset):  Default: 100.
        tag (None | str | Unset): Only customers with this tag.
        subscribed (bool | None | Unset): Only customers subscribed to surveys (true) or
            unsubscribed (false).
        integration_id (None | Unset | UUID): Only customers that came from this integration's
            workspace.
        segment_id (None | Unset | UUID): Only customers with a contact in this list or segment.
        property_ (list[str] | None | Unset): `key:value`, repeatable (all must hold): only
            customers whose property `key` (a custom or default property, or `email`, `name`, `phone`)
            equals `value`, compared as text: `property=country:France&property=plan:pro`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CustomerPage | Problem
    """

    return (
        await asyncio_detailed(
            client=client,
            cursor=cursor,
            limit=limit,
            tag=tag,
            subscribed=subscribed,
            integration_id=integration_id,
            segment_id=segment_id,
            property_=property_,
        )
    ).parsed
