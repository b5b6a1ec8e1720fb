"""openapi.yaml is generated from the app (`make openapi`); this fails when it is stale. And the
schema says what the API reads: a request it documents as valid is not refused."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import jsonschema_rs
import pytest
import yaml
from pydantic import BaseModel, ValidationError

from app.api.versioning import expected_version
from app.cli import openapi_document
from app.domain.customers.service import parse_property_filters
from app.domain.mapping.schemas import MappingEntryWrite
from app.domain.segments.schemas import SegmentUpdate
from app.errors import InvalidInput

ROOT = Path(__file__).resolve().parent.parent
PLAN = {"key": "plan", "label": "Plan", "type": "text"}


def test_committed_openapi_yaml_matches_the_app() -> None:
    committed = (ROOT / "openapi.yaml").read_text()
    assert yaml.safe_load(committed) == yaml.safe_load(openapi_document()), (
        "openapi.yaml is stale: run `make openapi` and commit the result"
    )


def test_every_operation_documents_its_problems_and_security() -> None:
    document = yaml.safe_load(openapi_document())
    assert "bearerAuth" in document["components"]["securitySchemes"]
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if path == "/v1/webhooks/intercom":
                # Intercom signs notifications; its URL check (HEAD) carries nothing.
                expected: list[dict[str, list[str]]] = (
                    [] if method == "head" else [{"intercomSignature": []}]
                )
                assert operation.get("security") == expected, (method, path)
                if method == "head":
                    continue
            elif path.startswith("/v1/"):
                assert operation.get("security") == [{"bearerAuth": []}], (method, path)
                assert "401" in operation["responses"], (method, path)
                problem = operation["responses"]["401"]["content"]["application/problem+json"]
                assert problem["schema"] == {"$ref": "#/components/schemas/Problem"}


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(openapi_document())
    return loaded


def test_starting_oauth_documents_the_409_of_a_full_account(document: dict[str, Any]) -> None:
    responses = document["paths"]["/v1/integrations/oauth"]["post"]["responses"]
    assert "409" in responses  # integration_limit_reached, said before Intercom's consent screen


def test_the_webhook_url_check_documents_an_answer_without_a_body(
    document: dict[str, Any],
) -> None:
    answer = document["paths"]["/v1/webhooks/intercom"]["head"]["responses"]["200"]
    assert "content" not in answer  # a HEAD answer has no body, so no media type either


@pytest.mark.parametrize(
    ("model", "bodies"),
    [
        (
            SegmentUpdate,
            [
                {},
                {"use_default_mapping": True},
                {"name": None},
                {"name": "Trials"},
                {"auto_sync": False},
                {"name": None, "auto_sync": True},
            ],
        ),
        (
            MappingEntryWrite,
            [
                {"attribute": "email"},
                {"attribute": "email", "property": "email"},
                {"attribute": "email", "property": None, "create_property": None},
                {"attribute": "x", "property": "email", "create_property": PLAN},
                {"attribute": "x", "property": None, "create_property": PLAN},
            ],
        ),
    ],
)
def test_a_body_rule_beyond_the_fields_is_in_the_schema_too(
    document: dict[str, Any], model: type[BaseModel], bodies: list[dict[str, Any]]
) -> None:
    schema = {**document["components"]["schemas"][model.__name__], **document}
    validator = jsonschema_rs.validator_for(schema)
    for body in bodies:
        try:
            model.model_validate(body)
            accepted = True
        except ValidationError:
            accepted = False
        assert validator.is_valid(body) == accepted, body


def parameter(document: dict[str, Any], method: str, path: str, name: str) -> dict[str, Any]:
    (found,) = [p for p in document["paths"][path][method]["parameters"] if p["name"] == name]
    return cast(dict[str, Any], found)


def accepts(read: Callable[[Any], object], value: Any) -> bool:
    try:
        read(value)
    except InvalidInput:
        return False
    return True


@pytest.mark.parametrize(
    "value", ['"3"', ' "3" ', 'W/"3"', "*", '"99999999999"', "null", "3", '"3', '"x"', "", 'W/"']
)
async def test_the_documented_if_match_is_what_the_api_reads(
    document: dict[str, Any], value: str
) -> None:
    header = parameter(document, "put", "/v1/segments/{segment_id}/mapping", "if-match")
    assert "anyOf" not in header["schema"]  # text or absent: no JSON null to send
    try:
        await expected_version(value)
        accepted = True
    except InvalidInput:
        accepted = False
    assert bool(re.search(header["schema"]["pattern"], value)) == accepted


@pytest.mark.parametrize(
    "value",
    [
        *("plan:pro", "seats:", "a:b:c", "", ":x", "Plan:pro", "plan", "plan:\x00", "plan:\x85"),
        *("plan:" + "x" * 500, "plan:" + "x" * 501, "k" * 100 + ":v", "k" * 101 + ":v"),
    ],
)
def test_the_documented_property_filter_is_what_the_api_reads(
    document: dict[str, Any], value: str
) -> None:
    filters = parameter(document, "get", "/v1/customers", "property")
    pattern = filters["schema"]["anyOf"][0]["items"]["pattern"]
    assert bool(re.search(pattern, value)) == accepts(parse_property_filters, [value])
