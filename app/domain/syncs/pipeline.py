"""The pure part of a sync: Intercom contacts in, sources for the database and a report out.

No I/O here, so every rule is unit-tested without a database (tests/domain/test_pipeline.py):
which contacts become sources, which fail or are skipped and why, which source creates a new
customer, and how the database's answer reads as created / updated / unchanged / skipped.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from app.domain.customers.sources import BatchWrite, IncomingSource
from app.domain.filters.apply import Predicate
from app.domain.mapping.config import RunConfig
from app.domain.syncs.mapping import (
    MAX_CONTACT_ID,
    MAX_EMAIL,
    MAX_NAME,
    MAX_PHONE,
    Fail,
    MappedCustomer,
    Mapper,
    Skip,
    check_text,
    properties_json,
)
from app.domain.syncs.report import Report
from app.intercom.models import Contact, MalformedContact

# Two Intercom contacts with one email: the winner supplies the customer's values; the others are
# linked to it (webhooks find the customer through them) and reported as skipped for this reason.
DUPLICATE_EMAIL = "duplicate_email"
# The same contact twice in one batch (a moving workspace): the most recent copy is kept.
DUPLICATE_CONTACT = "duplicate_contact"
# The list's filters do not select the contact.
FILTERED_OUT = "filtered_out"
# Duplicates "skip": the email already was a customer of the account, left untouched.
DUPLICATE_SKIPPED = "duplicate_skipped"
# Intercom sent an item that is not a contact (a field missing or of the wrong type).
MALFORMED_CONTACT = "malformed_contact"


@dataclass
class PreparedBatch:
    sources: list[IncomingSource]
    # Per email, the source a new customer takes its values from (the batch's winner).
    winners_by_email: dict[str, IncomingSource]
    report: Report
    # The contacts read that belong to the list, imported or not (all but those its filters
    # leave out): the members the run saw, whom removals must leave alone.
    seen: list[str] = field(default_factory=list)


def to_source(contact: Contact, mapper: Mapper, accept: Predicate | None = None) -> IncomingSource:
    """Raises Skip or Fail with the reason the contact cannot become a source."""
    check_text("id", contact.id, MAX_CONTACT_ID)
    check_text("email", contact.email)
    mapped = mapper.map(contact)
    if accept is not None and not accept(filter_values(mapped)):
        raise Skip(FILTERED_OUT)
    # After normalising: lower-casing can lengthen a string ("İ" becomes two characters).
    check_text("email", mapped.email, MAX_EMAIL)
    check_text("name", mapped.name, MAX_NAME)
    check_text("phone", mapped.phone, MAX_PHONE)
    return IncomingSource(
        intercom_contact_id=contact.id,
        role=contact.role,
        email=mapped.email,
        name=mapped.name,
        phone=mapped.phone,
        properties_json=properties_json(mapped.properties),
        intercom_updated_at=contact.updated_at or 0,
        unsubscribed=mapped.unsubscribed,
    )


def filter_values(mapped: MappedCustomer) -> dict[str, Any]:
    """The values filters see: every mapped property by its key, the columns included."""
    return {
        **mapped.properties,
        "email": mapped.email,
        "full_name": mapped.name,
        "phone": mapped.phone,
    }


def prepare(
    contacts: Iterable[Contact | MalformedContact],
    config: RunConfig,
    accept: Predicate | None = None,
) -> PreparedBatch:
    report = Report()
    mapper = Mapper(config)
    by_contact: dict[str, IncomingSource] = {}
    seen: list[str] = []
    for contact in contacts:
        report.fetched += 1
        contact_id = _reportable(contact.id)
        if isinstance(contact, MalformedContact):
            report.fail(MALFORMED_CONTACT, contact_id=contact_id)
            if contact_id:
                seen.append(contact_id)
            continue
        try:
            source = to_source(contact, mapper, accept)
        except Skip as skip:
            report.skip(skip.reason, contact_id=contact_id)
            if contact_id and skip.reason != FILTERED_OUT:
                seen.append(contact_id)
            continue
        except Fail as fail:
            report.fail(fail.reason, contact_id=contact_id)
            if contact_id:
                seen.append(contact_id)
            continue
        seen.append(source.intercom_contact_id)
        kept = by_contact.get(source.intercom_contact_id)
        if kept is not None:
            report.skip(DUPLICATE_CONTACT, contact_id=source.intercom_contact_id)
            if kept.intercom_updated_at >= source.intercom_updated_at:
                continue
        by_contact[source.intercom_contact_id] = source
    sources = sorted(by_contact.values(), key=lambda s: s.intercom_contact_id)
    winners: dict[str, IncomingSource] = {}
    for source in sources:
        best = winners.get(source.email)
        if best is None or source.rank < best.rank:
            winners[source.email] = source
    return PreparedBatch(sources=sources, winners_by_email=winners, report=report, seen=seen)


def _reportable(contact_id: str) -> str:
    """A contact id fit to store and show: Intercom's are short and plain; anything else (an
    over-long or odd id, the very reason a record failed) is reported without its id."""
    if 0 < len(contact_id) <= MAX_CONTACT_ID and contact_id.isprintable():
        return contact_id
    return ""


def classify(batch: PreparedBatch, integration_id: uuid.UUID, written: BatchWrite) -> Report:
    """The batch's report: each source is created, updated or unchanged when it is its
    customer's winner, else skipped as a duplicate email. (A new Report: a batch whose
    transaction is retried is classified again from scratch.)"""
    report = Report()
    report.add(batch.report)
    for source in batch.sources:
        if source.intercom_contact_id in written.stale:
            report.unchanged += 1  # what it would write, or newer, is stored already
            continue
        if source.email in written.skipped_existing:
            report.skip(DUPLICATE_SKIPPED, contact_id=source.intercom_contact_id)
            continue
        customer_id = written.customer_by_email[source.email]
        if written.winners.get(customer_id) != (integration_id, source.intercom_contact_id):
            report.skip(DUPLICATE_EMAIL, contact_id=source.intercom_contact_id)
        elif customer_id in written.created:
            report.created += 1
        elif customer_id in written.changed:
            report.updated += 1
        else:
            report.unchanged += 1
    return report
