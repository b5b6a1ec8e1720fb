"""The spec check that every sandbox in the suite goes through can fail: it knows a wrong shape."""

from __future__ import annotations

import orjson
import pytest

from tests.intercom_spec import SHARED_SPEC_PATH, SPEC_PATH, problems_with


def entry(path: str, status: int, body: object) -> dict[str, object]:
    return {
        "method": "GET",
        "path": path,
        "route": path,
        "query": {},
        "status": status,
        "content_type": "application/json",
        "body": orjson.dumps(body).decode(),
    }


def test_a_contact_list_with_wrong_types_is_caught() -> None:
    wrong = {"type": "list", "data": [{"type": "contact", "id": 7}], "total_count": "many"}
    assert problems_with(entry("/contacts", 200, wrong))


def test_an_error_body_without_its_code_is_caught() -> None:
    assert problems_with(entry("/me", 429, {"type": "error.list", "errors": [{"message": "x"}]}))


def test_a_well_formed_error_list_passes() -> None:
    body = {"type": "error.list", "request_id": "r", "errors": [{"code": "not_found"}]}
    assert problems_with(entry("/contacts/x", 404, body)) == []


def test_vendored_spec_matches_the_shared_one() -> None:
    if not SHARED_SPEC_PATH.exists():
        pytest.skip("no ../shared checkout beside this one")
    assert SPEC_PATH.read_bytes() == SHARED_SPEC_PATH.read_bytes()
