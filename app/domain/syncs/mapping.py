"""The default mapping of an Intercom contact to a customer of ours, and the checks that keep a
bad value from reaching the database: a contact that cannot be imported raises `Skip` (nothing
to import: no email) or `Fail` (a value we cannot store), each with a reason code."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson

from app.intercom.models import Contact

# Deliberately loose: one "@", no spaces, a dot in the domain. Intercom already validated it.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

# The columns' sizes (models/customers.py); a longer value fails its contact, not the batch.
MAX_EMAIL = 320
MAX_NAME = 300
MAX_PHONE = 64
MAX_CONTACT_ID = 64
MAX_PROPERTIES_BYTES = 64 * 1024


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


class Fail(Exception):
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


def check_text(field: str, value: str | None, max_length: int | None = None) -> None:
    """PostgreSQL refuses NUL in text and jsonb, and lone surrogates cannot be encoded."""
    if value is None:
        return
    if max_length is not None and len(value) > max_length:
        raise Fail(f"value_too_long:{field}")
    if "\x00" in value or not (value.isascii() or _encodable(value)):
        raise Fail(f"invalid_text:{field}")


def _encodable(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def properties_json(properties: dict[str, Any]) -> str:
    """The properties as the JSON the database stores, or Fail naming the first bad value.

    orjson refuses lone surrogates and integers beyond 64 bits and writes NUL as an escape, so
    one pass over the encoded bytes is the check; the slow walk only runs to name the culprit."""
    try:
        encoded = orjson.dumps(properties)
    except (orjson.JSONEncodeError, TypeError):
        _name_bad_value(properties)
        raise Fail("invalid_value:properties") from None
    if b"\\u0000" in encoded:
        _name_bad_value(properties)
    if len(encoded) > MAX_PROPERTIES_BYTES:
        raise Fail("value_too_long:properties")
    return encoded.decode()


def _name_bad_value(properties: dict[str, Any]) -> None:
    try:
        for key, value in properties.items():
            check_text("properties", key)
            _check_value(f"properties.{key}", value)
    except RecursionError:
        raise Fail("invalid_value:properties") from None


def _check_value(field: str, value: Any) -> None:
    if isinstance(value, str):
        check_text(field, value)
    elif isinstance(value, dict):
        for key, item in value.items():
            check_text(field, str(key))
            _check_value(field, item)
    elif isinstance(value, list):
        for item in value:
            _check_value(field, item)
