from __future__ import annotations

import re
import unicodedata
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.customers.errors import CustomerNotFound
from app.domain.customers.repository import CustomerRepository, ListedCustomer
from app.domain.customers.schemas import (
    CustomerContact,
    CustomerDetail,
    CustomerEventRead,
    CustomerList,
    CustomerPage,
    CustomerRead,
)
from app.domain.events import outbox as events_outbox
from app.domain.events.outbox import Cause
from app.domain.models import (
    Customer,
    CustomerSource,
    IntercomEvent,
    Segment,
    SegmentMember,
    SyncRun,
)
from app.domain.pagination import decode_cursor, encode_cursor
from app.domain.scope import AccountScope
from app.domain.types import has_control_characters
from app.errors import InvalidInput


async def list_page(
    session: AsyncSession,
    account: AccountScope,
    *,
    cursor: str | None,
    limit: int,
    tag: str | None = None,
    subscribed: bool | None = None,
    integration_id: uuid.UUID | None = None,
    segment_id: uuid.UUID | None = None,
    properties: Sequence[str] = (),
) -> CustomerPage:
    after: tuple[int, uuid.UUID] | None = None
    if cursor:
        created_xid, customer_id = decode_cursor(cursor, arity=2)
        try:
            # A transaction id: a non-negative bigint (a forged larger one would reach the
            # database and fail there).
            if not isinstance(created_xid, int) or isinstance(created_xid, bool):
                raise TypeError
            if not 0 <= created_xid < 2**63:
                raise ValueError
            after = (created_xid, uuid.UUID(customer_id))
        except (TypeError, ValueError, AttributeError):
            raise InvalidInput("query.cursor", "is not a cursor returned by this API") from None
    if tag is not None:
        if has_control_characters(tag):
            raise InvalidInput("query.tag", "must not contain control characters")
        # Tags are stored composed (SafeText): "Café" typed either way finds them.
        tag = unicodedata.normalize("NFC", tag.strip())
    repository = CustomerRepository(session)
    rows = await repository.page_for_account(
        account,
        after=after,
        limit=limit + 1,
        tag=tag,
        subscribed=subscribed,
        integration_id=integration_id,
        segment_id=segment_id,
        properties=parse_property_filters(properties),
    )
    page = rows[:limit]
    tags = await repository.tags_of(account, [row.id for row in page])
    next_cursor = None
    if len(rows) > limit:
        last = page[-1]
        next_cursor = encode_cursor([last.created_xid, str(last.id)])
    return CustomerPage(
        data=[to_read(row, tags.get(row.id, [])) for row in page], next_cursor=next_cursor
    )


MAX_PROPERTY_FILTERS = 10
PROPERTY_KEY = re.compile(r"[a-z][a-z0-9_]{0,99}")
MAX_PROPERTY_FILTER_VALUE = 500

# What `list_page` accepts, as JSON Schema patterns for the documented query (surrogates aside:
# a pattern cannot name them, and no UTF-8 query holds one).
_NO_CONTROL = r"[^\u0000-\u001f\u007f-\u009f]"
TAG_PATTERN = f"^{_NO_CONTROL}*$"
PROPERTY_FILTER_PATTERN = f"^{PROPERTY_KEY.pattern}:{_NO_CONTROL}{{0,{MAX_PROPERTY_FILTER_VALUE}}}$"


def parse_property_filters(filters: Sequence[str]) -> list[tuple[str, str]]:
    """`key:value` pairs, all to hold: a property of the customer (or `email`, `name`, `phone`)
    equal to the value, compared as text (`plan:pro`, `seats:12`, `beta_tester:true`)."""
    if len(filters) > MAX_PROPERTY_FILTERS:
        raise InvalidInput("query.property", f"at most {MAX_PROPERTY_FILTERS} filters")
    parsed = []
    for raw in filters:
        key, colon, value = raw.partition(":")
        if not colon or not PROPERTY_KEY.fullmatch(key):
            raise InvalidInput(
                "query.property",
                "must be key:value, the key a property key (lower case letters, digits, _)",
            )
        if len(value) > MAX_PROPERTY_FILTER_VALUE or has_control_characters(value):
            raise InvalidInput(
                "query.property", "a value is at most 500 characters, without control ones"
            )
        parsed.append((key, unicodedata.normalize("NFC", value)))
    return parsed


