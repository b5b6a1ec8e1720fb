from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.webhook_ack import WebhookAck
from ...types import Response


def _get_kwargs() -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/webhooks/intercom",
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Problem | WebhookAck | None:
    if response.status_code == 200:
        response_200 = WebhookAck.from_dict(response.json())

        return response_200

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 413:
        response_413 = Problem.from_dict(response.json())

        return response_413

    if response.status_code == 422:
        response_422 = Problem.from_dict(response.json())

        return response_422

    if response.status_code == 503:
        response_503 = Problem.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Problem | WebhookAck]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
) -> Response[Problem | WebhookAck]:
    """Receive an Intercom webhook notification

     Verifies `X-Hub-Signature` (HMAC-SHA1 of the raw body with the Intercom app's client secret) before
    reading anything, stores the notification once by its `id` and answers at once; the work happens in
    a job. A redelivered notification is acknowledged and changes nothing. Topics acted on:
    `contact.deleted`, `contact.archived` (the integration's `on_deleted_in_intercom`),
    `contact.unsubscribed` (`on_unsubscribed_in_intercom`), `contact.user.created`,
    `contact.lead.created`, `contact.user.updated`, `contact.lead.updated`, `contact.lead.signed_up`,
    `contact.lead.added_email`, `contact.email.updated` (written for each auto-synced list that holds
    the contact, as its sync would), `contact.merged` (the lists move to the surviving contact, and a
    customer of the same email stays; the merged one is handled as deleted), `ping`; any other is stored
    and ignored.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | WebhookAck]
    """

    kwargs = _get_kwargs()

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
) -> Problem | WebhookAck | None:
    """Receive an Intercom webhook notification

     Verifies `X-Hub-Signature` (HMAC-SHA1 of the raw body with the Intercom app's client secret) before
    reading anything, stores the notification once by its `id` and answers at once; the work happens in
    a job. A redelivered notification is acknowledged and changes nothing. Topics acted on:
    `contact.deleted`, `contact.archived` (the integration's `on_deleted_in_intercom`),
    `contact.unsubscribed` (`on_unsubscribed_in_intercom`), `contact.user.created`,
    `contact.lead.created`, `contact.user.updated`, `contact.lead.updated`, `contact.lead.signed_up`,
    `contact.lead.added_email`, `contact.email.updated` (written for each auto-synced list that holds
    the contact, as its sync would), `contact.merged` (the lists move to the surviving contact, and a
    customer of the same email stays; the merged one is handled as deleted), `ping`; any other is stored
    and ignored.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | WebhookAck
    """

    return sync_detailed(
        client=client,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
) -> Response[Problem | WebhookAck]:
    """Receive an Intercom webhook notification

     Verifies `X-Hub-Signature` (HMAC-SHA1 of the raw body with the Intercom app's client secret) before
    reading anything, stores the notification once by its `id` and answers at once; the work happens in
    a job. A redelivered notification is acknowledged and changes nothing. Topics acted on:
    `contact.deleted`, `contact.archived` (the integration's `on_deleted_in_intercom`),
    `contact.unsubscribed` (`on_unsubscribed_in_intercom`), `contact.user.created`,
    `contact.lead.created`, `contact.user.updated`, `contact.lead.updated`, `contact.lead.signed_up`,
    `contact.lead.added_email`, `contact.email.updated` (written for each auto-synced list that holds
    the contact, as its sync would), `contact.merged` (the lists move to the surviving contact, and a
    customer of the same email stays; the merged one is handled as deleted), `ping`; any other is stored
    and ignored.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | WebhookAck]
    """

    kwargs = _get_kwargs()

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
) -> Problem | WebhookAck | None:
    """Receive an Intercom webhook notification

     Verifies `X-Hub-Signature` (HMAC-SHA1 of the raw body with the Intercom app's client secret) before
    reading anything, stores the notification once by its `id` and answers at once; the work happens in
    a job. A redelivered notification is acknowledged and changes nothing. Topics acted on:
    `contact.deleted`, `contact.archived` (the integration's `on_deleted_in_intercom`),
    `contact.unsubscribed` (`on_unsubscribed_in_intercom`), `contact.user.created`,
    `contact.lead.created`, `contact.user.updated`, `contact.lead.updated`, `contact.lead.signed_up`,
    `contact.lead.added_email`, `contact.email.updated` (written for each auto-synced list that holds
    the contact, as its sync would), `contact.merged` (the lists move to the surviving contact, and a
    customer of the same email stays; the merged one is handled as deleted), `ping`; any other is stored
    and ignored.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | WebhookAck
    """

    return (
        await asyncio_detailed(
            client=client,
        )
    ).parsed
