from __future__ import annotations

from app.intercom.models import Contact, DataAttributeList


def test_a_contact_with_unknown_fields_and_full_addressable_lists_parses() -> None:
    contact = Contact.model_validate(
        {
            "id": "1",
            "role": "lead",
            "email": "",
            "brand_new_field": {"nested": True},
            "tags": {"data": [{"id": "t1", "type": "tag"}], "has_more": True, "total_count": 12},
            "notes": {"data": [], "has_more": False, "total_count": 0},
            "location": {"type": "location", "country": None, "continent_code": "EU"},
            "android_last_seen_at": 1_700_000_000,
        }
    )
    assert contact.tags is not None
    assert contact.tags.has_more
    assert contact.location is not None
    assert contact.location.continent_code == "EU"


def test_data_attributes_of_an_unknown_type_are_kept() -> None:
    listed = DataAttributeList.model_validate(
        {
            "type": "list",
            "data": [
                {
                    "name": "created_at",
                    "full_name": "created_at",
                    "label": "Created",
                    "data_type": "datetime",
                },
            ],
        }
    )
    assert listed.data[0].data_type == "datetime"
