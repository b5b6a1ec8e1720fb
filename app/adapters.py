"""The composition root's parts: every adapter a process (API or worker) builds once at start-up
and wires into the domain."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta

import httpx
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.config import Settings
from app.crypto import SecretBox
from app.db import DirectPool, create_engine, create_read_sessionmaker, create_sessionmaker
from app.domain.accounts.credentials import KnownCredentials
from app.domain.events.sending import EventPorts, EventSettings
from app.domain.ports import JobQueue
from app.domain.refresh.service import RefreshPorts, RefreshSettings
from app.domain.syncs.events import RunWatchers
from app.domain.syncs.jobs import RunnerPorts, SyncSettings
from app.domain.webhooks.intake import Wakeups
from app.domain.webhooks.processing import WebhookPorts, WebhookSettings
from app.intercom.client import IntercomClient, RetryPolicy, new_http_client
from app.intercom.ratelimit import RateBudget


@dataclass
class Adapters:
    settings: Settings
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    # For requests that only read: each statement is its own transaction.
    read_sessionmaker: async_sessionmaker[AsyncSession]
    redis: Redis
    queue: JobQueue
    http: httpx.AsyncClient
    intercom: IntercomClient
    cipher: SecretBox
    # This process's room for sync partitions (a worker passes the others on to other workers).
    partition_slots: asyncio.Semaphore
    # This process's progress pollers, shared by the SSE streams that follow one run.
    run_watchers: RunWatchers

    # For hot statements that are their own transaction (the webhook intake, authentication).
    direct: DirectPool
    # The API's wake-ups of the job that works new webhook notifications.
    webhook_wakeups: Wakeups
    # Requests take a database session in turn, as many at once as the pool holds.
    request_turns: asyncio.Semaphore
    # API keys and JWT accounts verified in the last API_KEY_CACHE_S seconds.
    known_credentials: KnownCredentials

    @classmethod
    def build(
        cls,
        settings: Settings,
        redis: Redis,
        queue: JobQueue,
        *,
        retry: RetryPolicy | None = None,
    ) -> Adapters:
        engine = create_engine(
            settings.database_url,
            pool_size=settings.database_pool_size,
            max_overflow=settings.database_max_overflow,
            pool_timeout_s=settings.database_pool_timeout_s,
        )
        sessionmaker = create_sessionmaker(engine)
        read_sessionmaker = create_read_sessionmaker(engine)
        http = new_http_client(settings.intercom_timeout_s)
        budget = RateBudget(
            redis,
            prefix=settings.redis_prefix,
            interactive_share=settings.intercom_interactive_share,
        )
        return cls(
            settings=settings,
            engine=engine,
            direct=DirectPool(
                settings.database_url,
                size=settings.database_direct_pool_size,
                acquire_timeout_s=settings.database_pool_timeout_s,
            ),
            sessionmaker=sessionmaker,
            read_sessionmaker=read_sessionmaker,
            redis=redis,
            queue=queue,
            http=http,
            intercom=IntercomClient(
                http, base_url_override=settings.intercom_base_url, budget=budget, retry=retry
            ),
            cipher=SecretBox(settings.encryption_keys),
            webhook_wakeups=Wakeups(queue),
            request_turns=asyncio.Semaphore(settings.database_pool_size),
            known_credentials=KnownCredentials(settings.api_key_cache_s),
            partition_slots=asyncio.Semaphore(settings.sync_partitions_per_worker),
            run_watchers=RunWatchers(
                sessionmaker, streams_per_account=settings.sync_streams_per_account
            ),
        )

    def runner(self) -> RunnerPorts:
        """What the sync runner needs, from this process's adapters and settings."""
        return RunnerPorts(
            sessionmaker=self.sessionmaker,
            queue=self.queue,
            intercom=self.intercom,
            cipher=self.cipher,
            settings=sync_settings(self.settings),
        )

    def events(self) -> EventPorts:
        """What sending events to Intercom needs."""
        return EventPorts(
            sessionmaker=self.sessionmaker,
            queue=self.queue,
            intercom=self.intercom,
            cipher=self.cipher,
            settings=EventSettings(lease=timedelta(seconds=self.settings.events_lease_s)),
        )

    def webhooks(self) -> WebhookPorts:
        """What processing webhook notifications needs."""
        return WebhookPorts(
            sessionmaker=self.sessionmaker,
            queue=self.queue,
            intercom=self.intercom,
            cipher=self.cipher,
            settings=WebhookSettings(
                retention=timedelta(days=self.settings.webhook_retention_days)
            ),
        )

    def refresher(self) -> RefreshPorts:
        """What the refresh (job and periodic pass) needs."""
        return RefreshPorts(
            sessionmaker=self.sessionmaker,
            queue=self.queue,
            intercom=self.intercom,
            cipher=self.cipher,
            settings=refresh_settings(self.settings),
        )

    async def close(self) -> None:
        """Closes what `build` opened; Redis belongs to whoever passed it in."""
        await self.webhook_wakeups.aclose()
        await self.http.aclose()
        await self.direct.close()
        await self.engine.dispose()


def sync_settings(settings: Settings) -> SyncSettings:
    return SyncSettings(
        batch_size=settings.sync_batch_size,
        read_concurrency=settings.intercom_read_concurrency,
        lease=timedelta(seconds=settings.sync_lease_s),
        slice=timedelta(seconds=settings.sync_slice_s),
        max_attempts=settings.sync_max_attempts,
        max_deferrals=settings.sync_max_deferrals,
        defer_initial=timedelta(seconds=settings.sync_defer_initial_s),
        fan_out_above=settings.sync_fan_out_above,
        max_partitions=settings.sync_max_partitions,
        partitions_per_worker=settings.sync_partitions_per_worker,
    )


def refresh_settings(settings: Settings) -> RefreshSettings:
    lease = timedelta(seconds=settings.refresh_lease_s)
    return RefreshSettings(
        interval=timedelta(seconds=settings.refresh_interval_s),
        lease=lease,
        # A queued job waits for a free worker; a busy one frees within a sync slice.
        start_within=lease + timedelta(seconds=settings.sync_slice_s),
        retry_after=timedelta(seconds=settings.refresh_retry_s),
        read_concurrency=settings.intercom_read_concurrency,
        # Well within the lease: a renewal late by a slow page still lands in time.
        renew_every=lease / 3,
    )
