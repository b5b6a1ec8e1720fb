"""The official SDK, python-intercom 5.0.1, works against the sandbox. Its search pager repeats
page 1 forever (INTERCOM.md §11.5), so search is not used through it."""

from __future__ import annotations

import time
from typing import Any

import httpx
from intercom import Intercom
from intercom.types.create_data_event_request_with_id import CreateDataEventRequestWithId

# The SDK never sends Intercom-Version (INTERCOM.md §1.4): pass it, as our client does.
VERSION_HEADER = {"Intercom-Version": "2.14"}


def sdk(sandbox_url: str, token: str) -> Intercom:
    return Intercom(token=token, base_url=sandbox_url, headers=VERSION_HEADER)


def test_the_sdk_lists_every_contact_through_all_pages(
    sandbox_url: str, sandbox_workspaces: list[dict[str, Any]]
) -> None:
    workspace = sandbox_workspaces[0]
    pager = sdk(sandbox_url, workspace["access_token"]).contacts.list(per_page=150)
    ids = [contact.id for contact in pager]
    assert len(ids) == len(set(ids)) == workspace["contacts"]


def test_the_sdk_lists_segments_with_counts(
    sandbox_url: str, sandbox_workspaces: list[dict[str, Any]]
) -> None:
    segments = sdk(sandbox_url, sandbox_workspaces[0]["access_token"]).segments.list(
        include_count=True
    )
    assert segments.segments
    assert all(segment.count is not None for segment in segments.segments)
    assert {segment.person_type for segment in segments.segments} == {"user", "contact"}


def test_the_sdk_lists_data_attributes(
    sandbox_url: str, sandbox_workspaces: list[dict[str, Any]]
) -> None:
    attributes = sdk(sandbox_url, sandbox_workspaces[0]["access_token"]).data_attributes.list(
        model="contact"
    )
    names = {attribute.full_name for attribute in attributes.data}
    assert {"email", "custom_attributes.plan", "custom_attributes.renewal_date"} <= names


def test_the_sdk_creates_an_event_that_the_sandbox_records(
    sandbox_url: str, sandbox_workspaces: list[dict[str, Any]]
) -> None:
    workspace = sandbox_workspaces[0]
    client = sdk(sandbox_url, workspace["access_token"])
    contact = next(iter(client.contacts.list(per_page=1)))
    created_at = int(time.time())

    client.events.create(
        request=CreateDataEventRequestWithId(
            id=contact.id,
            event_name="unsubscribed-from-surveys",
            created_at=created_at,
            metadata={"source": "nps"},
        )
    )

    events = httpx.get(f"{sandbox_url}/_sandbox/workspaces/{workspace['app_id']}/events").json()
    assert {
        "event_name": "unsubscribed-from-surveys",
        "created_at": created_at,
        "contact_id": contact.id,
        "metadata": {"source": "nps"},
    }.items() <= next(e for e in events if e["created_at"] == created_at).items()
