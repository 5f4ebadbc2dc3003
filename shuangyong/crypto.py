"""Secrets stored in the database (group-chat webhook addresses and signing keys), encrypted.

Fernet (AES-128-CBC + HMAC-SHA256, from the pinned ``cryptography`` package) with a key from
the ``FIELD_ENCRYPTION_KEY`` setting, or derived from ``SECRET_KEY`` with HKDF when that is not
set. Changing the key (or SECRET_KEY without it) makes stored values unreadable: they must be
entered again in the admin.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

__all__ = ["InvalidToken", "decrypt", "encrypt"]


def _fernet() -> Fernet:
    configured = getattr(settings, "FIELD_ENCRYPTION_KEY", "")
    if configured:
        return Fernet(configured)
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"shuangyong field encryption").derive(
        settings.SECRET_KEY.encode()
    )
    return Fernet(base64.urlsafe_b64encode(derived))


def encrypt(text: str) -> str:
    return _fernet().encrypt(text.encode()).decode() if text else ""


def decrypt(token: str) -> str:
    return _fernet().decrypt(token.encode()).decode() if token else ""
