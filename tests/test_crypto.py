from __future__ import annotations

import pytest
from pydantic import SecretStr

from app.crypto import SecretBox, SecretUndecryptable, generate_key


def box(*keys: str) -> SecretBox:
    return SecretBox([SecretStr(key) for key in keys])


def test_a_secret_of_a_dropped_key_is_a_typed_error_that_names_no_secret() -> None:
    ciphertext = box(generate_key()).encrypt("tok_secret")
    with pytest.raises(SecretUndecryptable) as raised:
        box(generate_key()).decrypt(ciphertext)
    assert isinstance(raised.value, ValueError)
    assert "tok_secret" not in str(raised.value)
    assert ciphertext.decode() not in str(raised.value)
    with pytest.raises(SecretUndecryptable):
        box(generate_key()).rotate(ciphertext)


def test_rotation_moves_a_secret_to_the_first_key() -> None:
    old, new = generate_key(), generate_key()
    rotated = box(new, old).rotate(box(old).encrypt("tok_secret"))
    assert box(new).decrypt(rotated) == "tok_secret"
