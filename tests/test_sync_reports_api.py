"""Sync runs over HTTP: reports with samples, history, failures, cancel, and live progress as
Server-Sent Events served by two API processes at once."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import jsonschema_rs
import pytest
import yaml

from app.cli import openapi_document
from app.config import Settings
from tests.fixtures.factories import USE_DEFAULT_MAPPING, Tenant, first_segment
from tests.servers import api_process
from tests.test_bad_input import assert_problem
from tests.test_end_to_end import sync_segment, wait_for_sync
from tests.test_integrations import set_sandbox_latency

pytestmark = pytest.mark.usefixtures("worker")


async def test_a_run_reports_samples_progress_usage_and_history(
    http: httpx.AsyncClient, tenant: Tenant, sandbox_workspaces: list[dict[str, Any]]
) -> None:
    users = await first_segment(http, tenant, sandbox_workspaces[0]["access_token"], "users")

    first = await sync_segment(http, tenant, users["id"])
    second = await sync_segment(http, tenant, users["id"])

    counters = first["counters"]
    assert counters["skipped_reasons"]["no_email"] > 0
    samples = counters["samples"]["skipped"]["no_email"]
    assert 0 < len(samples) <= 5
    assert all(isinstance(contact_id, str) and contact_id for contact_id in samples)
    assert first["progress"] == {
        "processed": counters["fetched"],
        "expected": counters["fetched"],
        "percent": 100.0,
        "eta_s": 0.0,
    }
    # A count, then a page of 150 at a time.
    assert first["intercom"]["requests"] >= 1 + counters["fetched"] // 150
    assert first["duration_s"] > 0
    history = f"/v1/segments/{users['id']}/syncs"
    newest = (await http.get(history, params={"limit": 1}, headers=tenant.headers)).json()
    assert [run["id"] for run in newest["data"]] == [second["id"]]
    older = (
        await http.get(
            history, params={"limit": 1, "cursor": newest["next_cursor"]}, headers=tenant.headers
        )
    ).json()
    assert ([run["id"] for run in older["data"]], older["next_cursor"]) == ([first["id"]], None)
    failures = await http.get(f"/v1/syncs/{first['id']}/failures", headers=tenant.headers)
    assert failures.status_code == 200, failures.text
    assert len(failures.json()["data"]) == counters["failed"]
    bad = await http.get(history, params={"cursor": "bm90IGEgY3Vyc29y"}, headers=tenant.headers)
    assert assert_problem(bad, 422)["errors"][0]["field"] == "query.cursor"


def parse_events(text: str) -> list[dict[str, str]]:
    """Server-Sent Events as field dicts; comments (pings) left out."""
    found = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        fields: dict[str, str] = {}
        for line in block.split("\n"):
            if line and not line.startswith(":") and ":" in line:
                name, value = line.split(":", 1)
                fields[name] = value.removeprefix(" ")
        if "event" in fields:
            found.append(fields)
    return found


def assert_events_documented(events: list[dict[str, str]]) -> None:
    """Each event as openapi.yaml describes it, and its `data` a SyncRead."""
    document = yaml.safe_load(openapi_document())
    stream = document["paths"]["/v1/syncs/{sync_id}/events"]["get"]["responses"]["200"]
    event_schema = stream["content"]["text/event-stream"]["schema"]
    data_schema = event_schema["properties"]["data"]["contentSchema"]
    for event in events:
        jsonschema_rs.validate({**event_schema, "components": document["components"]}, event)
        payload = json.loads(event["data"])
        jsonschema_rs.validate({**data_schema, "components": document["components"]}, payload)


async def follow(
    url: str, tenant: Tenant, sync_id: str, last_event_id: str | bytes | None = None
) -> str:
    # As bytes: a header may carry any byte, and the test sends odd ones.
    headers = {name.encode(): value.encode() for name, value in tenant.headers.items()}
    if last_event_id is not None:
        raw = last_event_id if isinstance(last_event_id, bytes) else last_event_id.encode()
        headers[b"Last-Event-ID"] = raw
    async with (
        httpx.AsyncClient(base_url=url, timeout=60) as client,
        client.stream("GET", f"/v1/syncs/{sync_id}/events", headers=headers) as response,
    ):
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        return "".join([chunk async for chunk in response.aiter_text()])


async def test_two_clients_on_two_api_processes_follow_a_run_to_its_report(
    http: httpx.AsyncClient,
    settings: Settings,
    tenant: Tenant,
    sandbox_url: str,
    sandbox_workspaces: list[dict[str, Any]],
) -> None:
    users = await first_segment(http, tenant, sandbox_workspaces[0]["access_token"], "users")
    with api_process(settings) as one_url, api_process(settings) as other_url:
        await set_sandbox_latency(sandbox_url, 150)
        try:
            started = await http.post(
                f"/v1/segments/{users['id']}/syncs",
                json=USE_DEFAULT_MAPPING,
                headers=tenant.headers,
            )
            sync_id = started.json()["id"]
            streams = await asyncio.gather(
                follow(one_url, tenant, sync_id), follow(other_url, tenant, sync_id)
            )
        finally:
            await set_sandbox_latency(sandbox_url, 0)
        # Reconnecting after the report: nothing more; from an earlier id: the report.
        last_id = parse_events(streams[0])[-1]["id"]
        after_report = parse_events(await follow(one_url, tenant, sync_id, last_id))
        again = parse_events(await follow(other_url, tenant, sync_id, "0"))

    final = await wait_for_sync(http, tenant, sync_id)
    for text in streams:
        events = parse_events(text)
        assert events[-1]["event"] == "report"
        assert all(event["event"] == "progress" for event in events[:-1])
        assert len(events) >= 2, "the run was followed while it ran"
        ids = [int(event["id"]) for event in events]
        assert ids == sorted(set(ids))
        percents = [json.loads(e["data"])["progress"]["percent"] or 0.0 for e in events]
        assert percents == sorted(percents)
        assert percents[-1] == 100.0
        assert json.loads(events[-1]["data"])["counters"] == final["counters"]
        assert_events_documented(events)
    assert after_report == []
    assert [event["event"] for event in again] == ["report"]


async def test_cancel_stops_a_running_sync_and_a_finished_one_is_a_409(
    http: httpx.AsyncClient,
    tenant: Tenant,
    sandbox_url: str,
    sandbox_workspaces: list[dict[str, Any]],
) -> None:
    users = await first_segment(http, tenant, sandbox_workspaces[0]["access_token"], "users")
    # Slow enough (a count and two pages at 800 ms each) to be cancelled while it runs.
    await set_sandbox_latency(sandbox_url, 800)
    try:
        started = await http.post(
            f"/v1/segments/{users['id']}/syncs", json=USE_DEFAULT_MAPPING, headers=tenant.headers
        )
        sync_id = started.json()["id"]
        await asyncio.sleep(0.3)
        cancelled = await http.post(f"/v1/syncs/{sync_id}/cancel", headers=tenant.headers)
        assert cancelled.status_code == 200, cancelled.text
        stopped = cancelled.json()["counters"]["fetched"]
        await asyncio.sleep(2.5)  # past the pages in flight: nothing more is written
    finally:
        await set_sandbox_latency(sandbox_url, 0)

    assert cancelled.json()["status"] == "cancelled"
    read = (await http.get(f"/v1/syncs/{sync_id}", headers=tenant.headers)).json()
    assert (read["status"], read["counters"]["fetched"]) == ("cancelled", stopped)
    finished = await sync_segment(http, tenant, users["id"])
    refused = await http.post(f"/v1/syncs/{finished['id']}/cancel", headers=tenant.headers)
    problem = assert_problem(refused, 409)
    assert (problem["code"], problem["sync_status"]) == ("sync_not_active", "finished")


async def test_an_odd_last_event_id_starts_from_the_current_state(
    http: httpx.AsyncClient, api_url: str, tenant: Tenant, sandbox_workspaces: list[dict[str, Any]]
) -> None:
    users = await first_segment(http, tenant, sandbox_workspaces[0]["access_token"], "users")
    run = await sync_segment(http, tenant, users["id"])

    # A superscript two (a digit to str.isdigit), words, an id ahead of the run's.
    for odd in ("\u00b2".encode("latin-1"), "not-a-number", "99999999999999999999"):
        events = parse_events(await follow(api_url, tenant, run["id"], odd))
        assert [event["event"] for event in events] == ["report"], odd
