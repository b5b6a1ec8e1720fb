"""Writes .env from .env.example for local runs: fresh keys, and Intercom pointed at the sandbox.

An existing .env is kept; settings it lacks that a local run needs (added by a newer version)
are appended, so that `make run` keeps working after an update.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent
SANDBOX = "http://127.0.0.1:8010"

LOCAL_VALUES = {
    "ENCRYPTION_KEYS": Fernet.generate_key().decode(),
    "JWT_HS256_SECRET": secrets.token_urlsafe(32),
    "INTERCOM_BASE_URL": SANDBOX,
    # The sandbox's OAuth app (python -m intercom_sandbox --help).
    "INTERCOM_CLIENT_ID": "sandbox-oauth-client",
    "INTERCOM_CLIENT_SECRET": "sandbox-oauth-secret",
    "OAUTH_REDIRECT_URIS": "http://localhost:5173/intercom/callback,"
    "http://localhost:3000/intercom/callback",
    "INTERNAL_API_TOKEN": secrets.token_urlsafe(32),
    "CORS_ORIGINS": "http://localhost:5173,http://localhost:3000",
}


def _fill(lines: list[str]) -> tuple[list[str], list[str]]:
    """The lines with every local value set where it is empty or absent; and the names set."""
    filled: list[str] = []
    present: set[str] = set()
    out = []
    for line in lines:
        name, _, value = line.partition("=")
        if not line.startswith("#") and name in LOCAL_VALUES:
            present.add(name)
            if not value.strip():
                line = f"{name}={LOCAL_VALUES[name]}"
                filled.append(name)
        out.append(line)
    absent = [name for name in LOCAL_VALUES if name not in present]
    out += [f"{name}={LOCAL_VALUES[name]}" for name in absent]
    return out, filled + absent


def main() -> None:
    target = ROOT / ".env"
    if target.exists():
        lines, changed = _fill(target.read_text().splitlines())
        if changed:
            target.write_text("\n".join(lines) + "\n")
            print(f"Set {', '.join(changed)} in .env for a local run.")
        return
    lines, _ = _fill((ROOT / ".env.example").read_text().splitlines())
    target.write_text("\n".join(lines) + "\n")
    print("Wrote .env with fresh local keys; Intercom calls go to the sandbox on :8010.")


if __name__ == "__main__":
    main()
