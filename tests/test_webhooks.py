"""Intercom's webhooks in: verified before anything is read, stored once by id, acknowledged at
once, applied by a job as the integration's settings say. The sandbox signs and sends them (as
Intercom does, with the app's client secret) to the API process; a worker applies them."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import orjson
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.config import Settings
from app.crypto import SecretBox
from app.db import transaction
from app.domain.models import (
    ContactTombstone,
    Customer,
    CustomerSource,
    NotificationStatus,
    SegmentMember,
    WebhookNotification,
)
from app.domain.scope import AccountScope
from app.domain.webhooks import processing
from app.domain.webhooks.processing import WebhookPorts, WebhookSettings
from intercom_sandbox.webhooks import notification, sign
from tests.fakes.queue import RecordingQueue
from tests.fixtures.factories import (
    Tenant,
    connect_workspace,
    create_integration,
    create_tenant,
    segments_of,
)
from tests.test_end_to_end import sandbox_contacts, sync_segment
from tests.test_removals_api import users_with_a_unique_email

APP_SECRET = "sandbox-oauth-secret"
PATH = "/v1/webhooks/intercom"


def signed(event: dict[str, Any], secret: str = APP_SECRET) -> tuple[bytes, dict[str, str]]:
    body = orjson.dumps(event)
    return body, {"Content-Type": "application/json", "X-Hub-Signature": sign(body, secret)}


async def stored(
    sessionmaker: async_sessionmaker[AsyncSession], notification_id: str
) -> list[WebhookNotification]:
    async with sessionmaker() as session:
        rows = await session.scalars(
            select(WebhookNotification).where(
                WebhookNotification.notification_id == notification_id
            )
        )
        return list(rows)


async def test_intercom_s_url_check_is_answered(http: httpx.AsyncClient) -> None:
    assert (await http.head(PATH)).status_code == 200


@pytest.mark.parametrize(
    "signature",
    [None, "", "sha1=" + "0" * 40, "sha256=abc", "sha1=zz", "é", "x" * 99],
    ids=["missing", "empty", "wrong", "other-scheme", "not-hex", "non-ascii", "long"],
)
async def test_a_bad_or_missing_signature_is_401_and_stores_nothing(
    http: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession], signature: str | None
) -> None:
    event = notification("app", "contact.deleted", {"type": "contact", "id": "c1"})
    body = orjson.dumps(event)
    headers: dict[bytes, bytes] = {b"Content-Type": b"application/json"}
    if signature is not None:
        headers[b"X-Hub-Signature"] = signature.encode()  # as bytes: é goes out as UTF-8
    response = await http.post(PATH, content=body, headers=headers)

    assert response.status_code == 401, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "signature_invalid"
    assert response.headers["www-authenticate"].startswith("X-Hub-Signature ")
    assert await stored(sessionmaker, event["id"]) == []


async def test_a_body_signed_with_another_secret_or_changed_after_signing_is_refused(
    http: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    event = notification("app", "contact.deleted", {"type": "contact", "id": "c1"})
    body, headers = signed(event, secret="not-the-app-secret")
    assert (await http.post(PATH, content=body, headers=headers)).status_code == 401
    body, headers = signed(event)
    tampered = body.replace(b'"c1"', b'"c2"')
    assert (await http.post(PATH, content=tampered, headers=headers)).status_code == 401
    assert await stored(sessionmaker, event["id"]) == []


async def test_a_notification_is_stored_once_and_a_replay_is_acknowledged_and_ignored(
    http: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    event = notification("no-such-app", "ping", {"type": "ping", "message": "hi"})
    body, headers = signed(event)

    first = await http.post(PATH, content=body, headers=headers)
    again = await http.post(PATH, content=body, headers=headers)

    assert first.status_code == again.status_code == 200
    assert (first.json(), again.json()) == (
        {"id": event["id"], "duplicate": False},
        {"id": event["id"], "duplicate": True},
    )
    [row] = await stored(sessionmaker, event["id"])
    assert row.body == body  # exactly as signed


async def test_unknown_topics_are_stored_and_ignored(
    http: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    event = notification("app", "conversation.user.created", {"type": "conversation"})
    body, headers = signed(event)
    assert (await http.post(PATH, content=body, headers=headers)).status_code == 200
    [row] = await stored(sessionmaker, event["id"])
    assert row.status == NotificationStatus.IGNORED


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b"not json", "body"),
        (b"[1, 2]", "body"),
        (b'{"topic": "ping", "app_id": "a"}', "id"),
        (b'{"id": "n1", "topic": 7, "app_id": "a"}', "topic"),
        (b'{"id": "n\\u0000", "topic": "ping", "app_id": "a"}', "id"),
        (b'{"id": "' + b"n" * 200 + b'", "topic": "ping", "app_id": "a"}', "id"),
    ],
    ids=["not-json", "array", "no-id", "topic-not-string", "nul-in-id", "id-too-long"],
)
async def test_a_signed_body_that_is_no_notification_is_422_naming_the_field(
    http: httpx.AsyncClient, body: bytes, field: str
) -> None:
    headers = {"Content-Type": "application/json", "X-Hub-Signature": sign(body, APP_SECRET)}
    response = await http.post(PATH, content=body, headers=headers)
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "notification_invalid"
    assert response.json()["errors"][0]["field"] == field


async def test_a_body_over_the_cap_is_refused(http: httpx.AsyncClient) -> None:
    event = notification("app", "ping", {"type": "ping", "message": "x" * 300_000})
    body, headers = signed(event)
    response = await http.post(PATH, content=body, headers=headers)
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"


# -- end to end: the sandbox sends, the worker applies ---------------------------------------


@pytest.fixture
async def webhooks_to_api(api_url: str, sandbox_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """The sandbox posts its notifications to the API process; put back afterwards."""
    async with httpx.AsyncClient(base_url=f"{sandbox_url}/_sandbox", timeout=30) as sandbox:
        await sandbox.put(
            "/webhooks", json={"url": f"{api_url}{PATH}", "enabled": True, "retry_delay_s": 1}
        )
        try:
            yield sandbox
        finally:
            await sandbox.put("/webhooks", json={"url": None, "enabled": True})
            await sandbox.post("/reset", json={})


async def auto_synced(
    http: httpx.AsyncClient, tenant: Tenant, integration_id: str, *kinds: str
) -> dict[str, dict[str, Any]]:
    """The integration's lists of `kinds` (users, leads), auto-synced with the default mapping
    (what webhooks write for) and synced once; by kind."""
    lists = await segments_of(http, tenant, integration_id)
    found = {}
    for kind in kinds:
        main = next(s for s in lists if s["kind"] == kind)
        switched = await http.patch(
            f"/v1/segments/{main['id']}",
            json={"auto_sync": True, "use_default_mapping": True},
            headers=tenant.headers,
        )
        assert switched.status_code == 200, switched.text
        await sync_segment(http, tenant, main["id"])
        found[kind] = main
    return found


async def customer(
    sessionmaker: async_sessionmaker[AsyncSession], account: AccountScope, email: str
) -> Customer | None:
    async with sessionmaker() as session:
        found: Customer | None = await session.scalar(
            select(Customer).where(
                Customer.account_id == account.id, func.lower(Customer.email) == email
            )
        )
        return found


async def eventually(check: Any, timeout_s: float = 15) -> Any:
    deadline = time.monotonic() + timeout_s
    while True:
        result = await check()
        if result or time.monotonic() > deadline:
            return result
        await asyncio.sleep(0.1)


@pytest.mark.usefixtures("worker")
async def test_deleted_archived_and_unsubscribed_contacts_change_customers_within_seconds(
    http: httpx.AsyncClient,
    tenant: Tenant,
    sessionmaker: async_sessionmaker[AsyncSession],
    sandbox_url: str,
    sandbox_workspaces: list[dict[str, Any]],
    webhooks_to_api: httpx.AsyncClient,
) -> None:
    workspace = sandbox_workspaces[0]
    integration = await connect_workspace(http, tenant, workspace["access_token"])
    settings = await http.put(
        f"/v1/integrations/{integration['id']}/settings",
        json={"on_deleted_in_intercom": "delete", "on_unsubscribed_in_intercom": "unsubscribe"},
        headers=tenant.headers,
    )
    assert settings.status_code == 200, settings.text
    users = next(
        s for s in await segments_of(http, tenant, integration["id"]) if s["kind"] == "users"
    )
    await sync_segment(http, tenant, users["id"])
    account = AccountScope(uuid.UUID(str(tenant.account_id)))
    candidates = [
        c
        for c in users_with_a_unique_email(await sandbox_contacts(sandbox_url, workspace["app_id"]))
        if not c.get("unsubscribed_from_emails")
    ]
    deleted, archived, unsubscribed = candidates[:3]
    for contact in (deleted, archived, unsubscribed):
        email = contact["email"].strip().lower()
        assert await customer(sessionmaker, account, email) is not None

    for kind, contact in (("delete", deleted), ("archive", archived)):
        await webhooks_to_api.post(
            f"/workspaces/{workspace['app_id']}/mutations",
            json={"kind": kind, "contact_id": contact["id"]},
        )
    await webhooks_to_api.post(
        f"/workspaces/{workspace['app_id']}/mutations",
        json={"kind": "unsubscribe", "contact_id": unsubscribed["id"]},
    )

    async def applied() -> bool:
        gone = [
            await customer(sessionmaker, account, c["email"].strip().lower())
            for c in (deleted, archived)
        ]
        left = await customer(sessionmaker, account, unsubscribed["email"].strip().lower())
        return gone == [None, None] and left is not None and left.unsubscribed_at is not None

    started = time.monotonic()
    assert await eventually(applied), "the webhooks did not change the customers"
    assert time.monotonic() - started < 15
    deliveries = (await webhooks_to_api.get("/webhooks/deliveries")).json()
    assert {d["status"] for d in deliveries} == {200}


@pytest.mark.usefixtures("worker")
async def test_created_updated_and_merged_contacts_are_written_for_the_auto_synced_lists(
    http: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    sandbox_url: str,
    sandbox_workspaces: list[dict[str, Any]],
    webhooks_to_api: httpx.AsyncClient,
) -> None:
    tenant = await create_tenant(sessionmaker, nps_campaigns=2)
    account = AccountScope(uuid.UUID(str(tenant.account_id)))
    workspace = sandbox_workspaces[0]
    integration = await connect_workspace(http, tenant, workspace["access_token"])
    await auto_synced(http, tenant, integration["id"], "users", "leads")
    app_id = workspace["app_id"]

    async def mutate(kind: str, contact_id: str | None = None) -> dict[str, Any]:
        response = await webhooks_to_api.post(
            f"/workspaces/{app_id}/mutations", json={"kind": kind, "contact_id": contact_id}
        )
        assert response.status_code == 200, response.text
        item: dict[str, Any] = response.json()["changes"][0]["item"]
        return item

    # Created: a new contact with an email becomes a customer, without a sync.
    created = await mutate("create")
    while not (created.get("email") or "").strip():
        created = await mutate("create")
    email = created["email"].strip().lower()
    assert await eventually(lambda: customer(sessionmaker, account, email)), "not created"

    # Updated: the customer takes the contact's new values.
    contacts = users_with_a_unique_email(await sandbox_contacts(sandbox_url, app_id))
    changed = await mutate("update", contacts[0]["id"])

    async def renamed() -> bool:
        found = await customer(sessionmaker, account, changed["email"].strip().lower())
        return found is not None and found.name == changed["name"]

    assert await eventually(renamed), "not updated"

    # Merged: a lead of the same email as a user disappears into the user: one customer, the
    # user's values, linked to the user's contact only.
    leads = [
        c
        for c in await sandbox_contacts(sandbox_url, app_id)
        if c["role"] == "lead" and (c.get("email") or "").strip()
    ]
    lead = leads[0]
    merged = await mutate("merge", lead["id"])
    survivor = merged["id"]

    async def lead_gone() -> bool:
        async with sessionmaker() as session:
            sources = set(
                await session.scalars(
                    select(CustomerSource.intercom_contact_id).where(
                        CustomerSource.account_id == account.id,
                        CustomerSource.intercom_contact_id.in_([lead["id"], survivor]),
                    )
                )
            )
        return sources == {survivor}

    assert await eventually(lead_gone), "the merged lead is still a source"
    async with sessionmaker() as session:
        members = set(
            await session.scalars(
                select(SegmentMember.intercom_contact_id).where(
                    SegmentMember.account_id == account.id,
                    SegmentMember.intercom_contact_id.in_([lead["id"], survivor]),
                )
            )
        )
    assert members == {survivor}
    async with sessionmaker() as session:
        outcomes = (
            await session.scalars(
                select(WebhookNotification.status).where(
                    WebhookNotification.app_id == app_id,
                    WebhookNotification.received_at > func.now() - timedelta(minutes=5),
                )
            )
        ).all()
    assert NotificationStatus.FAILED not in outcomes


@pytest.mark.usefixtures("worker")
@pytest.mark.parametrize(
    ("topic", "data", "reason"),
    [
        ("contact.deleted", "oops", "data.item"),
        ("contact.user.updated", {"item": {"id": "x\u0000y", "role": "user"}}, "contact id"),
        ("contact.deleted", {"item": {"id": "a" * 65}}, "contact id"),
        (
            "contact.merged",
            {"item": {"id": "u1", "role": "user", "merged_from": {"id": "l\r\n1"}}},
            "merged_from",
        ),
    ],
)
async def test_a_notification_without_a_usable_item_fails_at_once_with_its_reason(
    http: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    topic: str,
    data: Any,
    reason: str,
) -> None:
    event = notification("app", topic, {"type": "contact"})
    event["data"] = data
    body, headers = signed(event)
    assert (await http.post(PATH, content=body, headers=headers)).status_code == 200

    async def given_up() -> WebhookNotification | None:
        [row] = await stored(sessionmaker, event["id"])
        return row if row.status == NotificationStatus.FAILED else None

    row = await eventually(given_up)
    assert row is not None, "still pending"
    assert row.attempts == 0  # not retried: retrying cannot help
    assert reason in (row.last_error or "")


@pytest.mark.usefixtures("worker")
async def test_an_update_delivered_after_the_delete_that_followed_it_does_not_bring_it_back(
    http: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    sandbox_url: str,
    sandbox_workspaces: list[dict[str, Any]],
) -> None:
    """Intercom promises no order: the delete (sent at T + 5) arrives first, then an update of
    the contact as it was at T. The customer stays deleted."""
    tenant = await create_tenant(sessionmaker, nps_campaigns=1)
    account = AccountScope(uuid.UUID(str(tenant.account_id)))
    workspace = sandbox_workspaces[0]
    integration = await connect_workspace(http, tenant, workspace["access_token"])
    await http.put(
        f"/v1/integrations/{integration['id']}/settings",
        json={"on_deleted_in_intercom": "delete"},
        headers=tenant.headers,
    )
    await auto_synced(http, tenant, integration["id"], "users")
    target = users_with_a_unique_email(await sandbox_contacts(sandbox_url, workspace["app_id"]))[0]
    email = target["email"].strip().lower()
    async with httpx.AsyncClient(
        base_url=sandbox_url, headers={"Authorization": f"Bearer {workspace['access_token']}"}
    ) as intercom:
        rendered = (await intercom.get(f"/contacts/{target['id']}")).json()
    as_it_was = {**rendered, "name": "Back from the dead"}
    deleted = notification(
        workspace["app_id"], "contact.deleted", {"type": "contact", "id": target["id"]}
    )
    deleted["created_at"] = rendered["updated_at"] + 5
    updated = notification(workspace["app_id"], "contact.user.updated", as_it_was)
    updated["created_at"] = rendered["updated_at"]

    for event in (deleted, updated):
        body, headers = signed(event)
        assert (await http.post(PATH, content=body, headers=headers)).status_code == 200

    async def both_processed() -> bool:
        rows = [
            *await stored(sessionmaker, deleted["id"]),
            *await stored(sessionmaker, updated["id"]),
        ]
        return {row.status for row in rows} == {NotificationStatus.PROCESSED}

    assert await eventually(both_processed), "not processed"
    mine = integration["id"]
    outcomes = [
        (row.topic, part)
        for notification_id in (deleted["id"], updated["id"])
        for row in await stored(sessionmaker, notification_id)
        for part in (row.outcome or "").split("; ")
        if part.startswith(mine)
    ]
    assert await customer(sessionmaker, account, email) is None, outcomes
    [late] = await stored(sessionmaker, updated["id"])
    assert "gone since" in (late.outcome or "")


@pytest.mark.usefixtures("worker")
async def test_one_account_s_failure_retries_that_account_only_and_saved_segments_are_updated(
    http: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    sandbox_url: str,
    sandbox_workspaces: list[dict[str, Any]],
) -> None:
    """Two accounts connect one workspace: A auto-syncs Users, B a saved Intercom segment. An
    update arrives while Intercom refuses B's question (which segments hold the contact?): A
    is updated at once, B fails and is retried alone; once Intercom answers, B's customer from
    the saved segment is updated too, and A's work is not done twice."""
    workspace = sandbox_workspaces[0]
    app_id = workspace["app_id"]
    a = await create_tenant(sessionmaker, "A", nps_campaigns=2)
    b = await create_tenant(sessionmaker, "B", nps_campaigns=2)
    in_a = await connect_workspace(http, a, workspace["access_token"])
    in_b = await connect_workspace(http, b, workspace["access_token"])
    users = next(s for s in await segments_of(http, a, in_a["id"]) if s["kind"] == "users")
    saved = [s for s in await segments_of(http, b, in_b["id"]) if s["kind"] == "intercom"]
    for tenant, segment in ((a, users), *((b, s) for s in saved)):
        switched = await http.patch(
            f"/v1/segments/{segment['id']}",
            json={"auto_sync": True, "use_default_mapping": True},
            headers=tenant.headers,
        )
        if switched.status_code != 200:  # B's quota: two lists
            continue
        await sync_segment(http, tenant, segment["id"])
    account_b = AccountScope(uuid.UUID(str(b.account_id)))
    unique = {
        c["id"]: c for c in users_with_a_unique_email(await sandbox_contacts(sandbox_url, app_id))
    }
    async with sessionmaker() as session:
        members = set(
            await session.scalars(
                select(SegmentMember.intercom_contact_id).where(
                    SegmentMember.account_id == account_b.id
                )
            )
        )
    target = next(unique[contact_id] for contact_id in sorted(members) if contact_id in unique)
    async with httpx.AsyncClient(
        base_url=sandbox_url, headers={"Authorization": f"Bearer {workspace['access_token']}"}
    ) as intercom:
        rendered = (await intercom.get(f"/contacts/{target['id']}")).json()
    event = notification(
        app_id,
        "contact.user.updated",
        {**rendered, "name": "Renamed by a webhook", "updated_at": rendered["updated_at"] + 10},
    )
    event["created_at"] = rendered["updated_at"] + 10
    body, headers = signed(event)
    async with httpx.AsyncClient(base_url=f"{sandbox_url}/_sandbox") as sandbox:
        await sandbox.put("/faults", json={"revoked": True})
        try:
            assert (await http.post(PATH, content=body, headers=headers)).status_code == 200

            async def first_try_done() -> WebhookNotification | None:
                [row] = await stored(sessionmaker, event["id"])
                return row if row.attempts == 1 else None

            row = await eventually(first_try_done)
            assert row is not None, "the first try did not end"
        finally:
            await sandbox.put("/faults", json={"revoked": False})
    assert uuid.UUID(in_a["id"]) in row.done_integrations
    assert uuid.UUID(in_b["id"]) not in row.done_integrations
    assert in_b["id"] in (row.last_error or "")
    assert row.status == NotificationStatus.PENDING

    async def processed() -> WebhookNotification | None:
        [row] = await stored(sessionmaker, event["id"])
        return row if row.status == NotificationStatus.PROCESSED else None

    row = await eventually(processed, timeout_s=30)
    assert row is not None, "the retry did not process it"
    assert uuid.UUID(in_b["id"]) in row.done_integrations
    assert (row.outcome or "").count(f"{in_a['id']}:") == 1
    email = target["email"].strip().lower()
    for tenant in (a, b):
        account = AccountScope(uuid.UUID(str(tenant.account_id)))
        found = await customer(sessionmaker, account, email)
        assert found is not None, tenant
        assert found.name == "Renamed by a webhook", tenant


