from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response, status
from starlette.convertors import StringConvertor, register_url_convertor

from app.api.deps import AccountDep, AdaptersDep, ReadSessionDep, SessionDep
from app.api.problems import problem_responses
from app.domain.events import queries as event_queries
from app.domain.events.queries import IntercomEventPage
from app.domain.integrations import disconnect as integration_disconnect
from app.domain.integrations import oauth as integration_oauth
from app.domain.integrations import service as integration_service
from app.domain.integrations.errors import OAuthNotConfigured
from app.domain.integrations.schemas import (
    IntegrationCreate,
    IntegrationDisconnected,
    IntegrationPage,
    IntegrationRead,
    IntegrationUpdate,
    OAuthCallback,
    OAuthStart,
    OAuthStarted,
)
from app.domain.pagination import MAX_CURSOR_LENGTH
from app.intercom.oauth import IntercomOAuth

router = APIRouter(tags=["integrations"])


class IntegrationIdConvertor(StringConvertor):
    """Any path segment but `oauth`: that one is a resource of its own (POST only), so another
    method on it is a 405, not a request for an integration whose id is "oauth" (a 422)."""

    regex = "(?!oauth$)[^/]+"


register_url_convertor("integration_id", IntegrationIdConvertor())


class OAuthSetup:
    """This deployment's OAuth app, or a 503 `oauth_not_configured` when it has none."""

    def __init__(self, adapters: AdaptersDep) -> None:
        settings = adapters.settings
        client_id, client_secret = settings.intercom_client_id, settings.intercom_client_secret
        if not client_id or client_secret is None or not settings.oauth_redirect_uris:
            raise OAuthNotConfigured
        self.authorizer = IntercomOAuth(
            adapters.http,
            client_id=client_id,
            client_secret=client_secret,
            base_url_override=settings.intercom_base_url,
        )
        self.policy = integration_oauth.OAuthPolicy(
            redirect_uris=tuple(settings.oauth_redirect_uris),
            state_keys=settings.oauth_state_keys,
            state_ttl=timedelta(seconds=settings.oauth_state_ttl_s),
        )


OAuthDep = Annotated[OAuthSetup, Depends()]


@router.post(
    "/integrations",
    status_code=status.HTTP_201_CREATED,
    response_model=IntegrationRead,
    responses=problem_responses(400, 401, 409, 413, 415, 422, 502, 503),
    summary="Connect an Intercom workspace with an access token",
)
async def create_integration(
    data: IntegrationCreate,
    account: AccountDep,
    session: SessionDep,
    adapters: AdaptersDep,
    response: Response,
) -> IntegrationRead:
    """201 with a new integration, or a disconnected one of the same workspace revived (its
    lists and history back). 200 when the workspace's integration needed reauthorisation: it
    takes the new token. 409 `workspace_already_connected` when it is connected and healthy,
    `integration_limit_reached` when two are connected already."""
    connection = await integration_service.connect_with_token(
        session, account, data, intercom=adapters.intercom, cipher=adapters.cipher
    )
    if not connection.created:
        response.status_code = status.HTTP_200_OK
    return await integration_service.read(session, account, connection.integration)


@router.post(
    "/integrations/oauth",
    status_code=status.HTTP_201_CREATED,
    response_model=OAuthStarted,
    responses=problem_responses(400, 401, 409, 413, 415, 422, 503),
    summary="Start connecting an Intercom workspace with OAuth",
)
async def start_oauth(
    data: OAuthStart, account: AccountDep, session: SessionDep, oauth: OAuthDep
) -> OAuthStarted:
    """Send the admin to `authorize_url`; Intercom redirects to `redirect_uri` with `code` and
    `state`, which go to `POST /v1/integrations/oauth/callback`. 409
    `integration_limit_reached` when two workspaces are connected already; 422
    `oauth_redirect_not_allowed` for a redirect this deployment does not allow; 503
    `oauth_not_configured` without an OAuth app."""
    return await integration_oauth.start(
        session, account, data, policy=oauth.policy, authorizer=oauth.authorizer
    )


