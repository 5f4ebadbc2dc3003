"""Optimistic locking: a save based on an old version of a row is refused, never silently merged."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F

STALE_MESSAGE = "该记录已被他人修改，请刷新后重试。"


class StaleVersionError(ValidationError):
    def __init__(self) -> None:
        super().__init__(STALE_MESSAGE, code="stale_version")


def claim_version(instance: models.Model, *, expected_version: int) -> None:
    """Bump the row's version if it is still ``expected_version``; otherwise raise StaleVersionError.

    Must run inside the transaction that then saves the instance: the conditional UPDATE locks
    the row until commit, so of two concurrent saves based on the same version exactly one
    wins and the other finds the version moved on. The caller's ``save()`` afterwards goes
    through the model (history, full_clean), unlike a bare UPDATE.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("claim_version() must run inside transaction.atomic")
    model = type(instance)
    updated = model._default_manager.filter(pk=instance.pk, version=expected_version).update(version=F("version") + 1)
    if updated != 1:
        raise StaleVersionError()
    instance.version = expected_version + 1  # type: ignore[attr-defined]
