from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from app.api.deps import AccountDep, ReadSessionDep, SessionDep
from app.api.problems import problem_responses
from app.domain.customers import service as customer_service
from app.domain.customers.schemas import CustomerDetail, CustomerPage
from app.domain.pagination import MAX_CURSOR_LENGTH

router = APIRouter(tags=["customers"])


def _each_a_property_filter(schema: dict[str, Any]) -> None:
    for branch in schema.get("anyOf", []):
        if branch.get("type") == "array":
            branch["items"]["pattern"] = customer_service.PROPERTY_FILTER_PATTERN


@router.get(
    "/customers",
    response_model=CustomerPage,
    responses=problem_responses(401, 422),
    summary="The account's customers, oldest first, with cursor pagination",
)
async def list_customers(
    account: AccountDep,
    session: ReadSessionDep,
    cursor: Annotated[
        str | None,
        Query(max_length=MAX_CURSOR_LENGTH, description="`next_cursor` of the previous page."),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    tag: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=100,
            description="Only customers with this tag.",
            json_schema_extra={"pattern": customer_service.TAG_PATTERN},
        ),
    ] = None,
    subscribed: Annotated[
        bool | None,
        Query(description="Only customers subscribed to surveys (true) or unsubscribed (false)."),
    ] = None,
    integration_id: Annotated[
        uuid.UUID | None,
        Query(description="Only customers that came from this integration's workspace."),
    ] = None,
    segment_id: Annotated[
        uuid.UUID | None,
        Query(description="Only customers with a contact in this list or segment."),
    ] = None,
    property_filters: Annotated[
        list[str] | None,
        Query(
            alias="property",
            max_length=10,
            description="`key:value`, repeatable (all must hold): only customers whose property "
            "`key` (a custom or default property, or `email`, `name`, `phone`) equals `value`, "
            "compared as text: `property=country:France&property=plan:pro`.",
            examples=[["country:France", "plan:pro"]],
            json_schema_extra=_each_a_property_filter,
        ),
    ] = None,
) -> CustomerPage:
    return await customer_service.list_page(
        session,
        account,
        cursor=cursor,
        limit=limit,
        tag=tag,
        subscribed=subscribed,
        integration_id=integration_id,
        segment_id=segment_id,
        properties=property_filters or [],
    )


@router.get(
    "/customers/{customer_id}",
    response_model=CustomerDetail,
    responses=problem_responses(401, 404, 422),
    summary="A customer, with the Intercom contacts and lists it came from",
)
async def get_customer(
    customer_id: uuid.UUID, account: AccountDep, session: ReadSessionDep
) -> CustomerDetail:
    return await customer_service.detail(session, account, customer_id)


@router.post(
    "/customers/{customer_id}/unsubscribe",
    response_model=CustomerDetail,
    responses=problem_responses(401, 404, 422),
    summary="Unsubscribe a customer from surveys",
    description="Idempotent. The first time, each integration the customer came from whose "
    "settings enable `event_on_survey_unsubscribe` gets an event for the contact, sent by a job "
    "(see the customer's `events`).",
)
async def unsubscribe_customer(
    customer_id: uuid.UUID, account: AccountDep, session: SessionDep
) -> CustomerDetail:
    return await customer_service.unsubscribe(session, account, customer_id)


@router.delete(
    "/customers/{customer_id}",
    status_code=204,
    response_class=Response,  # no body, and no JSON content type claiming one
    responses=problem_responses(401, 404, 422),
    summary="Delete a customer",
    description="Its sources, tags and list links go with it. Each integration it came from "
    "whose settings enable `event_on_customer_deleted` gets an event for the contact, sent by "
    "a job (`GET /v1/integrations/{id}/events`). A later sync of a list that still holds the "
    "contact imports it again.",
)
async def delete_customer(customer_id: uuid.UUID, account: AccountDep, session: SessionDep) -> None:
    await customer_service.delete(session, account, customer_id)
