"""A sync killed between batches resumes from its checkpoint and ends with the same report as an
uninterrupted run: no contact lost, none counted twice."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Mapping
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.config import Settings
from app.crypto import SecretBox
from app.db import transaction
from app.domain.integrations import service as integration_service
from app.domain.integrations.schemas import IntegrationCreate
from app.domain.models import SegmentKind, SyncStatus
from app.domain.scope import AccountScope
from app.domain.segments import service as segment_service
from app.domain.syncs import service as sync_service
from app.domain.syncs.repository import SyncRunRepository
from app.intercom.client import IntercomClient, WorkspaceClient
from app.intercom.models import ContactList
from app.intercom.ratelimit import Priority
from tests.fixtures.factories import create_tenant


class Crash(Exception):
    pass


class CrashingWorkspace(WorkspaceClient):
    """The real client, made to die after `pages` pages, as a killed worker would."""

    pages_left: int

    @classmethod
    def around(cls, inner: WorkspaceClient, pages: int) -> CrashingWorkspace:
        crashing = cls.__new__(cls)
        crashing.__dict__.update(inner.__dict__)
        crashing.pages_left = pages
        return crashing

    async def search_page(
        self,
        query: Mapping[str, Any],
        starting_after: str | None = None,
        *,
        per_page: int = 150,
        priority: Priority = Priority.BULK,
    ) -> ContactList:
        if self.pages_left == 0:
            raise Crash
        self.pages_left -= 1
        return await super().search_page(
            query, starting_after, per_page=per_page, priority=priority
        )


class Gateway:
    def __init__(self, client: IntercomClient, crash_after_pages: int | None) -> None:
        self.client = client
        self.crash_after_pages = crash_after_pages

    def workspace(self, token: str, region: str | None = None, *, app_id: str | None = None) -> Any:
        inner = self.client.workspace(token, region, app_id=app_id)
        if self.crash_after_pages is None:
            return inner
        return CrashingWorkspace.around(inner, self.crash_after_pages)


@pytest.fixture
async def intercom(settings: Settings) -> AsyncIterator[IntercomClient]:
    async with httpx.AsyncClient(timeout=10) as http:
        yield IntercomClient(http, base_url_override=settings.intercom_base_url)


async def start_users_sync(
    sessionmaker: async_sessionmaker[AsyncSession],
    intercom: IntercomClient,
    cipher: SecretBox,
    token: str,
) -> uuid.UUID:
    tenant = await create_tenant(sessionmaker)
    scope = AccountScope(tenant.account_id)
    async with transaction(sessionmaker) as session:
        integration = await integration_service.connect_with_token(
            session, scope, IntegrationCreate(access_token=token), intercom=intercom, cipher=cipher
        )
        segments = await segment_service.list_for_integration(session, scope, integration.id)
        users = next(s for s in segments if s.kind == SegmentKind.USERS)
        run = await sync_service.start(session, scope, users.id)
    return run.id


async def test_a_sync_killed_after_two_pages_resumes_to_the_same_report_as_a_clean_run(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    intercom: IntercomClient,
    sandbox_workspaces: list[dict[str, Any]],
) -> None:
    cipher = SecretBox(settings.encryption_keys)
    token = sandbox_workspaces[0]["access_token"]
    # Small partitions and batches, so the crash falls between checkpointed batches.
    options: dict[str, Any] = {"cipher": cipher, "batch_size": 1, "read_concurrency": 1}

    clean_id = await start_users_sync(sessionmaker, intercom, cipher, token)
    await sync_service.run(sessionmaker, clean_id, intercom=Gateway(intercom, None), **options)

    resumed_id = await start_users_sync(sessionmaker, intercom, cipher, token)
    with pytest.raises(Crash):
        await sync_service.run(sessionmaker, resumed_id, intercom=Gateway(intercom, 1), **options)
    async with sessionmaker() as session:
        halfway = await SyncRunRepository(session).lock_for_job(resumed_id)
        assert halfway is not None
        assert halfway.status == SyncStatus.RUNNING
        assert halfway.checkpoint
        assert halfway.checkpoint["reader"]["partitions"]
        assert 0 < halfway.fetched < 300
    await sync_service.run(sessionmaker, resumed_id, intercom=Gateway(intercom, None), **options)

    async with sessionmaker() as session:
        repository = SyncRunRepository(session)
        clean = await repository.lock_for_job(clean_id)
        resumed = await repository.lock_for_job(resumed_id)
    assert clean is not None
    assert resumed is not None
    assert resumed.status == clean.status == SyncStatus.FINISHED
    counters = ("fetched", "created", "updated", "unchanged", "skipped", "failed")
    assert [getattr(resumed, name) for name in counters] == [
        getattr(clean, name) for name in counters
    ]
    assert resumed.skipped_reasons == clean.skipped_reasons
    assert resumed.checkpoint is None


async def test_running_a_finished_sync_again_does_nothing(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    intercom: IntercomClient,
    sandbox_workspaces: list[dict[str, Any]],
) -> None:
    cipher = SecretBox(settings.encryption_keys)
    run_id = await start_users_sync(
        sessionmaker, intercom, cipher, sandbox_workspaces[0]["access_token"]
    )
    await sync_service.run(sessionmaker, run_id, intercom=intercom, cipher=cipher, batch_size=100)
    async with sessionmaker() as session:
        before = await SyncRunRepository(session).lock_for_job(run_id)
    await sync_service.run(sessionmaker, run_id, intercom=intercom, cipher=cipher, batch_size=100)
    async with sessionmaker() as session:
        after = await SyncRunRepository(session).lock_for_job(run_id)
    assert before is not None
    assert after is not None
    assert (after.fetched, after.created, after.finished_at) == (
        before.fetched,
        before.created,
        before.finished_at,
    )
