"""Secrets at rest (platform tokens): encrypted with Fernet (AES-128-CBC + HMAC-SHA256).

The key comes from SOMEVAHTI_ENCRYPTION_KEY (a Fernet key; several, comma-separated, to rotate:
the first encrypts, all decrypt), or is derived from SECRET_KEY with HKDF when none is set.
"""

from __future__ import annotations

import base64
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings


class SecretUnreadable(Exception):
    """A stored secret could not be decrypted (the key changed?)."""


def _derived_key(secret_key: str) -> bytes:
    raw = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"somevahti-secrets", info=b"fernet").derive(
        secret_key.encode("utf-8")
    )
    return base64.urlsafe_b64encode(raw)


@lru_cache(maxsize=4)
def _fernet(keys: str, secret_key: str) -> MultiFernet:
    configured = [k.strip() for k in keys.split(",") if k.strip()]
    return MultiFernet([Fernet(k) for k in configured] or [Fernet(_derived_key(secret_key))])


def _current() -> MultiFernet:
    return _fernet(getattr(settings, "SOMEVAHTI_ENCRYPTION_KEY", ""), settings.SECRET_KEY)


def encrypt(plain: str) -> str:
    return _current().encrypt(plain.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return _current().decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, ValueError) as exc:
        raise SecretUnreadable("the stored secret cannot be decrypted with the configured key") from exc
