"""Writes .env from .env.example for local runs: fresh keys, and Intercom pointed at the sandbox."""

from __future__ import annotations

import secrets
from pathlib import Path

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent

LOCAL_VALUES = {
    "ENCRYPTION_KEYS": Fernet.generate_key().decode(),
    "JWT_HS256_SECRET": secrets.token_urlsafe(32),
    "INTERCOM_BASE_URL": "http://127.0.0.1:8010",
    "CORS_ORIGINS": "http://localhost:5173,http://localhost:3000",
}


def main() -> None:
    target = ROOT / ".env"
    if target.exists():
        return
    lines = []
    for line in (ROOT / ".env.example").read_text().splitlines():
        name = line.split("=", 1)[0]
        if not line.startswith("#") and name in LOCAL_VALUES:
            line = f"{name}={LOCAL_VALUES[name]}"
        lines.append(line)
    target.write_text("\n".join(lines) + "\n")
    print("Wrote .env with fresh local keys; Intercom calls go to the sandbox on :8010.")


if __name__ == "__main__":
    main()
