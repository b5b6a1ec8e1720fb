"""Encryption of secrets at rest (Intercom tokens). MultiFernet: the first key encrypts, all
decrypt, so keys rotate by prepending a new one and re-encrypting (`intercom-sync rotate-keys`)."""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from pydantic import SecretStr


class SecretUndecryptable(ValueError):
    """No key of ENCRYPTION_KEYS opens the secret: its key was dropped before the secret was
    re-encrypted, or it was written by another deployment. The message names no secret."""

    def __init__(self) -> None:
        super().__init__("secret cannot be decrypted with any key of ENCRYPTION_KEYS")


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
        except InvalidToken:
            raise SecretUndecryptable from None

    def rotate(self, ciphertext: bytes) -> bytes:
        """The secret encrypted again with the first key."""
        try:
            return self._fernet.rotate(ciphertext)
        except InvalidToken:
            raise SecretUndecryptable from None


def generate_key() -> str:
    return Fernet.generate_key().decode()
