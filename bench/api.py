"""Authenticated list endpoints under load, measured in one run against `/readyz` (one
PostgreSQL and one Redis round trip, no authentication): one API process (uvicorn, as deployed)
on one CPU, `wrk` with 64 connections on the other, 10 s per endpoint.

The goal (issue 13): every list endpoint reaches at least 0.8x the throughput of `/readyz`, with
a p99 at most 2x its p99, and never times out. The account holds two integrations, their lists
and 30 saved segments, and 2,000 customers.

    .venv/bin/python -m bench.api          (make bench-api; needs wrk: apt-get install wrk)
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import uuid

import orjson
from pydantic import SecretStr

from app.config import Settings
from app.crypto import SecretBox, generate_key
from app.db import create_engine, create_sessionmaker, transaction
from app.domain.customers.repository import CustomerRepository
from app.domain.customers.sources import IncomingSource, WriteOptions
from app.domain.models import Segment, SegmentKind
from app.domain.scope import AccountScope
from bench import wrk
from bench.common import report
from bench.sync import REDIS_URL, database
from tests.fixtures.factories import Tenant, create_integration, create_tenant

THROUGHPUT_GOAL = 0.8
P99_GOAL = 2.0


async def seed(database_url: str, settings: Settings) -> tuple[Tenant, uuid.UUID]:
    """An account as a busy one looks: two workspaces, their lists and saved segments, and
    customers. Returns it and its first integration."""
    engine = create_engine(database_url, pool_size=2)
    sessionmaker = create_sessionmaker(engine)
    cipher = SecretBox(settings.encryption_keys)
    tenant = await create_tenant(sessionmaker, "Bench account", nps_campaigns=5)
    account = AccountScope(tenant.account_id)
    integrations = [
        await create_integration(sessionmaker, tenant, cipher.encrypt("token"), slot=slot)
        for slot in (1, 2)
    ]
    async with transaction(sessionmaker) as session:
        for integration_id in integrations:
            for kind, person in ((SegmentKind.USERS, "user"), (SegmentKind.LEADS, "lead")):
                session.add(
                    Segment(
                        account_id=account.id,
                        integration_id=integration_id,
                        kind=kind,
                        source_key=kind.value,
                        name=kind.value.title(),
                        person_type=person,
                        contact_count=1000,
                    )
                )
            for number in range(15):
                session.add(
                    Segment(
                        account_id=account.id,
                        integration_id=integration_id,
                        kind=SegmentKind.INTERCOM,
                        source_key=f"seg{number}",
                        intercom_segment_id=f"seg{number}",
                        name=f"Saved segment {number}",
                        contact_count=number * 10,
                    )
                )
    for batch in range(4):
        sources = [
            IncomingSource(
                intercom_contact_id=f"c{batch}-{number}",
                role="user",
                email=f"customer{batch}-{number}@example.com",
                name=f"Customer {number} é",
                phone=None,
                properties_json=orjson.dumps({"plan": "pro", "country": "France"}).decode(),
                intercom_updated_at=1_700_000_000,
            )
            for number in range(500)
        ]
        async with transaction(sessionmaker) as session:
            await CustomerRepository(session).write_sources(
                account,
                integrations[0],
                {source.email: source for source in sources},
                sources,
                WriteOptions(segment_id=uuid.uuid4()),
            )
    await engine.dispose()
    return tenant, integrations[0]


def benchmark(args: argparse.Namespace, database_url: str) -> bool:
    settings = Settings(
        _env_file=None,
        database_url=database_url,
        redis_url=REDIS_URL,
        redis_prefix=f"bench-api-{uuid.uuid4().hex[:8]}",
        encryption_keys=[SecretStr(generate_key())],
    )
    tenant, integration_id = asyncio.run(seed(database_url, settings))
    endpoints = {
        "GET /v1/account": "/v1/account",
        "GET /v1/integrations": "/v1/integrations",
        "GET /v1/integrations/{id}/segments": f"/v1/integrations/{integration_id}/segments",
        "GET /v1/customers?limit=100": "/v1/customers?limit=100",
    }
    with wrk.against_api(settings, connections=args.connections, seconds=args.seconds) as (
        url,
        measure,
    ):
        measure(f"{url}/readyz", seconds=2)  # warm-up: the pools
        ready = measure(f"{url}/readyz")
        listed = {
            name: measure(f"{url}{path}", headers=tenant.headers)
            for name, path in endpoints.items()
        }
    results = [(f"0. /readyz (no authentication): {ready.describe()}", True)]
    for number, (name, load) in enumerate(listed.items(), start=1):
        rate, p99 = load.rate / ready.rate, load.p99_ms / ready.p99_ms
        results.append(
            (
                f"{number}. {name}: {load.describe()}; {rate:.2f}x /readyz's throughput, p99 "
                f"{p99:.2f}x its (goals: >= {THROUGHPUT_GOAL}x, <= {P99_GOAL}x, none failed)",
                rate >= THROUGHPUT_GOAL and p99 <= P99_GOAL and load.errors + load.not_ok == 0,
            )
        )
    return report(results)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--seconds", type=int, default=10)
    args = parser.parse_args()
    wrk.require()
    with database() as url:
        ok = benchmark(args, url)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
