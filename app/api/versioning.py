"""Versioned resources over HTTP: an ETag on reads, an If-Match on writes (RFC 9110 §13.1.1).
The ETag is the resource's version number, quoted: `"3"`."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Header, Response

from app.errors import InvalidInput


def etag(version: int) -> str:
    return f'"{version}"'


def set_etag(response: Response, version: int) -> None:
    response.headers["ETag"] = etag(version)


# What `expected_version` reads: `*`, or a quoted number, maybe weak (`W/"3"`, which matches
# nothing), with the spaces around a header value.
IF_MATCH_PATTERN = r'^[ \t]*(\*|(W/)?"[0-9]+")[ \t]*$'


def _if_match_schema(schema: dict[str, Any]) -> None:
    # A header is absent or text, never JSON null (which `str | None` would document).
    schema.pop("anyOf", None)
    schema.update(type="string", maxLength=200, pattern=IF_MATCH_PATTERN)


async def expected_version(
    if_match: Annotated[
        str | None,
        Header(
            max_length=200,
            description="The ETag of the version read (a quoted number): the write is refused "
            "with 412 `version_mismatch` if someone saved since. Without it, the write applies "
            "to whatever is current.",
            json_schema_extra=_if_match_schema,
        ),
    ] = None,
) -> int | None:
    if if_match is None or if_match.strip() == "*":
        return None
    tag = if_match.strip()
    weak = tag.startswith("W/")
    tag = tag.removeprefix("W/")
    if len(tag) >= 2 and tag[0] == tag[-1] == '"' and tag[1:-1].isascii() and tag[1:-1].isdigit():
        # If-Match compares strongly (RFC 9110 §13.1.1): a weak tag, or a version beyond any
        # we issue, matches nothing, which is a 412, not a malformed header.
        version = int(tag[1:-1])
        return NO_VERSION if weak or version >= 2**31 else version
    raise InvalidInput("header.if-match", 'is not an ETag of this API (a quoted number, "3")')


# Matches no resource's version.
NO_VERSION = -1
