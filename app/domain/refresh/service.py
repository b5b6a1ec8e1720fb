"""Refreshing an integration's cache: asked for through the API, or due periodically.

A refresh is due at `refresh_due_at`: at the integration's own slot of every `interval`
(app/domain/schedule/slots.py), or now when asked for. Whoever decides it should run (the API,
the periodic pass) holds the integration's lease for the job it sends, which must start within
`start_within`; the job claims the lease with an owner token, reads everything from Intercom,
then writes it in one transaction fenced by that token. A job that dies leaves a lease that
lapses while the refresh is still due: the next periodic pass sends another job. Intercom
outages and rate limits put the refresh off by a backoff; a refused token asks for a reconnect.
"""

from __future__ import annotations

import random
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import structlog
from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.domain.integrations import service as integration_service
from app.domain.integrations.errors import IntegrationNotFound
from app.domain.models import Integration, SegmentKind
from app.domain.models.integrations import CONNECTED, REAUTH_REQUIRED
from app.domain.outbox import service as outbox
from app.domain.outbox.service import unit_of_work
from app.domain.ports import IntercomGateway, JobQueue, SecretCipher
from app.domain.refresh import cache, custom_counts
from app.domain.refresh.repository import RefreshRepository
from app.domain.refresh.schemas import RefreshStatus
from app.domain.scope import AccountScope
from app.domain.segments.repository import SegmentRepository
from app.intercom.errors import (
    IntercomAuthError,
    IntercomError,
    IntercomRateLimited,
    IntercomServerError,
    IntercomTransportError,
    IntercomUnexpectedResponse,
)

log = structlog.get_logger(__name__)

REFRESH_JOB = "refresh.run"


@dataclass(frozen=True)
class RefreshSettings:
    interval: timedelta = cache.DEFAULT_REFRESH_INTERVAL
    # How long a job holds its claim: a refresh is a handful of Intercom calls.
    lease: timedelta = timedelta(minutes=5)
    # How long a sent job may wait for a worker before the periodic pass sends another.
    start_within: timedelta = timedelta(minutes=10)
    # How long a refresh that Intercom could not serve waits before it is due again.
    retry_after: timedelta = timedelta(minutes=5)
    batch_size: int = 100
    # Concurrent reads when a custom segment's contacts are counted here.
    read_concurrency: int = 4
    # How often a refresh that counts renews its lease (well within `lease`).
    renew_every: timedelta = timedelta(seconds=100)


@dataclass(frozen=True)
class RefreshPorts:
    sessionmaker: async_sessionmaker[AsyncSession]
    queue: JobQueue
    intercom: IntercomGateway
    cipher: SecretCipher
    settings: RefreshSettings


def status_of(integration: Integration) -> RefreshStatus:
    status = integration.refresh_state["status"]
    assert isinstance(status, RefreshStatus)
    return status


def job_id(integration_id: uuid.UUID, sent_at: datetime) -> str:
    # Deterministic per decision to refresh: the relay dispatching the same message twice
    # collapses into one job; a later decision (a new request, a lapsed lease) is a new job.
    return f"{REFRESH_JOB}:{integration_id}:{int(sent_at.timestamp() * 1_000_000)}"


def _send(session: AsyncSession, integration: Integration, sent_at: datetime) -> None:
    outbox.enqueue_after_commit(
        session,
        REFRESH_JOB,
        job_id=job_id(integration.id, sent_at),
        payload={"integration_id": str(integration.id)},
        account_id=integration.account_id,
    )


async def request(
    session: AsyncSession,
    account: AccountScope,
    integration_id: uuid.UUID,
    settings: RefreshSettings,
) -> Integration:
    """Asks for a refresh now. One already on its way (pending or running) is the answer."""
    integration = await integration_service.get(session, account, integration_id)
    integration_service.ensure_usable(integration)
    if status_of(integration) in (RefreshStatus.PENDING, RefreshStatus.RUNNING):
        return integration
    reserved = await RefreshRepository(session).reserve_requested(
        account, integration_id, settings.start_within
    )
    if reserved is None:
        # Another request or the periodic pass got there first (its reservation committed
        # while this one waited on the row), or the integration was disconnected meanwhile:
        # read it again to answer what is true now.
        await session.refresh(integration)
        if integration.disconnected_at is not None:
            raise IntegrationNotFound(integration_id)
        return integration
    _send(session, reserved, datetime.now(UTC))
    log.info("refresh.requested", integration_id=str(integration_id))
    return reserved


