from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response, status

from app.api.deps import AccountDep, ReadSessionDep, SessionDep
from app.api.problems import problem_responses
from app.domain.properties import service as property_service
from app.domain.properties.schemas import (
    PropertyCreate,
    PropertyPage,
    PropertyRead,
    PropertyUpdate,
)

router = APIRouter(tags=["properties"])

# Any text up to a length: a key that could not exist is a 404 like any unknown one.
PropertyKeyPath = Annotated[
    str,
    Path(
        max_length=200,
        description="The property's key, e.g. `plan_tier` (keys are lower snake case).",
    ),
]


@router.get(
    "/properties",
    response_model=PropertyPage,
    responses=problem_responses(401),
    summary="The customer properties a mapping can fill: the default ones, then the custom ones",
    description="The default properties (`kind` `default`, the same in every account, "
    "read-only) in catalog order, then the account's custom properties by key. One page.",
)
async def list_properties(account: AccountDep, session: ReadSessionDep) -> PropertyPage:
    return await property_service.page(session, account)


@router.post(
    "/properties",
    status_code=status.HTTP_201_CREATED,
    response_model=PropertyRead,
    responses=problem_responses(400, 401, 409, 413, 415, 422),
    summary="Create a custom property",
    description="The key is lower snake case, at most 64 characters, and fixed once created; "
    "so is the type. 409 `property_key_reserved` for a default property's key, "
    "`property_key_taken` when the account has a custom property with the key (without regard "
    "to case).",
)
async def create_property(
    data: PropertyCreate, account: AccountDep, session: SessionDep, response: Response
) -> PropertyRead:
    created = await property_service.create_custom(
        session, account, data.key, data.label, data.type
    )
    response.headers["Location"] = f"/v1/properties/{created.key}"
    return PropertyRead.of(created)


@router.get(
    "/properties/{property_key}",
    response_model=PropertyRead,
    responses=problem_responses(401, 404, 422),
    summary="Read one property, default or custom",
)
async def get_property(
    property_key: PropertyKeyPath, account: AccountDep, session: ReadSessionDep
) -> PropertyRead:
    return PropertyRead.of(await property_service.get(session, account, property_key))


@router.patch(
    "/properties/{property_key}",
    response_model=PropertyRead,
    responses=problem_responses(400, 401, 404, 409, 413, 415, 422),
    summary="Rename a custom property (its key and type are fixed)",
    description="Only the label changes; sending `key` or `type` is a 422 naming them. 409 "
    "`property_not_editable` for a default property.",
)
async def update_property(
    property_key: PropertyKeyPath, data: PropertyUpdate, account: AccountDep, session: SessionDep
) -> PropertyRead:
    renamed = await property_service.rename(session, account, property_key, data.label)
    return PropertyRead.of(renamed)


@router.delete(
    "/properties/{property_key}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,  # no body, and no JSON content type claiming one
    responses=problem_responses(401, 404, 409, 422),
    summary="Delete a custom property no saved mapping uses",
    description="409 `property_in_use` while the saved mapping of a list or segment names it "
    "(`segments` lists them: map them elsewhere first); 409 `property_not_editable` for a "
    "default property. Values customers already hold stay.",
)
async def delete_property(
    property_key: PropertyKeyPath, account: AccountDep, session: SessionDep
) -> None:
    await property_service.delete(session, account, property_key)
