"""A preview of unsaved filters: how many contacts of the list they select, and a sample.

Bounded whatever the list's size (counting.py): Intercom's `total_count` of the pushed query
when every condition runs in Intercom; else the pushed query's contacts counted here when there
are at most PREVIEW_READ_LIMIT of them, or that many read and the share they show extrapolated
(said so). The sample is the first page's contacts that the whole filter set selects, with the
values the list's mapping gives them."""

from __future__ import annotations

import contextlib
import uuid
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.filters import apply, counting, pushdown
from app.domain.filters.counting import CountMethod
from app.domain.filters.language import FilterSet
from app.domain.filters.service import mapped_property_types
from app.domain.filters.validate import compile_filters
from app.domain.integrations import service as integration_service
from app.domain.mapping import service as mapping_service
from app.domain.mapping.config import RunConfig
from app.domain.ports import IntercomGateway, SecretCipher
from app.domain.scope import AccountScope
from app.domain.segments import service as segment_service
from app.domain.syncs.mapping import Fail, Skip, map_contact
from app.domain.syncs.pipeline import filter_values
from app.intercom.models import Contact

SAMPLE_SIZE = 10
# Ten pages of Intercom's search, read a few ranges at once: a few seconds under the shared
# rate budget.
PREVIEW_READ_LIMIT = 1500
PREVIEW_CONCURRENCY = 4


class PreviewContact(BaseModel):
    intercom_contact_id: str
    email: str
    name: str | None
    phone: str | None
    properties: dict[str, Any]


class PreviewRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "count": 312,
                    "exact": True,
                    "method": "local",
                    "upper_bound": 1480,
                    "sample": [
                        {
                            "intercom_contact_id": "6762f0d21bb69f9f2193bb7c",
                            "email": "ada@example.com",
                            "name": "Ada Lovelace",
                            "phone": None,
                            "properties": {"plan": "Pro", "country": "United Kingdom"},
                        }
                    ],
                }
            ]
        }
    )

    count: int = Field(
        description="Contacts of the list the filters select (see `method`), those without a "
        "usable email included: a sync skips them as `no_email`."
    )
    exact: bool = Field(description="False when `count` is estimated.")
    method: CountMethod = Field(
        description="`intercom`: Intercom's count (every condition runs in its search); "
        "`local`: the contacts Intercom's part selects, read and evaluated here; "
        "`estimated`: the first "
        f"{PREVIEW_READ_LIMIT} of them read, and their share of `upper_bound` given."
    )
    upper_bound: int = Field(
        description="Intercom's count of what its part of the filters selects."
    )
    sample: list[PreviewContact] = Field(
        description=f"Up to {SAMPLE_SIZE} selected contacts, with their mapped values."
    )


async def preview(
    session: AsyncSession,
    account: AccountScope,
    segment_id: uuid.UUID,
    data: FilterSet,
    *,
    intercom: IntercomGateway,
    cipher: SecretCipher,
) -> PreviewRead:
    segment = await segment_service.get(session, account, segment_id)
    segment_service.ensure_syncable(segment)
    integration = await integration_service.get(session, account, segment.integration_id)
    integration_service.ensure_usable(integration)
    compile_filters(data, await mapped_property_types(session, account, segment))  # 422
    config, _ = await mapping_service.run_config(session, account, segment, integration)
    config = config.model_copy(update={"filters": data})
    query, custom_types = pushdown.search_query(segment_service.search_query(segment), config)
    workspace = integration_service.workspace_for(integration, intercom, cipher)
    counted = await counting.count_selected(
        workspace,
        segment_service.search_query(segment),
        config,
        timezone=integration.timezone,
        read_limit=PREVIEW_READ_LIMIT,
        concurrency=PREVIEW_CONCURRENCY,
    )
    accept = apply.predicate(config)
    reader = workspace.reader(
        query,
        timezone=integration.timezone,
        concurrency=1,
        custom_attribute_types=custom_types,
    )
    sample: list[PreviewContact] = []
    async with contextlib.aclosing(reader.pages()) as pages:
        async for page in pages:
            for contact in page.contacts:
                if isinstance(contact, Contact) and len(sample) < SAMPLE_SIZE:
                    item = _selected(contact, config, accept)
                    if item is not None:
                        sample.append(item)
            break  # one page: a preview, not a sync
    return PreviewRead(
        count=counted.count,
        exact=counted.exact,
        method=counted.method,
        upper_bound=counted.upper_bound,
        sample=sample,
    )


def _selected(
    contact: Contact, config: RunConfig, accept: apply.Predicate | None
) -> PreviewContact | None:
    try:
        mapped = map_contact(contact, config)
    except (Skip, Fail):
        return None
    if accept is not None and not accept(filter_values(mapped)):
        return None
    return PreviewContact(
        intercom_contact_id=contact.id,
        email=mapped.email,
        name=mapped.name,
        phone=mapped.phone,
        properties=mapped.properties,
    )
