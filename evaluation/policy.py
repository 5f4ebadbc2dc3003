"""Who may do what in the evaluation binder (read by selectors, views and services alike).

- The 双拥办 of the unit that is evaluated (and the system administrator there) edits: the
  scoring table, the self-scores, meetings, budget proofs, document requests.
- Leaders of that unit read everything and change nothing.
- A user of a unit ABOVE the evaluated one (a city's office or leader) reads the evaluations of
  the counties below it, their self-scores and figures, and changes nothing of theirs.
- A member-unit liaison uploads its own unit's plans, summaries and 述职 reports and sees only
  those (scoped by unit: another unit's document is 404).
"""

from __future__ import annotations

from typing import Any

from shuangyong.access import is_office_of
from shuangyong.models import OrgUnit, Role

READER_ROLES = frozenset({Role.OFFICE, Role.ADMIN, Role.LEADER})
DOCUMENT_ROLES = frozenset({Role.OFFICE, Role.ADMIN, Role.LEADER, Role.MEMBER_LIAISON})


def may_read_evaluations(user: Any) -> bool:
    return getattr(user, "role", None) in READER_ROLES


def may_edit_for(user: Any, owner_unit: OrgUnit | None) -> bool:
    """The office of the owning unit itself (shuangyong.access.is_office_of); an office above it only reads."""
    return is_office_of(user, owner_unit)


def may_keep_records(user: Any) -> bool:
    """Whether the user is an office that keeps its own meetings, proofs and tables."""
    return may_edit_for(user, getattr(user, "org_unit", None))


def may_see_unit_documents(user: Any) -> bool:
    return getattr(user, "role", None) in DOCUMENT_ROLES


def may_upload_unit_document(user: Any) -> bool:
    return getattr(user, "role", None) == Role.MEMBER_LIAISON
