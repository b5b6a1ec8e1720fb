"""Long-lived resources of a worker process, built once at start-up."""

from __future__ import annotations

from dataclasses import dataclass

import httpx
from arq import ArqRedis
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.config import Settings
from app.crypto import SecretBox
from app.db import create_engine, create_sessionmaker
from app.intercom.client import IntercomClient, new_http_client
from app.intercom.ratelimit import RateBudget
from app.workers import ArqQueue


@dataclass
class WorkerResources:
    settings: Settings
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    http: httpx.AsyncClient
    intercom: IntercomClient
    cipher: SecretBox
    queue: ArqQueue

    @classmethod
    def build(cls, settings: Settings, redis: ArqRedis) -> WorkerResources:
        engine = create_engine(settings.database_url)
        http = new_http_client(settings.intercom_timeout_s)
        return cls(
            settings=settings,
            engine=engine,
            sessionmaker=create_sessionmaker(engine),
            http=http,
            intercom=IntercomClient(
                http,
                base_url_override=settings.intercom_base_url,
                budget=RateBudget(
                    redis,
                    prefix=settings.redis_prefix,
                    interactive_share=settings.intercom_interactive_share,
                ),
            ),
            cipher=SecretBox(settings.encryption_keys),
            queue=ArqQueue(redis, settings.queue_name),
        )

    async def close(self) -> None:
        await self.http.aclose()
        await self.engine.dispose()
