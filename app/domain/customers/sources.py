"""What a sync hands the customer repository and what it gets back: plain values, so that the
sync pipeline that makes and reads them stays pure (no database import)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass


@dataclass(slots=True)
class IncomingSource:
    """What one Intercom contact would make of its customer, ready for the database: every value
    already checked (lengths, NUL, JSON) by the sync pipeline."""

    intercom_contact_id: str
    role: str
    email: str
    name: str | None
    phone: str | None
    properties_json: str
    intercom_updated_at: int
    # Unsubscribes its customer from surveys (the contact unsubscribed from Intercom emails).
    unsubscribed: bool = False

    @property
    def rank(self) -> tuple[bool, int, str]:
        """Sorts the winner first among sources of one integration: the order of WINNER_ORDER."""
        return (self.role != "user", -self.intercom_updated_at, self.intercom_contact_id)


@dataclass(frozen=True)
class WriteOptions:
    """The segment's settings, as a batch applies them."""

    segment_id: uuid.UUID
    # Duplicates "skip": a contact whose email already is a customer leaves it untouched.
    skip_existing: bool = False
    # Put on every customer the batch writes; None takes the segment's tag away from them,
    # when `untag` (the segment may have tagged them before).
    tag: str | None = None
    untag: bool = True


@dataclass(frozen=True)
class BatchWrite:
    """What the database made of a batch, for the pipeline to report."""

    customer_by_email: dict[str, uuid.UUID]
    created: set[uuid.UUID]
    changed: set[uuid.UUID]
    # The source each customer takes its values from: (integration id, Intercom contact id).
    winners: dict[uuid.UUID, tuple[uuid.UUID, str]]
    # Emails that already were customers, left untouched (duplicates "skip").
    skipped_existing: frozenset[str] = frozenset()
    # Contacts read older than the state stored already (a webhook wrote a newer one while a
    # sync read its page): left as they are.
    stale: frozenset[str] = frozenset()
