"""openapi.yaml is generated from the app (`make openapi`), and the partner client in
clients/python from openapi.yaml (`make client`); these fail when either is stale. And the schema
says what the API reads: a request it documents as valid is not refused."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, cast

import jsonschema_rs
import pytest
import yaml
from openapi_schema_validator import OAS31Validator
from pydantic import BaseModel, ValidationError

from app.api.problems import PROBLEM_MEDIA_TYPE
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


# What using the committed client leaves in its folder: not generated, not compared.
_NOT_GENERATED = {"__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache"}


def _files(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in root.rglob("*")
        if path.is_file()
        and not _NOT_GENERATED.intersection(path.relative_to(root).parts)
        and not any(part.endswith(".egg-info") for part in path.relative_to(root).parts)
    }


def test_committed_partner_client_matches_openapi_yaml(tmp_path: Path) -> None:
    fresh = tmp_path / "python"
    subprocess.run(
        [sys.executable, ROOT / "scripts" / "generate_client.py", "--output", fresh],
        check=True,
        capture_output=True,
    )
    committed, generated = _files(ROOT / "clients" / "python"), _files(fresh)
    stale = sorted(
        name
        for name in committed.keys() | generated.keys()
        if committed.get(name) != generated.get(name)
    )
    assert not stale, f"clients/python is stale in {stale[:10]}: run `make client` and commit it"


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


def _operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            yield method, path, operation


def _resolved(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rpartition("/")[2]]
    return schema


def _has_example(document: dict[str, Any], media_type: dict[str, Any]) -> bool:
    schema = _resolved(document, media_type.get("schema", {}))
    # An optional body is `anyOf: [<its schema>, null]`: the example is on its schema.
    alternatives = [_resolved(document, s) for s in schema.get("anyOf", [])]
    return any(
        "example" in item or "examples" in item for item in [media_type, schema, *alternatives]
    )


# Liveness and readiness probes: no input to find fault with, no credential to refuse.
_PROBES = {"/healthz", "/readyz"}


def test_every_operation_reads_well_in_a_generated_client() -> None:
    """An operation id (the function's name in clients), a summary (its docstring), the problems
    it answers, and examples of what it takes and gives (docs, mock servers, tests)."""
    document = yaml.safe_load(openapi_document())
    faults: list[str] = []
    for method, path, operation in _operations(document):
        where = f"{method.upper()} {path}"
        if not operation.get("operationId"):
            faults.append(f"{where}: no operationId")
        if not operation.get("summary"):
            faults.append(f"{where}: no summary")
        if method == "head":
            continue  # an answer without a body: no problem document, nothing to exemplify
        problems = [
            status
            for status, response in operation["responses"].items()
            if status.startswith("4") and PROBLEM_MEDIA_TYPE in response.get("content", {})
        ]
        if not problems and path not in _PROBES:
            faults.append(f"{where}: no 4xx {PROBLEM_MEDIA_TYPE} response")
        body = operation.get("requestBody", {}).get("content", {}).get("application/json")
        if body is not None and not _has_example(document, body):
            faults.append(f"{where}: no example of its JSON body")
        for status, response in operation["responses"].items():
            answer = response.get("content", {}).get("application/json")
            if status.startswith("2") and answer is not None and not _has_example(document, answer):
                faults.append(f"{where}: no example of its {status} answer")
    assert not faults, "\n".join(faults)


def _examples(node: Any, at: str = "") -> Iterator[tuple[str, dict[str, Any], Any]]:
    """Every example in the document, with where it is and the schema it illustrates."""
    if isinstance(node, list):
        for index, item in enumerate(node):
            yield from _examples(item, f"{at}/{index}")
        return
    if not isinstance(node, dict):
        return
    examples = node.get("examples")
    if isinstance(examples, list):  # a schema's (JSON Schema) examples
        for index, example in enumerate(examples):
            yield f"{at}/examples/{index}", node, example
    if "schema" in node:  # a media type's or a parameter's (OpenAPI) example(s)
        if "example" in node:
            yield f"{at}/example", node["schema"], node["example"]
        if isinstance(examples, dict):
            for name, example in examples.items():
                if "value" in example:
                    yield f"{at}/examples/{name}", node["schema"], example["value"]
    for key, value in node.items():
        # A JSON pointer: `/v1/customers` is the one segment `~1v1~1customers`.
        yield from _examples(value, f"{at}/{key.replace('~', '~0').replace('/', '~1')}")


def test_every_example_matches_its_schema() -> None:
    """Examples are written by hand next to the models: this keeps them true to the schemas
    (a null FastAPI left out once made most of them lack required fields)."""
    document = yaml.safe_load(openapi_document())
    faults: list[str] = []
    for where, schema, example in _examples(document):
        # The components travel with the schema so that its `$ref`s resolve.
        validator = OAS31Validator(
            {**schema, "components": document["components"]},
            format_checker=OAS31Validator.FORMAT_CHECKER,
        )
        faults.extend(f"{where}: {error.message}" for error in validator.iter_errors(example))
    assert not faults, "\n".join(faults)


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
