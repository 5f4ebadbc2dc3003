"""Helpers shared by the visits services (private to the package)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from shuangyong.models import User


def require(condition: bool, message: str) -> None:
    """A role rule (``visits.policy``) that does not hold becomes a 403 with a Chinese message."""
    if not condition:
        raise PermissionDenied(message)


def require_office(user: User) -> None:
    require(user.is_office, "只有双拥办可以执行此操作。")
