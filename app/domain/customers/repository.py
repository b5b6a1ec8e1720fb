from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import literal_column, select, tuple_
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import Label

from app.domain.models import Customer, CustomerSource
from app.domain.syncs.mapping import MappedCustomer


@dataclass(frozen=True, slots=True)
class IncomingContact:
    intercom_contact_id: str
    role: str
    customer: MappedCustomer


@dataclass
class BatchOutcome:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped_reasons: dict[str, int] = field(default_factory=dict)

    def skip(self, reason: str) -> None:
        self.skipped_reasons[reason] = self.skipped_reasons.get(reason, 0) + 1


class CustomerRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def page_for_account(
        self, account_id: uuid.UUID, *, after: tuple[datetime, uuid.UUID] | None, limit: int
    ) -> Sequence[Customer]:
        query = select(Customer).where(Customer.account_id == account_id)
        if after is not None:
            query = query.where(tuple_(Customer.created_at, Customer.id) > tuple_(*after))
        result = await self.session.scalars(
            query.order_by(Customer.created_at, Customer.id).limit(limit)
        )
        return result.all()

    async def upsert_batch(
        self,
        account_id: uuid.UUID,
        integration_id: uuid.UUID,
        sync_run_id: uuid.UUID,
        contacts: Sequence[IncomingContact],
    ) -> BatchOutcome:
        """Creates or updates customers by normalised email and links them to their contact.

        Two contacts of one run with the same email are duplicates: the first one wins, in this
        batch or an earlier one (known through `last_sync_run_id`, so a resumed run agrees).
        """
        outcome = BatchOutcome()
        first_by_email: dict[str, IncomingContact] = {}
        for contact in contacts:
            if contact.customer.email in first_by_email:
                outcome.skip("duplicate_email")
            else:
                first_by_email[contact.customer.email] = contact
        if not first_by_email:
            return outcome

        existing = {
            customer.email: customer
            for customer in await self.session.scalars(
                select(Customer).where(
                    Customer.account_id == account_id, Customer.email.in_(first_by_email)
                )
            )
        }
        owned_this_run = await self.session.execute(
            select(CustomerSource.customer_id, CustomerSource.intercom_contact_id).where(
                CustomerSource.account_id == account_id,
                CustomerSource.integration_id == integration_id,
                CustomerSource.last_sync_run_id == sync_run_id,
                CustomerSource.customer_id.in_([c.id for c in existing.values()]),
            )
        )
        owners_this_run: dict[uuid.UUID, str] = {row[0]: row[1] for row in owned_this_run}

        to_write: list[IncomingContact] = []
        kept: list[IncomingContact] = []
        for email, contact in first_by_email.items():
            current = existing.get(email)
            if current is not None:
                owner = owners_this_run.get(current.id)
                if owner is not None and owner != contact.intercom_contact_id:
                    outcome.skip("duplicate_email")
                    continue
                if _same(current, contact.customer):
                    outcome.unchanged += 1
                    kept.append(contact)
                    continue
            to_write.append(contact)
            kept.append(contact)

        ids_by_email = {email: customer.id for email, customer in existing.items()}
        if to_write:
            values = insert(Customer).values(
                [
                    {
                        "id": uuid.uuid4(),
                        "account_id": account_id,
                        "email": c.customer.email,
                        "name": c.customer.name,
                        "phone": c.customer.phone,
                        "properties": c.customer.properties,
                    }
                    for c in to_write
                ]
            )
            upsert = values.on_conflict_do_update(
                index_elements=[Customer.account_id, Customer.email],
                set_={
                    "name": values.excluded.name,
                    "phone": values.excluded.phone,
                    "properties": values.excluded.properties,
                    "updated_at": datetime.now(UTC),
                },
            )
            # xmax = 0 only on a freshly inserted row: tells created from updated in one trip.
            inserted_flag: Label[bool] = literal_column("xmax = 0").label("inserted")
            written = await self.session.execute(
                upsert.returning(Customer.id, Customer.email, inserted_flag)
            )
            for customer_id, email, inserted in written:
                ids_by_email[email] = customer_id
                if inserted:
                    outcome.created += 1
                else:
                    outcome.updated += 1

        now = datetime.now(UTC)
        link = insert(CustomerSource).values(
            [
                {
                    "id": uuid.uuid4(),
                    "account_id": account_id,
                    "customer_id": ids_by_email[c.customer.email],
                    "integration_id": integration_id,
                    "intercom_contact_id": c.intercom_contact_id,
                    "role": c.role,
                    "synced_at": now,
                    "last_sync_run_id": sync_run_id,
                }
                for c in kept
            ]
        )
        await self.session.execute(
            link.on_conflict_do_update(
                index_elements=[CustomerSource.integration_id, CustomerSource.intercom_contact_id],
                set_={
                    "customer_id": link.excluded.customer_id,
                    "role": link.excluded.role,
                    "synced_at": link.excluded.synced_at,
                    "last_sync_run_id": link.excluded.last_sync_run_id,
                },
            )
        )
        return outcome


def _same(current: Customer, incoming: MappedCustomer) -> bool:
    properties: dict[str, Any] = current.properties or {}
    return (
        current.name == incoming.name
        and current.phone == incoming.phone
        and properties == incoming.properties
    )
