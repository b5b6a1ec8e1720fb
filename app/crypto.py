"""Encryption of secrets at rest (Intercom tokens). MultiFernet: the first key encrypts, all
decrypt, so keys rotate by prepending a new one and re-encrypting at leisure."""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from pydantic import SecretStr


class SecretBox:
    def __init__(self, keys: list[SecretStr]) -> None:
        if not keys:
            raise ValueError(
                "ENCRYPTION_KEYS is empty: set at least one Fernet key "
                "(`intercom-sync generate-key` prints one)"
            )
        self._fernet = MultiFernet([Fernet(key.get_secret_value().encode()) for key in keys])

    def encrypt(self, plaintext: str) -> bytes:
        return self._fernet.encrypt(plaintext.encode())

    def decrypt(self, ciphertext: bytes) -> str:
        try:
            return self._fernet.decrypt(ciphertext).decode()
        except InvalidToken as exc:  # pragma: no cover - a key was removed too early
            raise ValueError("secret cannot be decrypted with the configured keys") from exc

    def rotate(self, ciphertext: bytes) -> bytes:
        return self._fernet.rotate(ciphertext)


def generate_key() -> str:
    return Fernet.generate_key().decode()
