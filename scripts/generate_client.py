"""Generates the partner client (clients/python) from openapi.yaml with openapi-python-client.

`make client` runs it; tests/test_openapi.py runs it into a temporary folder
and compares, so a client that lags openapi.yaml fails the tests."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = ROOT / "clients" / "python"
CONFIG = ROOT / "clients" / "openapi-python-client.yaml"


def for_generator(document: dict[str, Any]) -> dict[str, Any]:
    """The document without the `oneOf`/`anyOf` an object schema carries only to say which of
    its properties go together (a mapping entry names `property` or `create_property`): they add
    no type, but openapi-python-client reads them as unions of new models and fails. The API
    still checks them, and says which field is at fault. A real union stays."""
    for schema in document.get("components", {}).get("schemas", {}).values():
        fields = set(schema.get("properties", {}))
        for rule in ("oneOf", "anyOf"):
            branches = schema.get(rule)
            if fields and branches and all(_only_names(branch, fields) for branch in branches):
                del schema[rule]
    return document


def _only_names(branch: dict[str, Any], fields: set[str]) -> bool:
    """A branch that only says which of the parent's fields are required (and of what type)."""
    named = set(branch.get("required", [])) | set(branch.get("properties", {}))
    return set(branch) <= {"required", "properties"} and named <= fields


def generate(output: Path, document: Path = ROOT / "openapi.yaml") -> None:
    with tempfile.TemporaryDirectory() as scratch:
        simplified = Path(scratch) / "openapi.yaml"
        simplified.write_text(
            yaml.safe_dump(for_generator(yaml.safe_load(document.read_text())), sort_keys=False)
        )
        _run_generator(output, simplified)


def _run_generator(output: Path, document: Path) -> None:
    # The post hooks call `ruff` by name: this environment's, the version constraints.txt pins,
    # so that the formatting does not depend on whatever ruff is on the PATH.
    bin_dir = Path(sys.executable).parent
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
    subprocess.run(
        [
            bin_dir / "openapi-python-client",
            "generate",
            "--path",
            document,
            "--config",
            CONFIG,
            # A pyproject.toml built by poetry-core: `pip install clients/python` works anywhere.
            "--meta",
            "poetry",
            "--output-path",
            output,
            "--overwrite",
            # A skipped operation or a post hook that could not run is an error, not a note.
            "--fail-on-warning",
        ],
        check=True,
        env=env,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    generate(parser.parse_args().output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
