"""`intercom-sync` command line: accounts, migrations, the worker, the OpenAPI document, keys."""

from __future__ import annotations

import argparse
import asyncio
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pydantic import SecretStr, ValidationError
from sqlalchemy import select, update
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from app.config import get_settings
from app.crypto import SecretBox, SecretUndecryptable, generate_key
from app.db import create_engine, create_sessionmaker, transaction
from app.domain.accounts import service as account_service
from app.domain.accounts.service import AccountNotFound
from app.domain.models import Integration
from app.logging import configure_logging

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


async def _set_campaigns(account_id: uuid.UUID, count: int) -> int:
    engine = create_engine(get_settings().database_url, pool_size=1)
    try:
        async with transaction(create_sessionmaker(engine)) as session:
            await account_service.set_nps_campaigns(session, account_id, count)
    except AccountNotFound:
        print(f"No account {account_id}.", file=sys.stderr)
        return 1
    finally:
        await engine.dispose()
    print(f"Account {account_id}: {count} NPS campaigns.")
    return 0


async def _issue_key(account_id: uuid.UUID) -> int:
    engine = create_engine(get_settings().database_url, pool_size=1)
    try:
        async with transaction(create_sessionmaker(engine)) as session:
            await account_service.get(session, account_id)
            key = await account_service.issue_api_key(session, account_id)
    except AccountNotFound:
        print(f"No account {account_id}.", file=sys.stderr)
        return 1
    finally:
        await engine.dispose()
    print(f"API key: {key}")
    print("The key is shown once; keep it somewhere safe.", file=sys.stderr)
    return 0


async def _revoke_key(key_or_prefix: str) -> int:
    engine = create_engine(get_settings().database_url, pool_size=1)
    try:
        async with transaction(create_sessionmaker(engine)) as session:
            revoked = await account_service.revoke_api_key(session, key_or_prefix)
    except ValueError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    finally:
        await engine.dispose()
    print(f"Revoked: {revoked}")
    return 0 if revoked else 1


@dataclass
class KeyRotation:
    rotated: int = 0
    undecryptable: list[uuid.UUID] = field(default_factory=list)


async def rotate_keys(database_url: str, keys: list[SecretStr]) -> KeyRotation:
    """Re-encrypts every stored Intercom token with the first key, in one transaction.

    It reads every account's integrations: key rotation is the deployment's, not a tenant's.
    Tokens no key opens are left as they are and reported, so that dropping a key never
    destroys what an operator could still recover by putting the old key back.
    """
    box = SecretBox(keys)
    result = KeyRotation()
    engine = create_engine(database_url, pool_size=1)
    try:
        async with transaction(create_sessionmaker(engine)) as session:
            # Locked, so that a workspace reconnected meanwhile keeps its new token.
            rows = await session.execute(
                select(Integration.id, Integration.access_token_encrypted)
                # A disconnected integration's token is already destroyed.
                .where(Integration.access_token_encrypted.is_not(None))
                .order_by(Integration.id)
                .with_for_update()
            )
            for integration_id, ciphertext in rows.all():
                try:
                    rotated = box.rotate(ciphertext or b"")
                except SecretUndecryptable:
                    result.undecryptable.append(integration_id)
                    continue
                await session.execute(
                    update(Integration)
                    .where(Integration.id == integration_id)
                    # The integration did not change for its owner: keep `updated_at`.
                    .values(access_token_encrypted=rotated, updated_at=Integration.updated_at)
                )
                result.rotated += 1
    finally:
        await engine.dispose()
    return result


def _rotate_keys() -> int:
    settings = get_settings()
    result = asyncio.run(rotate_keys(settings.database_url, settings.encryption_keys))
    print(f"Rotated: {result.rotated}")
    print(f"Undecryptable: {len(result.undecryptable)}")
    for integration_id in result.undecryptable:
        print(f"  integration {integration_id}")
    if result.undecryptable:
        print(
            "No key of ENCRYPTION_KEYS decrypts these tokens; they were left unchanged. "
            "Add back the key they were written with, or reconnect those workspaces.",
            file=sys.stderr,
        )
        return 1
    return 0


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
    # Alembic's config is a ConfigParser: a `%` (a quoted socket path, a password) is doubled.
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    # Alembic's lines go through our logging (JSON), not the plain text of alembic.ini's.
    config.attributes["configure_logger"] = False
    command.upgrade(config, "head")


def openapi_document() -> str:
    from app.main import create_app

    schema = create_app().openapi()
    return yaml.safe_dump(schema, sort_keys=False, allow_unicode=True, width=100)


def main(argv: list[str] | None = None) -> None:
    try:
        _main(argv)
    except ValidationError as exc:  # a bad setting: its name and what is expected, no traceback
        print("Invalid settings:", file=sys.stderr)
        for error in exc.errors():
            name = str(error["loc"][0]).upper() if error["loc"] else "?"
            print(f"  {name}: {error['msg']}", file=sys.stderr)
        sys.exit(2)


def _main(argv: list[str] | None) -> None:
    parser = argparse.ArgumentParser(prog="intercom-sync", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    accounts = commands.add_parser("accounts", help="manage accounts").add_subparsers(
        dest="accounts_command", required=True
    )
    create = accounts.add_parser("create", help="create an account and print a new API key")
    create.add_argument("name")
    create.add_argument("--nps-campaigns", type=int, default=0)
    campaigns = accounts.add_parser(
        "set-campaigns",
        help="set an account's NPS campaign count (drives its auto-sync quota); the main "
        "product does the same through PUT /internal/v1/accounts/{id}/nps-campaigns",
    )
    campaigns.add_argument("account_id", type=uuid.UUID)
    campaigns.add_argument("nps_campaigns", type=int)
    issue = accounts.add_parser("issue-key", help="print a new API key for an account")
    issue.add_argument("account_id", type=uuid.UUID)
    revoke = accounts.add_parser(
        "revoke-key",
        help="revoke an API key, given whole or by its first 10 characters (isk_…)",
    )
    revoke.add_argument("key")

    commands.add_parser("migrate", help="create the database if needed and apply migrations")
    commands.add_parser("worker", help="run a job worker")
    openapi = commands.add_parser("openapi", help="write the OpenAPI document")
    openapi.add_argument("--output", default="openapi.yaml")
    commands.add_parser("generate-key", help="print a new encryption key for ENCRYPTION_KEYS")
    commands.add_parser(
        "rotate-keys",
        help="re-encrypt every stored token with the first key of ENCRYPTION_KEYS",
    )

    args = parser.parse_args(argv)
    if args.command == "accounts":
        if args.accounts_command == "issue-key":
            sys.exit(asyncio.run(_issue_key(args.account_id)))
        if args.accounts_command == "revoke-key":
            sys.exit(asyncio.run(_revoke_key(args.key)))
        highest = account_service.MAX_NPS_CAMPAIGNS
        if not 0 <= args.nps_campaigns <= highest:
            parser.error(f"the NPS campaign count must be between 0 and {highest:,}")
        if args.accounts_command == "set-campaigns":
            sys.exit(asyncio.run(_set_campaigns(args.account_id, args.nps_campaigns)))
        asyncio.run(_create_account(args.name, args.nps_campaigns))
    elif args.command == "migrate":
        configure_logging(get_settings().log_level)
        migrate()
    elif args.command == "worker":
        from app.workers.arq_backend import run_worker

        run_worker()
    elif args.command == "openapi":
        Path(args.output).write_text(openapi_document())
    elif args.command == "generate-key":
        print(generate_key())
    elif args.command == "rotate-keys":
        sys.exit(_rotate_keys())


if __name__ == "__main__":
    main()
