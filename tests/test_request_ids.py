"""Every answer carries an `X-Request-ID`: the client's when it is short printable ASCII, else
one made for it; a problem body repeats it, so that a client can quote it."""

from __future__ import annotations

import re
import uuid

import httpx

from tests.fixtures.factories import Tenant


async def test_the_client_s_request_id_is_echoed_and_quoted_by_problems(
    http: httpx.AsyncClient, tenant: Tenant
) -> None:
    listed = await http.get(
        "/v1/integrations", headers={**tenant.headers, "X-Request-ID": "partner-42"}
    )
    assert listed.status_code == 200
    assert listed.headers["x-request-id"] == "partner-42"

    missing = await http.get(
        f"/v1/segments/{uuid.uuid4()}", headers={**tenant.headers, "X-Request-ID": "lost-7"}
    )
    assert missing.status_code == 404
    assert missing.headers["x-request-id"] == "lost-7"
    assert missing.json()["request_id"] == "lost-7"


async def test_a_request_without_a_usable_id_gets_one_made_for_it(
    http: httpx.AsyncClient, tenant: Tenant
) -> None:
    sent: list[list[tuple[bytes, bytes]]] = [
        [],
        [(b"X-Request-ID", b"x" * 500)],
        [(b"X-Request-ID", "é-not-ascii".encode())],
    ]
    authorization = [(b"Authorization", tenant.headers["Authorization"].encode())]
    for extra in sent:
        response = await http.get("/v1/account", headers=authorization + extra)
        made = response.headers["x-request-id"]
        assert re.fullmatch(r"[0-9a-f]{32}", made), made

    refused = await http.get("/v1/account", headers={"X-Request-ID": "no-key"})
    assert refused.status_code == 401
    assert refused.json()["request_id"] == "no-key"
