"""Checks docker-compose.yml against the Compose specification (the compose-spec bindings), and
that every service built from the Dockerfile runs a command the image provides. No Docker engine
runs here, so this and hadolint (`make lint`) are what CI can check of the image's files."""

from __future__ import annotations

import sys
from pathlib import Path

import yaml
from compose_spec import PyCompose

ROOT = Path(__file__).resolve().parent.parent
# What the image puts on its PATH for the roles it plays.
IMAGE_COMMANDS = {"uvicorn", "intercom-sync", "python"}


def main() -> int:
    text = (ROOT / "docker-compose.yml").read_text()
    try:
        PyCompose.from_yaml(text)
    except Exception as exc:  # the bindings raise their own error types
        print(f"docker-compose.yml: {exc}", file=sys.stderr)
        return 1
    problems = []
    for name, service in yaml.safe_load(text)["services"].items():
        command = service.get("command")
        if "build" in service and command and command[0] not in IMAGE_COMMANDS:
            problems.append(f"{name}: {command[0]!r} is not a command the image provides")
    for problem in problems:
        print(f"docker-compose.yml: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
