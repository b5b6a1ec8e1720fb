"""One Settings object, read from the environment and an optional `.env`."""

from __future__ import annotations

import hmac
from functools import lru_cache
from typing import Annotated
from urllib.parse import urlsplit

from cryptography.fernet import Fernet
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", env_ignore_empty=True)

    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/intercom_sync"
    # Connections each process keeps (API or worker), and how many more it may open in a burst;
    # a request waits at most `database_pool_timeout_s` for one (then 503). The API keeps a
    # second pool of `database_direct_pool_size` for the webhook intake and authentication (an
    # API key's lookup, a JWT account's provisioning). Sizing: README.
    database_pool_size: int = Field(default=10, ge=1, le=200)
    database_max_overflow: int = Field(default=0, ge=0, le=200)
    database_pool_timeout_s: float = Field(default=10.0, gt=0, le=120)
    database_direct_pool_size: int = Field(default=10, ge=1, le=200)
    redis_url: str = "redis://127.0.0.1:6379/0"
    # Prefix of every Redis key and of the job queue, so that several deployments (or test runs)
    # can share one Redis without seeing each other's work.
    redis_prefix: str = "intercom-sync"

    # Fernet keys, comma separated; the first encrypts, all decrypt (rotation: prepend a new key).
    encryption_keys: Annotated[list[SecretStr], NoDecode] = Field(default_factory=list)

    # The main product signs JWTs whose subject is the account id.
    jwt_hs256_secret: SecretStr | None = None
    jwt_rs256_public_key: SecretStr | None = None
    jwt_audience: str | None = None
    jwt_issuer: str | None = None

    # OAuth app of the Developer Hub (INTERCOM.md §1.2); OAuth connect answers 503
    # `oauth_not_configured` without both.
    intercom_client_id: str | None = None
    intercom_client_secret: SecretStr | None = None
    # The redirects OAuth connect may send the admin back to, comma separated: the product's
    # own pages, registered with Intercom too. A connect asking for any other is refused.
    oauth_redirect_uris: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # HMAC key of the OAuth `state`. Unset: derived from each of ENCRYPTION_KEYS (see
    # `oauth_state_keys`), so rotating those keys also rotates it; states in flight live
    # only `oauth_state_ttl_s` anyway.
    oauth_state_secret: SecretStr | None = None
    oauth_state_ttl_s: int = Field(default=600, ge=1, le=3600)
    # Sends every Intercom call (all regions) to this URL: the sandbox, or a recording proxy.
    intercom_base_url: str | None = None
    intercom_timeout_s: float = 30.0
    # Share of each workspace's rate window kept for interactive calls (counts, previews).
    intercom_interactive_share: float = Field(default=0.05, ge=0, lt=1)
    # Partitions of a workspace read at once by one sync.
    intercom_read_concurrency: int = Field(default=8, ge=1, le=64)

    # The main product's own credential for the internal API (`/internal/v1`), which reports
    # accounts' NPS campaign counts; unset, the internal API refuses every call.
    internal_api_token: SecretStr | None = None
    # Lists and segments an account may auto-sync per NPS campaign it runs.
    auto_sync_per_campaign: float = Field(default=1.0, ge=0, le=1000)

    # How long a job may hold an event it sends to Intercom (longer than the job's 2-minute
    # timeout); a job that dies holding it (a crash between the post and its record) is
    # replaced when it lapses.
    events_lease_s: float = Field(default=150, ge=1, le=3600)
    # Handled webhook notifications and contact tombstones are kept this long, then purged.
    webhook_retention_days: int = Field(default=7, ge=1, le=365)

    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # The interactive docs (/docs, /redoc); /openapi.json is always served.
    docs_enabled: bool = True
    log_level: str = "INFO"
    # How long an API process trusts an API key (or a JWT's account) it verified: a revoked key
    # works at most this much longer (0: every request asks PostgreSQL).
    api_key_cache_s: float = Field(default=10, ge=0, le=300)
    # Prometheus metrics: the API's at /metrics (behind a bearer token when one is set), each
    # worker's on its own port (0: none; two workers on one host need two ports).
    metrics_enabled: bool = True
    metrics_token: SecretStr | None = None
    worker_metrics_port: int = Field(default=9101, ge=0, le=65535)

    # How many contacts a sync writes per transaction (the unit of progress and of resume).
    # Each batch is a few statements with one array per column, so the size is bounded by
    # memory and transaction length, not by PostgreSQL's 32,767 bind parameters.
    sync_batch_size: int = Field(default=2000, ge=1, le=5000)
    # A sync's job holds a lease on its run, renewed while it works; when a worker dies the
    # sweeper hands the run to another job once the lease lapses. The first sweep after the
    # lapse (every `sweep_interval_s`) resumes it: lease + interval bounds the stall.
    sync_lease_s: float = Field(default=60, ge=1, le=600)
    sweep_interval_s: int = Field(default=15, ge=1, le=60)
    # How long one job works a run before handing it to the next job (job timeouts follow).
    sync_slice_s: float = Field(default=120, ge=1, le=300)
    # Jobs of a run that may die in a row without progress before the run fails.
    sync_max_attempts: int = Field(default=5, ge=1, le=100)
    # Intercom outages or rate-limit waits in a row a run sits out before it fails.
    sync_max_deferrals: int = Field(default=20, ge=1, le=1000)
    # The first wait after an Intercom outage; doubled each time, up to 10 minutes.
    sync_defer_initial_s: float = Field(default=15, ge=0.1, le=600)

    # A run expecting more contacts than this is split into partitions (at most
    # `sync_max_partitions`) that any worker takes; each worker process works at most
    # `sync_partitions_per_worker` partitions at once and passes the others on.
    sync_fan_out_above: int = Field(default=20_000, ge=0, le=2**31 - 1)
    sync_max_partitions: int = Field(default=16, ge=2, le=256)
    sync_partitions_per_worker: int = Field(default=2, ge=1, le=64)
    # Live progress streams (GET /v1/syncs/{id}/events) one account may hold open at once in
    # one API process; more answer 429 `too_many_streams`.
    sync_streams_per_account: int = Field(default=20, ge=1, le=10_000)

    # -- Refresh data and the auto-sync scheduler (issue 8) --
    # Every integration's lists, counts and data attributes are reloaded once per interval, at
    # an offset of its own within it (so never all at once).
    refresh_interval_s: int = Field(default=6 * 3600, ge=60, le=7 * 86400)
    # How long a refresh job holds its claim; a dead job's refresh is sent again after it.
    refresh_lease_s: float = Field(default=300, ge=1, le=3600)
    # How long a refresh Intercom could not serve (outage, rate limit) waits before the next try.
    refresh_retry_s: float = Field(default=300, ge=1, le=86400)
    # How often the worker looks for due refreshes and due auto-syncs.
    refresh_tick_s: int = Field(default=60, ge=1, le=60)
    schedule_tick_s: int = Field(default=60, ge=1, le=60)

    @field_validator("encryption_keys", mode="before")
    @classmethod
    def _split_keys(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("cors_origins", "oauth_redirect_uris", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    # Checked at start-up, so that a bad setting stops the process with its name, never
    # surfaces later as a 500.

    @field_validator("database_url")
    @classmethod
    def _postgres_asyncpg(cls, value: str) -> str:
        try:
            url = make_url(value)
        except ArgumentError:
            raise ValueError(
                "is not a URL (postgresql+asyncpg://user@host:5432/database)"
            ) from None
        if url.drivername != "postgresql+asyncpg":
            raise ValueError("must be postgresql+asyncpg://… (the service runs on asyncpg)")
        if not url.database:
            raise ValueError("must name a database")
        return value

    @field_validator("redis_url")
    @classmethod
    def _redis(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("redis", "rediss", "unix") or not (parts.hostname or parts.path):
            raise ValueError("must be redis://host:6379/0, rediss://… or unix:///path")
        return value

    @field_validator("redis_prefix")
    @classmethod
    def _prefix(cls, value: str) -> str:
        if (
            not value
            or len(value) > 64
            or not value.isprintable()
            or any(c.isspace() for c in value)
        ):
            raise ValueError("must be 1 to 64 printable characters without spaces")
        return value

    @field_validator("encryption_keys")
    @classmethod
    def _fernet_keys(cls, value: list[SecretStr]) -> list[SecretStr]:
        for position, key in enumerate(value, start=1):
            try:
                Fernet(key.get_secret_value().encode())
            except (ValueError, TypeError):
                # The position, never the value: it is a secret.
                raise ValueError(
                    f"key {position} is not a Fernet key (32 url-safe base64 bytes; "
                    "`intercom-sync generate-key` prints one)"
                ) from None
        return value

    @field_validator("intercom_base_url")
    @classmethod
    def _base_url(cls, value: str | None) -> str | None:
        if value is not None:
            parts = urlsplit(value)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise ValueError("must be an http(s) URL, such as http://127.0.0.1:8010")
        return value

    @field_validator("oauth_redirect_uris", "cors_origins")
    @classmethod
    def _absolute_urls(cls, value: list[str]) -> list[str]:
        for url in value:
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise ValueError(f"{url!r} is not an absolute http(s) URL")
        return value

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        level = value.upper()
        if level not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
            raise ValueError("must be DEBUG, INFO, WARNING, ERROR or CRITICAL")
        return level

    @property
    def oauth_state_keys(self) -> list[bytes]:
        """Keys that verify an OAuth state; the first signs. A key derived from an encryption
        key is an HMAC of it, never the key itself, so the state reveals nothing of it."""
        if self.oauth_state_secret is not None:
            return [self.oauth_state_secret.get_secret_value().encode()]
        return [
            hmac.new(key.get_secret_value().encode(), b"intercom-oauth-state", "sha256").digest()
            for key in self.encryption_keys
        ]

    @property
    def queue_name(self) -> str:
        return f"{self.redis_prefix}:queue"


@lru_cache
def get_settings() -> Settings:
    return Settings()
