"""openapi.yaml is generated from the app (`make openapi`), and the partner client in
clients/python from openapi.yaml (`make client`); these fail when either is stale."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from openapi_schema_validator import OAS31Validator

from app.api.problems import PROBLEM_MEDIA_TYPE
from app.cli import openapi_document

ROOT = Path(__file__).resolve().parent.parent


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