@router.post(
    "/integrations/oauth/callback",
    status_code=status.HTTP_201_CREATED,
    response_model=IntegrationRead,
    responses=problem_responses(400, 401, 409, 413, 415, 422, 502, 503),
    summary="Finish an OAuth connect with the code and state Intercom returned",
)
async def complete_oauth(
    data: OAuthCallback,
    account: AccountDep,
    session: SessionDep,
    adapters: AdaptersDep,
    oauth: OAuthDep,
    response: Response,
) -> IntegrationRead:
    """Connects like `POST /v1/integrations` (201, or 200 for a workspace that needed
    reauthorisation). 422 naming `body.state`: `oauth_state_invalid` (not signed by us),
    `oauth_state_unknown` (not this account's), `oauth_state_expired`, `oauth_state_used`;
    naming `body.code`: `oauth_code_rejected`."""
    connection = await integration_oauth.complete(
        session,
        account,
        data,
        policy=oauth.policy,
        authorizer=oauth.authorizer,
        intercom=adapters.intercom,
        cipher=adapters.cipher,
    )
    if not connection.created:
        response.status_code = status.HTTP_200_OK
    return await integration_service.read(session, account, connection.integration)


@router.get(
    "/integrations",
    response_model=IntegrationPage,
    responses=problem_responses(401),
    summary="List the account's connected workspaces, with their last sync stats",
)
async def list_integrations(account: AccountDep, session: ReadSessionDep) -> IntegrationPage:
    integrations = await integration_service.list_all(session, account)
    reads = [await integration_service.read(session, account, item) for item in integrations]
    return IntegrationPage(data=reads, next_cursor=None)


@router.get(
    "/integrations/{integration_id:integration_id}",
    response_model=IntegrationRead,
    responses=problem_responses(401, 404, 422),
    summary="Read one integration",
)
async def get_integration(
    integration_id: uuid.UUID, account: AccountDep, session: ReadSessionDep
) -> IntegrationRead:
    integration = await integration_service.get(session, account, integration_id)
    return await integration_service.read(session, account, integration)


@router.patch(
    "/integrations/{integration_id:integration_id}",
    response_model=IntegrationRead,
    responses=problem_responses(400, 401, 404, 415, 422),
    summary="Rename an integration",
)
async def update_integration(
    integration_id: uuid.UUID, data: IntegrationUpdate, account: AccountDep, session: SessionDep
) -> IntegrationRead:
    integration = await integration_service.rename(session, account, integration_id, data.name)
    return await integration_service.read(session, account, integration)


@router.delete(
    "/integrations/{integration_id:integration_id}",
    response_model=IntegrationDisconnected,
    responses=problem_responses(401, 404, 422),
    summary="Disconnect an integration",
)
async def disconnect_integration(
    integration_id: uuid.UUID,
    account: AccountDep,
    session: SessionDep,
    delete_customers: Annotated[
        bool,
        Query(
            description="Also delete the customers that only this workspace brought (every "
            "source of theirs is one of its contacts); others keep theirs."
        ),
    ] = False,
) -> IntegrationDisconnected:
    """Destroys the token and frees the slot; its lists stop auto-syncing and their active
    syncs end `cancelled` (`integration_disconnected`). Customers and sync history stay unless
    `delete_customers`. Connecting the same workspace again revives it, lists and history
    included."""
    result = await integration_disconnect.disconnect(
        session, account, integration_id, delete_customers=delete_customers
    )
    return IntegrationDisconnected(
        cancelled_syncs=result.cancelled_syncs, deleted_customers=result.deleted_customers
    )


@router.get(
    "/integrations/{integration_id}/events",
    response_model=IntercomEventPage,
    responses=problem_responses(401, 404, 422),
    summary="Events sent to the workspace's contacts, newest first",
    description="Events for Intercom written when a customer unsubscribed from surveys or was "
    "deleted here (as the integration's settings ask): `pending` until a job sends them, "
    "`sent`, or `failed` with `last_error` (`contact_not_found`, `token_rejected`, …; a "
    "rejected token also marks the integration `reauth_required`).",
)
async def list_integration_events(
    integration_id: uuid.UUID,
    account: AccountDep,
    session: ReadSessionDep,
    cursor: Annotated[
        str | None,
        Query(max_length=MAX_CURSOR_LENGTH, description="`next_cursor` of the previous page."),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> IntercomEventPage:
    return await event_queries.for_integration(
        session, account, integration_id, cursor=cursor, limit=limit
    )
