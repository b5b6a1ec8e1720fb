"""`intercom-sync` command line: accounts, migrations, the worker, the OpenAPI document."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

import yaml
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from app.config import get_settings
from app.crypto import generate_key
from app.db import create_engine, create_sessionmaker, transaction
from app.domain.accounts import service as account_service

ROOT = Path(__file__).resolve().parent.parent


async def _create_account(name: str, nps_campaigns: int) -> None:
    engine = create_engine(get_settings().database_url, pool_size=1)
    try:
        async with transaction(create_sessionmaker(engine)) as session:
            created = await account_service.create_account(
                session, name, nps_campaigns=nps_campaigns
            )
    finally:
        await engine.dispose()
    print(f"Account: {created.account.id}")
    print(f"API key: {created.api_key}")
    print("The key is shown once; keep it somewhere safe.", file=sys.stderr)


async def create_database_if_missing(database_url: str) -> None:
    url = make_url(database_url)
    admin = create_async_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as connection:
            exists = await connection.exec_driver_sql(
                "SELECT 1 FROM pg_database WHERE datname = $1", (url.database,)
            )
            if exists.scalar() is None:
                await connection.exec_driver_sql(f'CREATE DATABASE "{url.database}"')
    finally:
        await admin.dispose()


def migrate(database_url: str | None = None) -> None:
    from alembic import command
    from alembic.config import Config

    url = database_url or get_settings().database_url
    asyncio.run(create_database_if_missing(url))
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    config.set_main_option("sqlalchemy.url", url)
    command.upgrade(config, "head")


def openapi_document() -> str:
    from app.main import create_app

    schema = create_app().openapi()
    return yaml.safe_dump(schema, sort_keys=False, allow_unicode=True, width=100)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="intercom-sync", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    accounts = commands.add_parser("accounts", help="manage accounts").add_subparsers(
        dest="accounts_command", required=True
    )
    create = accounts.add_parser("create", help="create an account and print a new API key")
    create.add_argument("name")
    create.add_argument("--nps-campaigns", type=int, default=0)

    commands.add_parser("migrate", help="create the database if needed and apply migrations")
    commands.add_parser("worker", help="run a job worker")
    openapi = commands.add_parser("openapi", help="write the OpenAPI document")
    openapi.add_argument("--output", default="openapi.yaml")
    commands.add_parser("generate-key", help="print a new encryption key for ENCRYPTION_KEYS")

    args = parser.parse_args(argv)
    if args.command == "accounts":
        if args.nps_campaigns < 0:
            parser.error("--nps-campaigns must be 0 or more")
        asyncio.run(_create_account(args.name, args.nps_campaigns))
    elif args.command == "migrate":
        migrate()
    elif args.command == "worker":
        from app.workers.arq_backend import run_worker

        run_worker()
    elif args.command == "openapi":
        Path(args.output).write_text(openapi_document())
    elif args.command == "generate-key":
        print(generate_key())


if __name__ == "__main__":
    main()
