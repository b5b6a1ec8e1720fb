"""A list's settings over HTTP: defaults, versioned saves (ETag, If-Match) and refusals."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from tests.fixtures.factories import Tenant, first_segment
from tests.test_bad_input import assert_problem


def settings_url(segment: dict[str, Any]) -> str:
    return f"/v1/segments/{segment['id']}/settings"


async def test_a_list_starts_updating_duplicates_without_a_tag(
    http: httpx.AsyncClient, tenant: Tenant, sandbox_workspaces: list[dict[str, Any]]
) -> None:
    segment = await first_segment(http, tenant, sandbox_workspaces[0]["access_token"], "users")

    response = await http.get(settings_url(segment), headers=tenant.headers)

    assert response.status_code == 200, response.text
    assert response.headers["etag"] == '"0"'
    assert response.json() == {"version": 0, "duplicates": "update", "tag": None}


async def test_saving_settings_bumps_the_version_and_a_stale_if_match_is_a_412(
    http: httpx.AsyncClient, tenant: Tenant, sandbox_workspaces: list[dict[str, Any]]
) -> None:
    segment = await first_segment(http, tenant, sandbox_workspaces[0]["access_token"], "users")
    url = settings_url(segment)

    saved = await http.put(
        url,
        json={"duplicates": "skip", "tag": "  From Intercom "},
        headers={**tenant.headers, "If-Match": '"0"'},
    )

    assert saved.status_code == 200, saved.text
    assert saved.headers["etag"] == '"1"'
    assert saved.json() == {"version": 1, "duplicates": "skip", "tag": "From Intercom"}
    stale = await http.put(
        url, json={"duplicates": "update"}, headers={**tenant.headers, "If-Match": '"0"'}
    )
    assert assert_problem(stale, 412)["current_version"] == 1
    assert (await http.get(url, headers=tenant.headers)).json()["tag"] == "From Intercom"
    # Without If-Match the write applies to whatever is current; a missing tag clears it.
    cleared = await http.put(url, json={"duplicates": "update"}, headers=tenant.headers)
    assert cleared.json() == {"version": 2, "duplicates": "update", "tag": None}


async def test_invalid_settings_are_422s_naming_the_field_and_change_nothing(
    http: httpx.AsyncClient, tenant: Tenant, sandbox_workspaces: list[dict[str, Any]]
) -> None:
    segment = await first_segment(http, tenant, sandbox_workspaces[0]["access_token"], "users")
    url = settings_url(segment)

    for body, field in [
        ({"duplicates": "merge"}, "body.duplicates"),
        ({"duplicates": None}, "body.duplicates"),
        ({"duplicates": "skip", "tag": "x" * 101}, "body.tag"),
        ({"duplicates": "skip", "tag": "a\x07b"}, "body.tag"),
        ({"duplicates": "skip", "tag": "   "}, "body.tag"),
        ({"duplicates": "skip", "colour": "red"}, "body.colour"),
    ]:
        problem = assert_problem(await http.put(url, json=body, headers=tenant.headers), 422)
        assert [error["field"] for error in problem["errors"]] == [field], body
    bad_etag = await http.put(
        url, json={"duplicates": "skip"}, headers={**tenant.headers, "If-Match": "W/one"}
    )
    assert assert_problem(bad_etag, 422)["errors"][0]["field"] == "header.if-match"
    assert (await http.get(url, headers=tenant.headers)).json()["version"] == 0


async def test_settings_left_out_take_their_defaults(
    http: httpx.AsyncClient, tenant: Tenant, sandbox_workspaces: list[dict[str, Any]]
) -> None:
    segment = await first_segment(http, tenant, sandbox_workspaces[0]["access_token"], "users")

    saved = await http.put(settings_url(segment), json={"tag": "VIP"}, headers=tenant.headers)

    assert saved.status_code == 200, saved.text
    assert (saved.json()["duplicates"], saved.json()["tag"]) == ("update", "VIP")


async def test_settings_of_an_unknown_segment_are_a_404(
    http: httpx.AsyncClient, tenant: Tenant
) -> None:
    url = f"/v1/segments/{uuid.uuid4()}/settings"
    assert_problem(await http.get(url, headers=tenant.headers), 404)
    assert_problem(await http.put(url, json={"duplicates": "skip"}, headers=tenant.headers), 404)
