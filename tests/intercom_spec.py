"""Checks recorded sandbox responses against Intercom's official OpenAPI description (2.14).

Where the spec itself is wrong, INTERCOM.md settles it, and the check makes room:
- The document fails OpenAPI validation (e.g. path parameter `job_identifier` of
  `/export/reporting_data/{job_identifier}` is never declared), so openapi-core's spec check is
  off; responses are still validated against the schemas.
- Many operations do not declare the error statuses Intercom sends (400 on a bad search, 401 on
  `/me`, 429 everywhere, 5xx): those bodies are validated against `components.schemas.error`.
- 5xx bodies in HTML are not Intercom's JSON at all: they mimic the proxies in front of it
  (INTERCOM.md §11), so they are only checked to be HTML.
- `/oauth` and `/auth/eagle/token` are not in the spec (INTERCOM.md §1.2); they are not recorded.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import orjson
import yaml
from openapi_core import Config, OpenAPI
from openapi_core.templating.responses.exceptions import ResponseNotFound
from openapi_core.testing import MockRequest, MockResponse
from openapi_schema_validator import OAS30Validator

# A copy of ../shared/intercom-openapi/ (MIT, Intercom), so the suite runs from any checkout;
# test_vendored_spec_matches_the_shared_one keeps it identical to the shared file.
SPEC_PATH = (
    Path(__file__).resolve().parent / "fixtures" / "intercom-openapi" / "api.intercom.io-2.14.yaml"
)
SHARED_SPEC_PATH = (
    Path(__file__).resolve().parents[2]
    / "shared"
    / "intercom-openapi"
    / "api.intercom.io-2.14.yaml"
)
SERVER = "https://api.intercom.io"


@functools.cache
def spec() -> OpenAPI:
    return OpenAPI.from_file_path(str(SPEC_PATH), config=Config(spec_validator_cls=None))


@functools.cache
def error_schema_validator() -> OAS30Validator:
    document = yaml.safe_load(SPEC_PATH.read_text())
    schema = {**document["components"]["schemas"]["error"], "components": document["components"]}
    return OAS30Validator(schema)


def problems_with(entry: dict[str, Any]) -> list[str]:
    """What is wrong with one recorded response; empty when it matches the spec."""
    status, content_type, body = entry["status"], entry["content_type"], entry["body"]
    where = f"{entry['method']} {entry['path']} -> {status}"
    if content_type.startswith("text/html"):
        return [] if status >= 500 else [f"{where}: HTML body on a non-5xx"]
    request = MockRequest(SERVER, entry["method"].lower(), entry["path"], args=entry["query"])
    response = MockResponse(
        body.encode(), status_code=status, content_type=content_type or "application/json"
    )
    try:
        spec().validate_response(request, response)
        return []
    except ResponseNotFound:
        if status < 400:
            return [f"{where}: status not in the spec"]
        errors = list(error_schema_validator().iter_errors(orjson.loads(body)))
        return [f"{where}: {error.message}" for error in errors]
    except Exception as exc:  # openapi-core raises a family of validation errors
        details = getattr(exc.__cause__, "schema_errors", None) or [exc]
        return [f"{where}: {str(detail).splitlines()[0]}" for detail in details]


def check_recording(path: Path) -> tuple[int, list[str]]:
    if not path.exists():
        return 0, []
    entries = [orjson.loads(line) for line in path.read_bytes().splitlines() if line.strip()]
    problems: list[str] = []
    for entry in entries:
        problems.extend(problems_with(entry))
    return len(entries), problems