@pytest.mark.usefixtures("worker")
async def test_a_lead_merged_into_a_user_of_its_email_keeps_its_customer_even_when_deletes_delete(
    http: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    sandbox_url: str,
    sandbox_workspaces: list[dict[str, Any]],
) -> None:
    """With "deleted in Intercom: delete", the merged-away lead is gone, yet its person is not:
    the customer (its id, so its history) stays, now from the user, with the user's values."""
    tenant = await create_tenant(sessionmaker, nps_campaigns=2)
    account = AccountScope(uuid.UUID(str(tenant.account_id)))
    workspace = sandbox_workspaces[0]
    integration = await connect_workspace(http, tenant, workspace["access_token"])
    await http.put(
        f"/v1/integrations/{integration['id']}/settings",
        json={"on_deleted_in_intercom": "delete"},
        headers=tenant.headers,
    )
    await auto_synced(http, tenant, integration["id"], "users", "leads")
    async with sessionmaker() as session:
        alone = (
            select(CustomerSource.customer_id)
            .where(CustomerSource.account_id == account.id)
            .group_by(CustomerSource.customer_id)
            .having(func.count() == 1)
        )
        lead_source = await session.scalar(
            select(CustomerSource)
            .where(
                CustomerSource.account_id == account.id,
                CustomerSource.role == "lead",
                CustomerSource.customer_id.in_(alone),
            )
            .limit(1)
        )
    assert lead_source is not None, "no lead is a customer of its own"
    survivor_id = f"user-{uuid.uuid4().hex[:12]}"
    event = notification(
        workspace["app_id"],
        "contact.merged",
        {
            "type": "contact",
            "id": survivor_id,
            "role": "user",
            "email": lead_source.email,
            "name": "The user it became",
            # Updated before the lead was: the survivor is still written over the lead's values.
            "updated_at": lead_source.intercom_updated_at - 1,
            "merged_from": {"type": "contact", "id": lead_source.intercom_contact_id},
        },
    )
    body, headers = signed(event)
    assert (await http.post(PATH, content=body, headers=headers)).status_code == 200

    async def processed() -> WebhookNotification | None:
        [row] = await stored(sessionmaker, event["id"])
        return row if row.status != NotificationStatus.PENDING else None

    row = await eventually(processed)
    assert row is not None, "not processed"
    assert row.status == NotificationStatus.PROCESSED, row.last_error
    async with sessionmaker() as session:
        kept = await session.get(Customer, lead_source.customer_id)
        sources = set(
            await session.scalars(
                select(CustomerSource.intercom_contact_id).where(
                    CustomerSource.customer_id == lead_source.customer_id
                )
            )
        )
    assert kept is not None, "the merge deleted the person"
    assert kept.name == "The user it became"
    assert sources == {survivor_id}
    async with sessionmaker() as session:
        role = await session.scalar(
            select(CustomerSource.role).where(CustomerSource.intercom_contact_id == survivor_id)
        )
    assert role == "user"


