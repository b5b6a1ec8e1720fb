"""What the API process builds once at start-up (see app/main.py's lifespan)."""

from __future__ import annotations

from dataclasses import dataclass

import httpx
from arq import ArqRedis
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.config import Settings
from app.crypto import SecretBox
from app.intercom.client import IntercomClient
from app.workers import ArqQueue


@dataclass
class ApiResources:
    settings: Settings
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    redis: ArqRedis
    queue: ArqQueue
    http: httpx.AsyncClient
    intercom: IntercomClient
    cipher: SecretBox
