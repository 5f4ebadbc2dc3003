"""Optimistic locking: a save based on an old version of a row is refused, never silently merged.

The one mechanism for every form that edits an existing row (a task, a 双清单 交办, a difficulty's
resolution, a unit's contact details, a campaign, a category, a person, a visit record, a return):

- the model has ``version = models.PositiveIntegerField(default=1, editable=False)``;
- the form is a ``VersionedForm``: a hidden ``version`` field holding the version the user loaded
  (taken from the ModelForm's instance, or given as initial);
- the service takes ``version`` and calls ``claim_version(row, expected_version=version)`` inside
  its transaction before it writes anything, so that of two saves based on the same version the
  second raises ``StaleVersionError`` (a ValidationError with a Chinese message) and changes nothing;
- the view puts that error on the form with ``shuangyong.forms.apply_service_errors``.
"""

from __future__ import annotations

import enum
from typing import Any, Literal, TypeAlias

from django import forms
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F

STALE_MESSAGE = "该记录已被他人修改，请刷新后重试。"


class _Unchecked(enum.Enum):
    CURRENT = "current"


# A write that does not come from a form (an import, a script): it bumps the version, so that a
# form loaded before it is refused, but it is based on the row as it is now.
CURRENT = _Unchecked.CURRENT
Version: TypeAlias = int | None | Literal[_Unchecked.CURRENT]


class StaleVersionError(ValidationError):
    def __init__(self) -> None:
        super().__init__(STALE_MESSAGE, code="stale_version")


def claim_version(instance: models.Model, *, expected_version: Version) -> None:
    """Bump the row's version if it is still ``expected_version``; otherwise raise StaleVersionError.

    Must run inside the transaction that then saves the instance: the conditional UPDATE locks
    the row until commit, so of two concurrent saves based on the same version exactly one
    wins and the other finds the version moved on. The caller's ``save()`` afterwards goes
    through the model (history, full_clean), unlike a bare UPDATE.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("claim_version() must run inside transaction.atomic")
    if expected_version is None:  # a post without the version the user loaded
        raise StaleVersionError()
    rows = type(instance)._default_manager.filter(pk=instance.pk)
    if expected_version is CURRENT:
        rows.update(version=F("version") + 1)
        instance.version = rows.values_list("version", flat=True).get()  # type: ignore[attr-defined]
        return
    if rows.filter(version=expected_version).update(version=F("version") + 1) != 1:
        raise StaleVersionError()
    instance.version = expected_version + 1  # type: ignore[attr-defined]


class VersionedForm(forms.Form):
    """Carries the version the user started from; the service refuses a save based on an old one.

    Mix into a Form or a ModelForm (``class F(BootstrapFormMixin, VersionedForm, forms.ModelForm)``).
    A ModelForm takes the version from its instance; a plain form gets it as ``initial``.
    An empty value is None: ``claim_version`` counts it as stale (a Return's first submission,
    when no row exists yet, is the one caller that checks nothing for None).
    """

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        instance = getattr(self, "instance", None)
        if instance is None:
            return
        if instance.pk is None:
            del self.fields["version"]  # a ModelForm creating a row: nothing to be stale against
        elif "version" not in self.initial:
            self.initial["version"] = instance.version