async def test_handled_notifications_and_tombstones_are_purged_after_the_retention(
    sessionmaker: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    tenant = await create_tenant(sessionmaker)
    cipher = SecretBox(settings.encryption_keys)
    integration = await create_integration(sessionmaker, tenant, cipher.encrypt("t"), slot=1)
    now = datetime.now(UTC)
    old, recent = now - timedelta(days=8), now - timedelta(days=6)
    rows = {
        "old-processed": (old, NotificationStatus.PROCESSED),
        "old-failed": (old, NotificationStatus.FAILED),
        "old-pending": (old, NotificationStatus.PENDING),  # its work is not done: kept
        "recent-processed": (recent, NotificationStatus.PROCESSED),
    }
    tag = uuid.uuid4().hex[:8]
    async with transaction(sessionmaker) as session:
        for name, (received_at, status) in rows.items():
            session.add(
                WebhookNotification(
                    notification_id=f"{name}-{tag}",
                    app_id="purge",
                    topic="ping",
                    body=b"{}",
                    status=status,
                    attempts=0,
                    received_at=received_at,
                )
            )
        for name, recorded_at in (("old", old), ("recent", recent)):
            session.add(
                ContactTombstone(
                    integration_id=integration,
                    intercom_contact_id=f"{name}-{tag}",
                    account_id=tenant.account_id,
                    # Gone long ago both: the purge goes by when they were recorded.
                    gone_at=int((old - timedelta(days=300)).timestamp()),
                    recorded_at=recorded_at,
                )
            )
    ports = WebhookPorts(
        sessionmaker=sessionmaker,
        queue=RecordingQueue(),
        intercom=None,  # type: ignore[arg-type]  # purging asks Intercom nothing
        cipher=cipher,
        settings=WebhookSettings(retention=timedelta(days=7)),
    )
    assert await processing.purge(ports) >= 3
    async with sessionmaker() as session:
        left = set(
            await session.scalars(
                select(WebhookNotification.notification_id).where(
                    WebhookNotification.notification_id.like(f"%-{tag}")
                )
            )
        )
        tombstones = set(
            await session.scalars(
                select(ContactTombstone.intercom_contact_id).where(
                    ContactTombstone.integration_id == integration
                )
            )
        )
    assert left == {f"old-pending-{tag}", f"recent-processed-{tag}"}
    assert tombstones == {f"recent-{tag}"}


@pytest.mark.usefixtures("worker")
async def test_an_email_change_and_a_lead_signing_up_are_written_as_a_sync_would(
    http: httpx.AsyncClient,
    sessionmaker: async_sessionmaker[AsyncSession],
    sandbox_url: str,
    sandbox_workspaces: list[dict[str, Any]],
    webhooks_to_api: httpx.AsyncClient,
) -> None:
    tenant = await create_tenant(sessionmaker, nps_campaigns=2)
    account = AccountScope(uuid.UUID(str(tenant.account_id)))
    workspace = sandbox_workspaces[0]
    app_id = workspace["app_id"]
    integration = await connect_workspace(http, tenant, workspace["access_token"])
    await auto_synced(http, tenant, integration["id"], "users", "leads")

    async def mutate(kind: str, contact_id: str) -> dict[str, Any]:
        response = await webhooks_to_api.post(
            f"/workspaces/{app_id}/mutations", json={"kind": kind, "contact_id": contact_id}
        )
        assert response.status_code == 200, response.text
        change: dict[str, Any] = response.json()["changes"][0]
        return change

    async def source_of(contact_id: str) -> CustomerSource | None:
        async with sessionmaker() as session:
            found: CustomerSource | None = await session.scalar(
                select(CustomerSource).where(
                    CustomerSource.account_id == account.id,
                    CustomerSource.intercom_contact_id == contact_id,
                )
            )
            return found

    # An email change: the contact's customer is now the one of its new address.
    user = users_with_a_unique_email(await sandbox_contacts(sandbox_url, app_id))[0]
    changed = await mutate("email", user["id"])
    assert changed["topic"] == "contact.email.updated"
    new_email = changed["item"]["email"].strip().lower()

    async def moved() -> bool:
        source = await source_of(user["id"])
        return source is not None and source.email == new_email

    assert await eventually(moved), "the email change was not written"
    assert await customer(sessionmaker, account, new_email) is not None

    # A lead signing up: its source is a user's now (it wins over leads of its email).
    async with sessionmaker() as session:
        lead_id = await session.scalar(
            select(CustomerSource.intercom_contact_id).where(
                CustomerSource.account_id == account.id, CustomerSource.role == "lead"
            )
        )
    assert lead_id is not None
    signed_up = await mutate("signup", lead_id)
    assert signed_up["topic"] == "contact.lead.signed_up"

    async def a_user_now() -> bool:
        source = await source_of(lead_id)
        return source is not None and source.role == "user"

    assert await eventually(a_user_now), "the sign-up was not written"
