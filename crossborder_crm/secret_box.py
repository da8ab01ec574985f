"""Secrets at rest (webhook secrets, DKIM private keys, relay passwords): Fernet-encrypted with keys from
configuration.

`CRM_ENCRYPTION_KEYS` lists Fernet keys, comma-separated: the first encrypts, every one decrypts
(MultiFernet). To rotate: put a new key in front, run `crossborder-crm secrets rotate`, then drop
the old key. Empty, one key is derived from `CRM_SECRET_KEY` (HKDF-SHA256), so development needs
nothing new; the entry `secret-key` in the list stands for that derived key, so a deployment can
move from it to keys of its own with the same rotation. Stored values start with "fernet:"; a
value without it is a legacy plain one, still read as is until rotation encrypts it.
"""
from __future__ import annotations

import base64
import binascii
from typing import Any, Mapping, Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from config import ConfigError

PREFIX = "fernet:"
SETTING = "CRM_ENCRYPTION_KEYS"
DERIVED = "secret-key"  # the list entry naming the key derived from CRM_SECRET_KEY
HKDF_INFO = b"crossborder_crm secrets at rest"
MAKE_A_KEY = ("make one with: python3 -c 'from cryptography.fernet import Fernet; "
              "print(Fernet.generate_key().decode())'")


class UndecryptableSecret(RuntimeError):
    """A stored secret that no configured key opens (a key was dropped before rotating)."""


def derive_key(secret_key: str) -> bytes:
    """The Fernet key derived from the app's secret key (used when no keys are configured)."""
    raw = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=HKDF_INFO).derive(secret_key.encode())
    return base64.urlsafe_b64encode(raw)


def _fernet(key: bytes, position: int) -> Fernet:
    try:
        return Fernet(key)
    except (ValueError, binascii.Error):
        # The key itself is never echoed: only where it is in the list.
        raise ConfigError(f"{SETTING}: entry {position} is not a Fernet key (32 url-safe base64-encoded "
                          f"bytes); {MAKE_A_KEY}") from None


def is_encrypted(stored: str) -> bool:
    """True for a value written by SecretBox.encrypt, False for a legacy plain value."""
    return stored.startswith(PREFIX)


class SecretBox:
    """encrypt(text) -> stored value, decrypt(stored) -> text; the first key encrypts, all decrypt."""

    def __init__(self, keys: Sequence[bytes]):
        if not keys:
            raise ConfigError(f"{SETTING}: no key given; {MAKE_A_KEY}")
        self._fernet = MultiFernet([_fernet(k, i) for i, k in enumerate(keys, start=1)])

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> "SecretBox":
        """The box for ENCRYPTION_KEYS, or for the key derived from SECRET_KEY when that is empty."""
        entries = [e.strip() for e in str(settings.get("ENCRYPTION_KEYS") or "").split(",") if e.strip()]
        secret_key = str(settings.get("SECRET_KEY") or "")
        if (not entries or DERIVED in entries) and not secret_key:
            raise ConfigError(f"{SETTING} is empty and there is no CRM_SECRET_KEY to derive a key from; "
                              f"{MAKE_A_KEY}")
        entries = entries or [DERIVED]
        return cls([derive_key(secret_key) if e == DERIVED else e.encode() for e in entries])

    def encrypt(self, text: str) -> str:
        """The value to store for `text`: encrypted with the first key, prefixed."""
        return PREFIX + self._fernet.encrypt(text.encode()).decode("ascii")

    def decrypt(self, stored: str) -> str:
        """The text of a stored value (a legacy plain value is returned as it is)."""
        if not is_encrypted(stored):
            return stored
        try:
            return self._fernet.decrypt(stored[len(PREFIX):].encode("ascii")).decode()
        except (InvalidToken, UnicodeEncodeError):
            raise self._undecryptable() from None

    def rotate(self, stored: str) -> str:
        """The same text stored again under the first key (a legacy plain value gets encrypted)."""
        if not is_encrypted(stored):
            return self.encrypt(stored)
        try:
            return PREFIX + self._fernet.rotate(stored[len(PREFIX):].encode("ascii")).decode("ascii")
        except (InvalidToken, UnicodeEncodeError):
            raise self._undecryptable() from None

    @staticmethod
    def _undecryptable() -> UndecryptableSecret:
        return UndecryptableSecret(
            f"a stored secret cannot be decrypted with any key in {SETTING} (empty, or the entry "
            f"'{DERIVED}', means the key derived from CRM_SECRET_KEY): keep the old key in the list until "
            f"`crossborder-crm secrets rotate` has run")
