"""Rate limits, faults, mutations while paging, contact endpoints, events and OAuth."""

from __future__ import annotations

import asyncio
import time
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
import pytest

from tests.fixtures.sandbox import Sandbox


async def walk(client: httpx.AsyncClient, per_page: int = 150) -> list[str]:
    ids: list[str] = []
    params: dict[str, Any] = {"per_page": per_page}
    while True:
        body = (await client.get("/contacts", params=params)).raise_for_status().json()
        ids.extend(c["id"] for c in body["data"])
        if "next" not in body["pages"]:
            return ids
        params["starting_after"] = body["pages"]["next"]["starting_after"]


async def test_list_pages_by_cursor_with_no_next_on_the_last_page(
    client: httpx.AsyncClient,
) -> None:
    first = (await client.get("/contacts", params={"per_page": 150})).json()
    assert first["pages"]["next"]["page"] == 2
    assert first["total_count"] == 400
    ids = await walk(client)
    assert len(ids) == len(set(ids)) == 400
    too_big = await client.get("/contacts", params={"per_page": 151})
    assert too_big.status_code == 400
    assert (await client.get("/contacts")).json()["pages"]["per_page"] == 10


async def test_the_search_cursor_travels_in_the_body_and_one_in_the_url_is_ignored(
    client: httpx.AsyncClient,
) -> None:
    query = {
        "query": {"field": "role", "operator": "=", "value": "user"},
        "pagination": {"per_page": 5},
    }
    first = (await client.post("/contacts/search", json=query)).json()
    cursor = first["pages"]["next"]["starting_after"]
    in_url = (await client.post(f"/contacts/search?starting_after={cursor}", json=query)).json()
    in_body = (
        await client.post(
            "/contacts/search",
            json={**query, "pagination": {"per_page": 5, "starting_after": cursor}},
        )
    ).json()
    assert [c["id"] for c in in_url["data"]] == [c["id"] for c in first["data"]]
    assert in_body["data"][0]["id"] not in {c["id"] for c in first["data"]}


