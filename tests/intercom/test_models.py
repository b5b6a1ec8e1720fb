from __future__ import annotations

from app.intercom.models import ContactDetail, ContactList, DataAttributeList, MalformedContact


def test_a_contact_with_unknown_fields_and_full_addressable_lists_parses() -> None:
    contact = ContactDetail.model_validate(
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


def test_a_malformed_contact_in_a_page_is_kept_as_such_and_the_others_parse() -> None:
    page = ContactList.parse_json(
        b'{"type": "list", "total_count": 3, "data": ['
        b'{"id": "1", "role": "user"},'
        b'{"role": "user", "email": "no-id@x.io"},'
        b'{"id": "3", "role": "visitor", "created_at": "yesterday"}]}'
    )
    good, missing_id, wrong_types = page.data
    assert not isinstance(good, MalformedContact)
    assert missing_id == MalformedContact(id="", problem="invalid fields: id")
    assert isinstance(wrong_types, MalformedContact)
    assert wrong_types.id == "3"
    assert wrong_types.problem == "invalid fields: created_at, role"
