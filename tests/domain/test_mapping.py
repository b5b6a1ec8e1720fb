from __future__ import annotations

import pytest

from app.domain.syncs.mapping import MappedCustomer, Skip, map_contact
from app.intercom.models import Contact


def contact(**fields: object) -> Contact:
    return Contact.model_validate({"id": "c1", "role": "user", **fields})


def test_email_is_trimmed_and_lower_cased_and_custom_attributes_become_properties() -> None:
    mapped = map_contact(
        contact(
            email="  Ana.Lopez@Example.COM ",
            name=" Ana López ",
            phone="+33 1 23",
            signed_up_at=1_700_000_000,
            location={"country": "France", "city": "Paris"},
            custom_attributes={"plan": "Pro", "country": "custom wins not"},
        )
    )
    assert mapped == MappedCustomer(
        email="ana.lopez@example.com",
        name="Ana López",
        phone="+33 1 23",
        properties={
            "plan": "Pro",
            "country": "France",
            "city": "Paris",
            "intercom_role": "user",
            "signed_up_at": "2023-11-14T22:13:20+00:00",
        },
    )


@pytest.mark.parametrize(
    ("email", "reason"),
    [(None, "no_email"), ("", "no_email"), ("   ", "no_email"), ("not-an-email", "invalid_email")],
)
def test_contacts_without_a_usable_email_are_skipped_with_a_reason(
    email: str | None, reason: str
) -> None:
    with pytest.raises(Skip) as skipped:
        map_contact(contact(email=email))
    assert skipped.value.reason == reason