async def test_id_nin_excludes_exactly_the_listed_contacts_within_a_date_range(
    sandbox: Sandbox, client: httpx.AsyncClient
) -> None:
    # INTERCOM.md §2.2: `id` is a string field and NIN (a non-empty array) is allowed on strings;
    # a partitioned reader ANDs it with `created_at` day bounds to skip what it already has.
    contacts = sandbox.contacts()
    pivot = sorted(c["created_at"] for c in contacts)[len(contacts) // 2]
    in_range = [c["id"] for c in contacts if c["created_at"] < pivot - 86_400]
    excluded = in_range[::2] + [c["id"] for c in contacts if c["created_at"] > pivot + 86_400]
    query = {
        "operator": "AND",
        "value": [
            {"field": "created_at", "operator": "<", "value": pivot - 86_400},
            {"field": "id", "operator": "NIN", "value": excluded},
        ],
    }
    body = {"query": query, "pagination": {"per_page": 150}}
    found = (await client.post("/contacts/search", json=body)).json()
    assert found["total_count"] == len(in_range) - len(in_range[::2])
    assert {c["id"] for c in found["data"]} == set(in_range[1::2])
    for refused in ([], [1, 2], "a-single-id"):
        bad = {"query": {"field": "id", "operator": "NIN", "value": refused}}
        assert (await client.post("/contacts/search", json=bad)).status_code == 400


async def test_rate_limit_headers_count_down_and_a_429_follows_exhaustion(
    sandbox: Sandbox, client: httpx.AsyncClient
) -> None:
    sandbox.control("PUT", "/rate-limit", {"limit": 3})
    if time.time() % 10 > 7:  # keep the four calls inside one 10-second window
        await asyncio.sleep(10 - time.time() % 10 + 0.05)
    answers = [await client.get("/me") for _ in range(4)]
    assert [a.headers["X-RateLimit-Remaining"] for a in answers] == ["2", "1", "0", "0"]
    assert {a.headers["X-RateLimit-Limit"] for a in answers} == {"3"}
    assert int(answers[0].headers["X-RateLimit-Reset"]) % 10 == 0
    assert int(answers[0].headers["X-RateLimit-Reset"]) > time.time() - 1
    assert answers[3].status_code == 429
    assert answers[3].json()["errors"][0]["code"] == "rate_limit_exceeded"
    stats = sandbox.control("GET", "/stats")
    assert stats["rate_limited"] == 1
    assert stats["sent_into_exhausted_window"] == 1  # the 4th came after "Remaining: 0"


async def test_no_rate_limit_headers_without_valid_credentials(client: httpx.AsyncClient) -> None:
    response = await client.get("/me", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401
    assert "X-RateLimit-Limit" not in response.headers


async def test_server_errors_come_as_json_or_html(
    sandbox: Sandbox, client: httpx.AsyncClient
) -> None:
    sandbox.control("PUT", "/faults", {"error_rate": 1.0})
    answers = [await client.get("/me") for _ in range(20)]
    assert {a.status_code for a in answers} <= {500, 502, 503}
    kinds = {a.headers["content-type"].split(";")[0] for a in answers}
    assert kinds == {"application/json", "text/html"}


async def test_injected_503s_can_say_when_to_retry(
    sandbox: Sandbox, client: httpx.AsyncClient
) -> None:
    sandbox.control("PUT", "/faults", {"fail_next": 2, "error_status": 503, "retry_after_s": 2.5})
    answers = [await client.get("/me") for _ in range(3)]
    assert [a.status_code for a in answers] == [503, 503, 200]
    assert [a.headers.get("Retry-After") for a in answers] == ["3", "3", None]
    sandbox.control("PUT", "/faults", {"fail_next": 1, "error_status": 502})
    assert "Retry-After" not in (await client.get("/me")).headers  # only 503s say when
    refused = await client.put("/_sandbox/faults", json={"error_status": 404})
    assert refused.status_code == 400


async def test_a_revoked_token_gets_401_on_every_call(
    sandbox: Sandbox, client: httpx.AsyncClient
) -> None:
    sandbox.control("PUT", "/faults", {"revoked": True})
    for path in ("/me", "/contacts", "/segments"):
        response = await client.get(path)
        assert response.status_code == 401
        assert response.json()["errors"][0]["code"] == "token_revoked"


async def test_a_dropped_connection_breaks_the_response(
    sandbox: Sandbox, client: httpx.AsyncClient
) -> None:
    sandbox.control("PUT", "/faults", {"drop_rate": 1.0})
    with pytest.raises(httpx.TransportError):
        await client.get("/contacts")


async def test_a_stall_outlasts_the_client_timeout(
    sandbox: Sandbox, client: httpx.AsyncClient
) -> None:
    sandbox.control("PUT", "/faults", {"stall_rate": 1.0, "stall_s": 2.0})
    with pytest.raises(httpx.ReadTimeout):
        await client.get("/me", timeout=0.3)


async def test_latency_is_added_to_every_call(sandbox: Sandbox, client: httpx.AsyncClient) -> None:
    sandbox.control("PUT", "/faults", {"latency_ms": 150, "jitter_ms": 50})
    started = time.monotonic()
    await client.get("/me")
    assert time.monotonic() - started >= 0.15


async def test_mutations_while_paging_never_shift_the_pages_left_to_read(
    sandbox: Sandbox, client: httpx.AsyncClient
) -> None:
    before = [c["id"] for c in sandbox.contacts()]
    first = (await client.get("/contacts", params={"per_page": 100})).json()
    seen = [c["id"] for c in first["data"]]
    deleted = sandbox.mutate("delete", before[250])[0]["id"]
    created = sandbox.mutate("create")[0]["id"]  # created now: sorts last
    cursor = first["pages"]["next"]["starting_after"]
    while cursor:
        page = (
            await client.get("/contacts", params={"per_page": 100, "starting_after": cursor})
        ).json()
        seen.extend(c["id"] for c in page["data"])
        cursor = (page["pages"].get("next") or {}).get("starting_after")
    assert seen == [i for i in before if i != deleted] + [created]


@pytest.mark.parametrize("kind", ["delete", "archive", "merge"])
async def test_deleted_archived_and_merged_contacts_vanish_and_answer_404(
    sandbox: Sandbox, client: httpx.AsyncClient, kind: str
) -> None:
    role = "lead" if kind == "merge" else "user"
    target = next(c for c in sandbox.contacts() if c["role"] == role)
    change = sandbox.mutate(kind, target["id"])[0]
    assert (
        change["topic"]
        == {"delete": "contact.deleted", "archive": "contact.archived", "merge": "contact.merged"}[
            kind
        ]
    )
    gone = await client.get(f"/contacts/{target['id']}")
    assert gone.status_code == 404
    assert gone.json()["errors"][0]["code"] == "not_found"
    assert target["id"] not in await walk(client)
    search = {"query": {"field": "id", "operator": "=", "value": target["id"]}}
    assert (await client.post("/contacts/search", json=search)).json()["total_count"] == 0
    if kind == "merge":
        assert change["item"]["merged_from"] == {"type": "contact", "id": target["id"]}
        assert (await client.get(f"/contacts/{change['item']['id']}")).status_code == 200


async def test_updates_and_unsubscribes_show_in_reads(
    sandbox: Sandbox, client: httpx.AsyncClient
) -> None:
    target = sandbox.contacts()[0]
    sandbox.mutate("unsubscribe", target["id"])
    sandbox.mutate("update", target["id"])
    now = (await client.get(f"/contacts/{target['id']}")).json()
    assert now["unsubscribed_from_emails"] is True
    assert now["updated_at"] > target["updated_at"]
    assert now["name"] != target["name"]


async def test_new_contacts_are_not_searchable_during_the_index_lag(
    sandbox: Sandbox, client: httpx.AsyncClient
) -> None:
    sandbox.control("PUT", "/faults", {"search_index_lag_s": 0.5})
    created = sandbox.mutate("create")[0]["id"]
    query = {"query": {"field": "id", "operator": "=", "value": created}}
    assert (await client.get(f"/contacts/{created}")).status_code == 200
    assert (await client.post("/contacts/search", json=query)).json()["total_count"] == 0
    await asyncio.sleep(0.6)
    assert (await client.post("/contacts/search", json=query)).json()["total_count"] == 1


async def test_a_contacts_segments_are_those_whose_search_finds_it(
    sandbox: Sandbox, client: httpx.AsyncClient
) -> None:
    segments = (await client.get("/segments", params={"include_count": "true"})).json()["segments"]
    members: dict[str, set[str]] = {}
    for segment in segments:
        query = {
            "query": {"field": "segment_id", "operator": "=", "value": segment["id"]},
            "pagination": {"per_page": 150},
        }
        body = (await client.post("/contacts/search", json=query)).json()
        assert body["total_count"] == segment["count"]
        members[segment["id"]] = {c["id"] for c in body["data"]}
        one = (
            await client.get(f"/segments/{segment['id']}", params={"include_count": "true"})
        ).json()
        assert one == segment
    for contact in sandbox.contacts()[:40]:
        listed = (await client.get(f"/contacts/{contact['id']}/segments")).json()["data"]
        assert {s["id"] for s in listed} == {
            sid for sid, ids in members.items() if contact["id"] in ids
        }
    assert (await client.get("/segments/nope")).status_code == 404


async def test_tags_beyond_ten_are_listed_in_full_at_the_contact_url(
    sandbox: Sandbox, client: httpx.AsyncClient
) -> None:
    crowded = next(c for c in sandbox.contacts() if c["tags"]["has_more"])
    assert len(crowded["tags"]["data"]) == 10
    full = (await client.get(crowded["tags"]["url"])).json()["data"]
    assert len(full) == crowded["tags"]["total_count"] > 10
    assert all({"type", "id", "name"} <= set(tag) for tag in full)


async def test_data_attributes_list_standard_and_custom_ones_and_archived_on_request(
    client: httpx.AsyncClient,
) -> None:
    default = (await client.get("/data_attributes", params={"model": "contact"})).json()["data"]
    everything = (
        await client.get(
            "/data_attributes", params={"model": "contact", "include_archived": "true"}
        )
    ).json()["data"]
    assert {a["data_type"] for a in default if a["custom"]} == {
        "string",
        "integer",
        "float",
        "boolean",
        "date",
    }
    assert not any(a["archived"] for a in default)
    assert [a["name"] for a in everything if a["archived"]] == ["legacy_score"]


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"event_name": "x", "created_at": 1}, 400),
        ({"created_at": 1, "id": "{id}"}, 400),
        ({"event_name": "x", "id": "{id}"}, 400),
        ({"event_name": "x", "created_at": "yesterday", "id": "{id}"}, 400),
        ({"event_name": "x", "created_at": 1, "id": "{id}", "metadata": {"a": {"b": 1}}}, 400),
        ({"event_name": "x", "created_at": 1, "id": "nobody"}, 404),
        ({"event_name": "x", "created_at": 1, "email": "{lead_email}"}, 404),
        ({"event_name": "x", "created_at": 1, "id": "{lead_id}"}, 202),
        ({"event_name": "x", "created_at": 1, "email": "{user_email}"}, 202),
        ({"event_name": "x", "created_at": 1, "user_id": "{user_external_id}"}, 202),
    ],
)
async def test_events_are_validated_like_intercom_does(
    sandbox: Sandbox, client: httpx.AsyncClient, body: dict[str, Any], status: int
) -> None:
    contacts = sandbox.contacts()
    # A lead whose email no user shares: leads are addressed by id only.
    user_emails = {c["email"].strip().lower() for c in contacts if c["role"] == "user"}
    lead = next(
        c
        for c in contacts
        if c["role"] == "lead" and c["email"] and c["email"].strip().lower() not in user_emails
    )
    user = next(c for c in contacts if c["role"] == "user" and c["email"] and c["external_id"])
    values = {
        "id": user["id"],
        "lead_id": lead["id"],
        "lead_email": lead["email"],
        "user_email": user["email"].strip(),
        "user_external_id": user["external_id"],
    }
    filled = {k: v.format(**values) if isinstance(v, str) else v for k, v in body.items()}
    response = await client.post("/events", json=filled)
    assert response.status_code == status, response.text
    if status == 202:
        assert response.content == b""
    else:
        assert response.json()["type"] == "error.list"