def to_read(customer: Customer | ListedCustomer, tags: list[str]) -> CustomerRead:
    return CustomerRead(
        id=customer.id,
        email=customer.email,
        name=customer.name,
        phone=customer.phone,
        properties=customer.properties,
        tags=tags,
        subscribed=customer.unsubscribed_at is None,
        unsubscribed_at=customer.unsubscribed_at,
        created_at=customer.created_at,
        updated_at=customer.updated_at,
    )


async def get(
    session: AsyncSession, account: AccountScope, customer_id: uuid.UUID, *, lock: bool = False
) -> Customer:
    query = select(Customer).where(Customer.id == customer_id, Customer.account_id == account.id)
    if lock:
        query = query.with_for_update()
    customer = await session.scalar(query)
    if customer is None:
        raise CustomerNotFound(customer_id)
    return customer


async def detail(
    session: AsyncSession, account: AccountScope, customer_id: uuid.UUID
) -> CustomerDetail:
    customer = await get(session, account, customer_id)
    tags = await CustomerRepository(session).tags_of(account, [customer.id])
    sources = (
        await session.scalars(
            select(CustomerSource)
            .where(
                CustomerSource.account_id == account.id, CustomerSource.customer_id == customer.id
            )
            .order_by(CustomerSource.integration_id, CustomerSource.intercom_contact_id)
        )
    ).all()
    memberships = (
        await session.execute(
            select(
                SegmentMember.intercom_contact_id,
                Segment.integration_id,
                Segment.id,
                Segment.name,
                SyncRun.started_at,
            )
            .join(Segment, Segment.id == SegmentMember.segment_id)
            .outerjoin(
                SyncRun,
                (SyncRun.id == SegmentMember.last_seen_run_id) & (SyncRun.account_id == account.id),
            )
            .where(
                SegmentMember.account_id == account.id,
                Segment.account_id == account.id,
                SegmentMember.intercom_contact_id.in_([s.intercom_contact_id for s in sources]),
            )
            .order_by(Segment.name, Segment.id)
        )
    ).all()
    lists: dict[tuple[uuid.UUID, str], list[CustomerList]] = {}
    for contact_id, integration_id, segment_id, name, started_at in memberships:
        lists.setdefault((integration_id, contact_id), []).append(
            CustomerList(segment_id=segment_id, name=name, last_synced_at=started_at)
        )
    events = (
        await session.scalars(
            select(IntercomEvent)
            .where(IntercomEvent.account_id == account.id, IntercomEvent.customer_id == customer.id)
            .order_by(IntercomEvent.id.desc())
            .limit(20)
        )
    ).all()
    read = to_read(customer, tags.get(customer.id, []))
    return CustomerDetail(
        **read.model_dump(),
        contacts=[
            CustomerContact(
                integration_id=source.integration_id,
                intercom_contact_id=source.intercom_contact_id,
                role=source.role,
                winner=source.content_hash == customer.content_hash,
                changed_at=source.changed_at,
                lists=lists.get((source.integration_id, source.intercom_contact_id), []),
            )
            for source in sources
        ],
        events=[CustomerEventRead.model_validate(event, from_attributes=True) for event in events],
    )


async def unsubscribe(
    session: AsyncSession, account: AccountScope, customer_id: uuid.UUID
) -> CustomerDetail:
    """Unsubscribes the customer from surveys; the events the integrations ask for are written
    with it. Unsubscribing again changes nothing and sends nothing."""
    customer = await get(session, account, customer_id, lock=True)
    if customer.unsubscribed_at is None:
        customer.unsubscribed_at = datetime.now(UTC)
        customer.updated_at = datetime.now(UTC)
        await session.flush()
        await events_outbox.record(session, account, customer.id, Cause.SURVEY_UNSUBSCRIBE)
    return await detail(session, account, customer_id)


async def delete(session: AsyncSession, account: AccountScope, customer_id: uuid.UUID) -> int:
    """Deletes the customer (its sources, tags and list links go with it); the events the
    integrations ask for are written first, from its sources. Answers how many."""
    customer = await get(session, account, customer_id, lock=True)
    written = await events_outbox.record(session, account, customer.id, Cause.CUSTOMER_DELETED)
    await session.delete(customer)
    await session.flush()
    return written
