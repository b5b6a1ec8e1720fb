"""Generates the partner client (clients/python) from openapi.yaml with openapi-python-client.

`make client` runs it; tests/test_openapi.py runs it into a temporary folder
and compares, so a client that lags openapi.yaml fails the tests."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = ROOT / "clients" / "python"
CONFIG = ROOT / "clients" / "openapi-python-client.yaml"


def generate(output: Path, document: Path = ROOT / "openapi.yaml") -> None:
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