async def test_event_metadata_past_ten_keys_is_ignored(
    sandbox: Sandbox, client: httpx.AsyncClient
) -> None:
    contact = sandbox.contacts()[0]
    metadata = {f"key{i:02}": i for i in range(12)}
    response = await client.post(
        "/events",
        json={"event_name": "many", "created_at": 2, "id": contact["id"], "metadata": metadata},
    )
    assert response.status_code == 202
    recorded = sandbox.control("GET", f"/workspaces/{sandbox.workspace['app_id']}/events")
    assert list(recorded[-1]["metadata"]) == [f"key{i:02}" for i in range(10)]


async def test_oauth_code_exchange_gives_the_workspace_token_once(
    sandbox: Sandbox, client: httpx.AsyncClient
) -> None:
    second = sandbox.workspaces[1]
    authorize = await client.get(
        "/oauth",
        params={
            "client_id": "sandbox-oauth-client",
            "state": "xyz",
            "redirect_uri": "https://nps.example/callback",
            "app_id": second["app_id"],
        },
    )
    assert authorize.status_code == 302
    location = urlparse(authorize.headers["location"])
    assert (location.netloc, location.path) == ("nps.example", "/callback")
    query = parse_qs(location.query)
    assert query["state"] == ["xyz"]
    form = {
        "code": query["code"][0],
        "client_id": "sandbox-oauth-client",
        "client_secret": "sandbox-oauth-secret",
    }

    exchanged = await client.post("/auth/eagle/token", data=form)
    assert exchanged.status_code == 200
    assert exchanged.json()["access_token"] == exchanged.json()["token"] == second["access_token"]
    again = await client.post("/auth/eagle/token", data=form)
    assert again.status_code == 400
    wrong_secret = await client.post("/auth/eagle/token", json={**form, "client_secret": "x"})
    assert wrong_secret.status_code == 401
