"""openapi.yaml is generated from the app (`make openapi`), and the partner client in
clients/python from openapi.yaml (`make client`); these fail when either is stale."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

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
