"""The composition root's parts: every adapter a process (API or worker) builds once at start-up
and wires into the domain."""

from __future__ import annotations

from dataclasses import dataclass

import httpx
from arq import ArqRedis
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.config import Settings
from app.crypto import SecretBox
from app.db import create_engine, create_sessionmaker
from app.intercom.client import IntercomClient, RetryPolicy, new_http_client
from app.intercom.ratelimit import RateBudget
from app.workers import ArqQueue


@dataclass
class Adapters:
    settings: Settings
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    redis: ArqRedis
    queue: ArqQueue
    http: httpx.AsyncClient
    intercom: IntercomClient
    cipher: SecretBox

    @classmethod
    def build(
        cls, settings: Settings, redis: ArqRedis, *, retry: RetryPolicy | None = None
    ) -> Adapters:
        engine = create_engine(settings.database_url)
        http = new_http_client(settings.intercom_timeout_s)
        budget = RateBudget(
            redis,
            prefix=settings.redis_prefix,
            interactive_share=settings.intercom_interactive_share,
        )
        return cls(
            settings=settings,
            engine=engine,
            sessionmaker=create_sessionmaker(engine),
            redis=redis,
            queue=ArqQueue(redis, settings.queue_name),
            http=http,
            intercom=IntercomClient(
                http, base_url_override=settings.intercom_base_url, budget=budget, retry=retry
            ),
            cipher=SecretBox(settings.encryption_keys),
        )

    async def close(self) -> None:
        """Closes what `build` opened; Redis belongs to whoever passed it in."""
        await self.http.aclose()
        await self.engine.dispose()
