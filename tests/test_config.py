"""Settings are checked when a process starts: a bad one stops it with the setting's name and
what is expected, never surfaces later as a 500."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import pytest
from pydantic import SecretStr, ValidationError

from app.config import Settings
from app.crypto import generate_key

GOOD: dict[str, Any] = {"encryption_keys": [SecretStr(generate_key())]}


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("database_url", "mysql://root@localhost/db", "postgresql+asyncpg"),
        ("database_url", "postgresql+asyncpg://postgres@127.0.0.1:5432", "database"),
        ("database_url", "not a url", "URL"),
        ("redis_url", "http://127.0.0.1:6379", "redis://"),
        ("redis_prefix", "with space", "without spaces"),
        ("encryption_keys", [SecretStr("not-a-fernet-key")], "key 1 is not a Fernet key"),
        ("intercom_base_url", "127.0.0.1:8010", "http(s) URL"),
        ("oauth_redirect_uris", ["/relative/callback"], "absolute http(s) URL"),
        ("cors_origins", ["localhost:5173"], "absolute http(s) URL"),
        ("log_level", "LOUD", "DEBUG, INFO"),
        ("database_pool_size", 0, "greater than or equal to 1"),
        ("sync_batch_size", 10**9, "less than or equal to"),
    ],
)
def test_a_bad_setting_is_refused_with_its_name(field: str, value: Any, expected: str) -> None:
    with pytest.raises(ValidationError) as refused:
        Settings(_env_file=None, **{**GOOD, field: value})
    message = str(refused.value)
    assert field in message
    assert expected in message
    assert "not-a-fernet-key" not in message  # a secret is never repeated


def test_the_log_level_is_case_insensitive() -> None:
    assert Settings(_env_file=None, **GOOD, log_level="debug").log_level == "DEBUG"


def test_a_process_with_a_bad_setting_stops_at_once_naming_it() -> None:
    environment = {**os.environ, "DATABASE_URL": "mysql://root@localhost/db"}
    finished = subprocess.run(
        [sys.executable, "-m", "app.cli", "migrate"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert finished.returncode == 2
    assert "DATABASE_URL" in finished.stderr
    assert "Traceback" not in finished.stderr
