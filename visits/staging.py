"""The uploaded import file between “preview” and “confirm”, kept in the shared upload storage.

Several web machines may serve one county: the confirm can reach another machine than the
preview, so the file is kept through Django's configured default storage
(``STORAGES["default"]``: the shared uploads folder or an object store), never on the local disk.

- Name: ``import-staging/<unix time>-<random token>.staged``; the name is kept in the user's
  session, so only that session can confirm it. The time in the name lets the clean-up find
  expired files by listing the folder, without reading them or relying on the backend's
  modification times.
- Content: encrypted and authenticated (Fernet, key derived from SECRET_KEY). A ledger file holds
  full identity numbers; the shared storage never holds them in clear, and a staged file that was
  altered, or is older than :data:`MAX_AGE_SECONDS`, is refused on confirm.
- Removed after confirm or cancel; files of previews never confirmed are removed by the clean-up
  that runs on every upload, once they are older than :data:`MAX_AGE_SECONDS`.
"""

from __future__ import annotations

import base64
import contextlib
import re
import secrets
import time

from cryptography.fernet import Fernet, InvalidToken
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.crypto import salted_hmac

STAGING_DIR = "import-staging"
MAX_AGE_SECONDS = 24 * 3600
_NAME = re.compile(rf"^{STAGING_DIR}/(?P<created>\d{{1,12}})-[A-Za-z0-9_-]{{16,64}}\.staged$")


def _fernet() -> Fernet:
    key = salted_hmac("visits.staging", "import-staging", algorithm="sha256").digest()
    return Fernet(base64.urlsafe_b64encode(key))


def _created(name: str) -> int | None:
    match = _NAME.match(name)
    return int(match["created"]) if match else None


def stage(content: bytes) -> str:
    """Keep ``content`` until confirm; returns the storage name to remember in the session."""
    remove_expired()
    now = int(time.time())
    name = f"{STAGING_DIR}/{now}-{secrets.token_urlsafe(24)}.staged"
    return default_storage.save(name, ContentFile(_fernet().encrypt_at_time(content, now)))


def load(name: str) -> bytes | None:
    """The staged bytes, or None when the name is not a staging name, the file is gone, was
    altered, or has expired."""
    if _created(name) is None:
        return None
    try:
        with default_storage.open(name, "rb") as staged:
            token = staged.read()
        return _fernet().decrypt(token, ttl=MAX_AGE_SECONDS)
    except (FileNotFoundError, InvalidToken):
        return None


def discard(name: str) -> None:
    if _created(name) is not None:
        default_storage.delete(name)


def remove_expired() -> int:
    """Delete the staged files of previews never confirmed, once older than MAX_AGE_SECONDS."""
    try:
        _dirs, files = default_storage.listdir(STAGING_DIR)
    except FileNotFoundError:
        return 0
    cutoff = time.time() - MAX_AGE_SECONDS
    removed = 0
    for filename in files:
        name = f"{STAGING_DIR}/{filename}"
        created = _created(name)
        if created is not None and created < cutoff:
            with contextlib.suppress(FileNotFoundError):
                default_storage.delete(name)
                removed += 1
    return removed
