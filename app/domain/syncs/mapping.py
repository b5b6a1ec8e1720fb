"""The default mapping of an Intercom contact to a customer of ours."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from app.intercom.models import Contact

# Deliberately loose: one "@", no spaces, a dot in the domain. Intercom already validated it.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True, slots=True)
class MappedCustomer:
    email: str
    name: str | None
    phone: str | None
    properties: dict[str, Any]


class Skip(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def normalise_email(raw: str | None) -> str | None:
    if raw is None:
        return None
    email = raw.strip().lower()
    return email or None


def _iso(timestamp: int | None) -> str | None:
    return datetime.fromtimestamp(timestamp, UTC).isoformat() if timestamp else None


def map_contact(contact: Contact) -> MappedCustomer:
    """Raises Skip when the contact cannot become a customer."""
    email = normalise_email(contact.email)
    if email is None:
        raise Skip("no_email")
    if not _EMAIL.match(email):
        raise Skip("invalid_email")
    location = contact.location
    standard: dict[str, Any] = {
        "intercom_role": contact.role,
        "external_id": contact.external_id,
        "country": location.country if location else None,
        "region": location.region if location else None,
        "city": location.city if location else None,
        "signed_up_at": _iso(contact.signed_up_at),
        "intercom_created_at": _iso(contact.created_at),
    }
    # Standard fields win over a custom attribute of the same name.
    properties = {
        **contact.custom_attributes,
        **{k: v for k, v in standard.items() if v is not None},
    }
    name = contact.name.strip() if contact.name else None
    phone = contact.phone.strip() if contact.phone else None
    return MappedCustomer(
        email=email, name=name or None, phone=phone or None, properties=properties
    )