async def ask_for_counts(
    session: AsyncSession,
    account: AccountScope,
    integration_id: uuid.UUID,
    settings: RefreshSettings,
) -> None:
    """A custom segment's filters or mapping are changing: its count is due. The integration
    stays locked until the change commits, so a refresh writing meanwhile waits for it and then
    sees the change (custom_counts.apply_counts makes itself due again at once); a refresh
    already on its way is the answer. Quietly nothing when the workspace cannot be read now
    (the count waits for the reconnect, whose refresh counts it)."""
    integration = await RefreshRepository(session).lock_connected(account, integration_id)
    if integration is None or integration.status != CONNECTED:
        return
    reserved = await RefreshRepository(session).reserve_requested(
        account, integration_id, settings.start_within
    )
    if reserved is not None:
        _send(session, reserved, datetime.now(UTC))


async def ask_for_counts_of(
    session: AsyncSession,
    account: AccountScope,
    segment_id: uuid.UUID,
    settings: RefreshSettings,
) -> None:
    """Before a change to a segment's mapping (which decides what its filters see): a custom
    segment with filters is counted again. Call it before locking the segment."""
    segment = await SegmentRepository(session).get_for_account(account, segment_id)
    if segment is not None and segment.kind == SegmentKind.CUSTOM and segment.filters:
        await ask_for_counts(session, account, segment.integration_id, settings)


async def enqueue_due(ports: RefreshPorts, *, now: datetime | None = None) -> int:
    """The periodic pass: sends a job for every connected integration whose refresh is due and
    whose lease is free or lapsed, a bounded batch per transaction. Returns how many."""
    sent = 0
    settings = ports.settings
    for _ in range(100):  # bounded: a pass never runs away
        async with unit_of_work(ports.sessionmaker, ports.queue) as session:
            due = await RefreshRepository(session).lock_due(
                now or datetime.now(UTC), settings.batch_size
            )
            sent_at = datetime.now(UTC)
            for integration in due:
                if integration.refresh_lease_owner is not None:
                    log.warning("refresh.lease_lapsed", integration_id=str(integration.id))
                integration.refresh_lease_owner = None
                integration.refresh_lease_expires_at = func.now() + settings.start_within
                _send(session, integration, sent_at)
        sent += len(due)
        if len(due) < settings.batch_size:
            break
    if sent:
        log.info("refresh.due_sent", count=sent)
    return sent


async def run(ports: RefreshPorts, integration_id: uuid.UUID, *, owner: str) -> None:
    """The job: refreshes the integration if its lease is there to claim. Safe to run any
    number of times: a job that finds a live claim, or nothing asked for, does nothing."""
    # One fencing token per claim (see the sync runner): the token first, a long name is cut.
    owner = f"{uuid.uuid4().hex[:12]}@{owner}"[:64]
    async with unit_of_work(ports.sessionmaker, ports.queue) as session:
        integration = await RefreshRepository(session).claim(
            integration_id, owner, ports.settings.lease
        )
    if integration is None:
        log.info("refresh.stale_job", integration_id=str(integration_id))
        return
    log.info("refresh.started", integration_id=str(integration_id))
    try:
        try:
            workspace = integration_service.workspace_for(integration, ports.intercom, ports.cipher)
        except ValueError:  # SecretCipher: no configured key opens the stored token
            await _failed(
                ports,
                integration_id,
                owner,
                "token_undecryptable",
                "The stored Intercom token cannot be decrypted with the configured keys; "
                "reconnect the workspace.",
            )
            return
        async with ports.sessionmaker() as session, session.begin():
            planned = await custom_counts.plan(session, integration)
        # Read everything before writing anything, outside any transaction: the write is one
        # short transaction, all of it or none. Counting a long custom segment renews the
        # lease as it reads.
        snapshot = await cache.fetch(
            workspace,
            planned,
            timezone=integration.timezone,
            read_concurrency=ports.settings.read_concurrency,
            on_page=_LeaseKeeper(ports, integration_id, owner).renew,
        )
    except LeaseLost:
        log.warning("refresh.lease_lost", integration_id=str(integration_id))
    except IntercomAuthError as exc:
        await _failed(
            ports, integration_id, owner, "intercom_token_rejected", exc.message, reauth=True
        )
    except IntercomRateLimited as exc:
        reset_in = None if exc.reset_at is None else exc.reset_at - time.time()
        wait = max(_backoff(ports.settings), timedelta(seconds=reset_in or 0))
        await _failed(ports, integration_id, owner, "intercom_rate_limited", exc.message, wait)
    except (IntercomServerError, IntercomTransportError, IntercomUnexpectedResponse) as exc:
        await _failed(ports, integration_id, owner, "intercom_unavailable", exc.message)
    except IntercomError as exc:
        await _failed(ports, integration_id, owner, "intercom_error", exc.message)
    except Exception as exc:
        log.exception("refresh.crashed", integration_id=str(integration_id))
        await _failed(
            ports, integration_id, owner, "internal_error", f"{type(exc).__name__} during refresh"
        )
    else:
        try:
            await _write(ports, integration_id, owner, snapshot)
        except Exception as exc:
            # Recorded and due again later, rather than a job that dies and is resent at
            # every periodic pass.
            log.exception("refresh.write_failed", integration_id=str(integration_id))
            await _failed(
                ports,
                integration_id,
                owner,
                "internal_error",
                f"{type(exc).__name__} while saving the refresh",
            )


