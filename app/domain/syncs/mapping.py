"""An Intercom contact mapped to a customer of ours by the run's mapping (domain/mapping), and
the checks that keep a bad value from reaching the database: a contact that cannot be imported
raises `Skip` (nothing to import: no email) or `Fail` (a value that does not convert or that we
cannot store), each with a reason code."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

import orjson

from app.domain.mapping.config import RunConfig
from app.domain.mapping.conversions import ConversionFailed, convert, converter
from app.domain.properties.catalog import Target
from app.intercom.models import Contact, Location

# Deliberately loose: one "@", no spaces, a dot in the domain. Intercom already validated it.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

# The columns' sizes (models/customers.py); a longer value fails its contact, not the batch.
MAX_EMAIL = 320
MAX_NAME = 300
MAX_PHONE = 64
MAX_CONTACT_ID = 64
MAX_PROPERTIES_BYTES = 64 * 1024


@dataclass(slots=True)
class MappedCustomer:
    email: str
    name: str | None
    phone: str | None
    properties: dict[str, Any]
    # The contact unsubscribed from Intercom emails, and the integration passes that on.
    unsubscribed: bool = False


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


_CUSTOM = "custom_attributes."
_LOCATION = "location."
# Contact fields that are not attributes' values.
_NOT_ATTRIBUTES = frozenset({"custom_attributes", "location", "type"})


def attribute_value(contact: Contact, name: str) -> Any:
    """The value of the Intercom attribute `name` (its full_name) on the contact; None when
    the contact has none (an attribute deleted in Intercom, or one we do not read)."""
    if name.startswith(_CUSTOM):
        return contact.custom_attributes.get(name.removeprefix(_CUSTOM))
    if name.startswith(_LOCATION):
        location = contact.location
        field = name.removeprefix(_LOCATION)
        if location is None or field not in Location.model_fields:
            return None
        return getattr(location, field)
    if name in Contact.model_fields and name not in _NOT_ATTRIBUTES:
        return getattr(contact, name)
    return None


def _getter(name: str) -> Callable[[Contact], Any]:
    """`attribute_value` for one attribute, resolved once per batch rather than per contact."""
    if name.startswith(_CUSTOM):
        key = name.removeprefix(_CUSTOM)
        return lambda contact: contact.custom_attributes.get(key)
    if name.startswith(_LOCATION):
        field = name.removeprefix(_LOCATION)
        if field not in Location.model_fields:
            return lambda contact: None
        return lambda contact: (
            None if contact.location is None else getattr(contact.location, field)
        )
    if name.startswith(_LOCATION) or not (
        name in Contact.model_fields and name not in _NOT_ATTRIBUTES
    ):
        return lambda contact: attribute_value(contact, name)
    return attrgetter(name)


class Mapper:
    """A run's mapping, ready to apply to many contacts (a batch builds one)."""

    def __init__(self, config: RunConfig) -> None:
        self._unsubscribe = config.unsubscribe_from_intercom
        self._email = [
            (_getter(entry.attribute), entry.conversion)
            for entry in config.mapping
            if entry.target == Target.EMAIL
        ]
        self._others = [
            (_getter(entry.attribute), entry.conversion, entry.target, entry.property)
            for entry in config.mapping
            if entry.target != Target.EMAIL
        ]
        self._fast = [
            (get, converter(conversion), target is Target.PROPERTIES, target is Target.NAME, key)
            for get, conversion, target, key in self._others
        ]

    def map(self, contact: Contact) -> MappedCustomer:
        """Raises Skip when the contact cannot become a customer (no email), Fail when a value
        does not convert."""
        # The email first: a contact without one is skipped as such, whatever else fails.
        email = self._email_of(contact)
        if email is None:
            raise Skip("no_email")
        if not _EMAIL.match(email):
            raise Skip("invalid_email")
        name, phone, properties = self._others_of(contact)
        return MappedCustomer(
            email=email,
            name=name,
            phone=phone,
            properties=properties,
            unsubscribed=self._unsubscribe and contact.unsubscribed_from_emails,
        )

    def filter_values(self, contact: Contact, keys: Collection[str]) -> dict[str, Any]:
        """The values of properties `keys` as a run's filters see them (pipeline.filter_values),
        also for a contact without a usable email: a count says what the filters select, as
        Intercom's own count does. A value that does not convert is not set (a sync would fail
        the contact; a count does not judge what the filters do not ask about)."""
        values: dict[str, Any] = {"email": self._email_of(contact)} if "email" in keys else {}
        for get, conversion, target, key in self._others:
            if key not in keys:
                continue
            try:
                value = convert(conversion, get(contact))
            except ConversionFailed:
                continue
            if target != Target.PROPERTIES and isinstance(value, str):
                value = value.strip() or None
            values[key] = value
        return values

    def _email_of(self, contact: Contact) -> str | None:
        email: Any = None
        for get, conversion in self._email:
            try:
                email = convert(conversion, get(contact))
            except ConversionFailed:
                email = None
        return normalise_email(email) if isinstance(email, str) else None

    def _others_of(self, contact: Contact) -> tuple[str | None, str | None, dict[str, Any]]:
        name: str | None = None
        phone: str | None = None
        properties: dict[str, Any] = {}
        for get, conv, is_property, is_name, key in self._fast:
            raw = get(contact)
            if raw is None:
                continue
            try:
                value = conv(raw)
            except ConversionFailed:
                raise Fail(f"conversion_failed:{key}") from None
            if value is None:
                continue
            if is_property:
                properties[key] = value
            elif is_name:
                name = value.strip() or None
            else:
                phone = value.strip() or None
        return name, phone, properties


def map_contact(contact: Contact, config: RunConfig) -> MappedCustomer:
    """The customer the run's mapping makes of the contact (see Mapper.map)."""
    return Mapper(config).map(contact)


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
