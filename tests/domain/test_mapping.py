"""A contact mapped by a run's config: targets, conversions, and what is skipped or fails."""

from __future__ import annotations

import pytest

from app.domain.mapping.config import MappedAttribute, RunConfig, standard_config
from app.domain.mapping.conversions import Conversion
from app.domain.properties.catalog import Target
from app.domain.syncs.mapping import Fail, MappedCustomer, Skip, attribute_value, map_contact
from app.intercom.models import Contact

STANDARD = standard_config()


def contact(**fields: object) -> Contact:
    return Contact.model_validate({"id": "c1", "role": "user", **fields})


def mapped(attribute: str, key: str, conversion: Conversion) -> MappedAttribute:
    return MappedAttribute(
        attribute=attribute, property=key, conversion=conversion, target=Target.PROPERTIES
    )


def test_the_standard_mapping_fills_the_columns_and_default_properties_only() -> None:
    result = map_contact(
        contact(
            email="  Ana.Lopez@Example.COM ",
            name=" Ana López ",
            phone="+33 1 23",
            signed_up_at=1_700_000_000,
            last_seen_at=None,
            browser_language="fr",
            location={"country": "France", "city": "Paris", "region": "IdF"},
            custom_attributes={"plan": "Pro"},
        ),
        STANDARD,
    )
    assert result == MappedCustomer(
        email="ana.lopez@example.com",
        name="Ana López",
        phone="+33 1 23",
        properties={
            "country": "France",
            "city": "Paris",
            "language": "fr",
            "signed_up_at": "2023-11-14T22:13:20Z",
        },
    )


def test_mapped_custom_attributes_are_converted_and_unmapped_ones_left_out() -> None:
    config = RunConfig(
        mapping=(
            *STANDARD.mapping,
            mapped("custom_attributes.plan", "plan", Conversion.TEXT),
            mapped("custom_attributes.mrr", "revenue", Conversion.NUMBER),
            mapped("custom_attributes.seats", "seats", Conversion.NUMBER_FROM_TEXT),
            mapped("custom_attributes.beta", "beta", Conversion.BOOLEAN_FROM_TEXT),
            mapped("custom_attributes.renewal", "renewal", Conversion.DATE_FROM_UNIX),
        )
    )
    result = map_contact(
        contact(
            email="a@x.io",
            custom_attributes={
                "plan": "Pro",
                "mrr": 99.5,
                "seats": " 12 ",
                "beta": "Yes",
                "renewal": 1_764_493_200,
                "secret": "not mapped",
            },
        ),
        config,
    )
    assert result.properties == {
        "plan": "Pro",
        "revenue": 99.5,
        "seats": 12,
        "beta": True,
        "renewal": "2025-11-30T09:00:00Z",
    }


def test_a_value_that_does_not_convert_fails_the_contact_naming_the_property() -> None:
    config = RunConfig(
        mapping=(*STANDARD.mapping, mapped("custom_attributes.seats", "seats", Conversion.NUMBER))
    )
    with pytest.raises(Fail) as failed:
        map_contact(contact(email="a@x.io", custom_attributes={"seats": "many"}), config)
    assert failed.value.reason == "conversion_failed:seats"


@pytest.mark.parametrize("policy", [True, False])
def test_an_unsubscribed_contact_unsubscribes_its_customer_when_the_integration_says_so(
    policy: bool,
) -> None:
    config = RunConfig(mapping=STANDARD.mapping, unsubscribe_from_intercom=policy)
    result = map_contact(contact(email="a@x.io", unsubscribed_from_emails=True), config)
    assert result.unsubscribed is policy


@pytest.mark.parametrize(
    ("email", "reason"),
    [(None, "no_email"), ("", "no_email"), ("   ", "no_email"), ("not-an-email", "invalid_email")],
)
def test_contacts_without_a_usable_email_are_skipped_with_a_reason(
    email: str | None, reason: str
) -> None:
    with pytest.raises(Skip) as skipped:
        map_contact(contact(email=email), STANDARD)
    assert skipped.value.reason == reason


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("email", "a@x.io"),
        ("location.city", "Paris"),
        ("location.nowhere", None),
        ("custom_attributes.plan", "Pro"),
        ("custom_attributes.gone", None),
        ("signed_up_at", 5),
        ("custom_attributes", None),
        ("no_such_attribute", None),
    ],
)
def test_attribute_values_are_read_by_their_full_name(name: str, value: object) -> None:
    subject = contact(
        email="a@x.io",
        signed_up_at=5,
        location={"city": "Paris"},
        custom_attributes={"plan": "Pro"},
    )
    assert attribute_value(subject, name) == value


def test_a_contact_without_an_email_is_skipped_as_such_whatever_else_fails() -> None:
    config = RunConfig(
        mapping=(mapped("custom_attributes.seats", "seats", Conversion.NUMBER), *STANDARD.mapping)
    )
    with pytest.raises(Skip) as skipped:
        map_contact(contact(email=None, custom_attributes={"seats": "many"}), config)
    assert skipped.value.reason == "no_email"
