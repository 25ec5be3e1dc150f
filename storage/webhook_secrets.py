"""A webhook's signing secret, sealed for the database and opened only to sign: encrypted
with Fernet (the `cryptography` package's authenticated, versioned format) when
ROLLOUT_SECRET_KEY is set; without it, kept as given."""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken


class SecretUnreadable(Exception):
    """The secret was encrypted with a key this process does not have."""


class SecretBox:
    """Seals secrets for the database and opens them to sign."""

    def __init__(self, key: str | None):
        # Any long random text: Fernet wants 32 bytes, which SHA-256 makes of it.
        self._fernet = Fernet(base64.urlsafe_b64encode(hashlib.sha256(key.encode()).digest())) if key else None

    def seal(self, secret: str) -> str:
        if self._fernet is None:
            return "plain:" + secret
        return "fernet:" + self._fernet.encrypt(secret.encode()).decode()

    def open(self, stored: str) -> str:
        kind, _, value = stored.partition(":")
        if kind == "plain":
            return value
        if self._fernet is None:
            raise SecretUnreadable("the signing secret is encrypted and ROLLOUT_SECRET_KEY is not set")
        try:
            return self._fernet.decrypt(value.encode()).decode()
        except InvalidToken:
            raise SecretUnreadable("the signing secret was encrypted with another ROLLOUT_SECRET_KEY") from None