async def _write(
    ports: RefreshPorts, integration_id: uuid.UUID, owner: str, snapshot: cache.Snapshot
) -> None:
    async with unit_of_work(ports.sessionmaker, ports.queue) as session:
        integration = await RefreshRepository(session).lock_held(integration_id, owner)
        if integration is None:
            log.warning("refresh.lease_lost", integration_id=str(integration_id))
            return
        await cache.apply(
            session, integration, snapshot, now=datetime.now(UTC), interval=ports.settings.interval
        )
        _release(integration)
        integration.refresh_error_code = None
        integration.refresh_error = None
    log.info("refresh.finished", integration_id=str(integration_id))


async def _failed(
    ports: RefreshPorts,
    integration_id: uuid.UUID,
    owner: str,
    code: str,
    message: str,
    wait: timedelta | None = None,
    *,
    reauth: bool = False,
) -> None:
    """Records why the refresh failed and when it is due again. A refused token is not retried:
    scheduled work waits for the workspace to be connected again."""
    async with unit_of_work(ports.sessionmaker, ports.queue) as session:
        integration = await RefreshRepository(session).lock_held(integration_id, owner)
        if integration is None:
            log.warning("refresh.lease_lost", integration_id=str(integration_id))
            return
        _release(integration)
        integration.refresh_error_code = code
        integration.refresh_error = message
        if reauth:
            if integration.status == CONNECTED:
                integration.status = REAUTH_REQUIRED
        else:
            wait = wait or _backoff(ports.settings)
            # On the database's clock, the one the periodic pass compares it with.
            integration.refresh_due_at = func.now() + wait
    log.warning("refresh.failed", integration_id=str(integration_id), error_code=code)


class LeaseLost(Exception):
    """The refresh's lease went to another job while it read: it stops, writing nothing."""


class _LeaseKeeper:
    def __init__(self, ports: RefreshPorts, integration_id: uuid.UUID, owner: str) -> None:
        self._ports = ports
        self._integration_id = integration_id
        self._owner = owner
        self._renewed = time.monotonic()

    async def renew(self, _read: int) -> None:
        every = self._ports.settings.renew_every.total_seconds()
        if time.monotonic() - self._renewed < every:
            return
        async with self._ports.sessionmaker() as session, session.begin():
            held = await RefreshRepository(session).renew(
                self._integration_id, self._owner, self._ports.settings.lease
            )
        if not held:
            raise LeaseLost
        self._renewed = time.monotonic()


def _release(integration: Integration) -> None:
    integration.refresh_lease_owner = None
    integration.refresh_lease_expires_at = None
    integration.refresh_requested_at = None


def _backoff(settings: RefreshSettings) -> timedelta:
    # Jittered, so that integrations that failed together (an Intercom outage) do not all come
    # back in the same second.
    return settings.retry_after * random.uniform(1.0, 1.25)
