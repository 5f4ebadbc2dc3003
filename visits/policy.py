"""Who may do what in the visits app: plain predicates, read by selectors, views and services alike.

No queries, no writes, no raising: a service turns a ``False`` into PermissionDenied, a view into
a 403 or a hidden button, a selector into an empty list. This module imports neither services
nor selectors (tests/hardening/test_layering.py).
"""

from __future__ import annotations

from shuangyong.access import is_office_of, unit_in_scope, within_personal_data_boundary
from shuangyong.models import Role, User
from visits.models import EDITABLE_STATUSES, RECORD_KINDS, BeneficiaryTransfer, Campaign, VisitRecord

#: The ledger is personal data: the person's township and the office only (domain.md §4). System
#: administrators manage accounts in the admin; they do not read, reveal or export the ledger.
LEDGER_ROLES = frozenset({Role.TOWNSHIP_STAFF, Role.OFFICE})
#: Who enters visit records and submits returns (for a unit of their scope).
RECORD_ROLES = frozenset({Role.TOWNSHIP_STAFF, Role.MEMBER_LIAISON, Role.OFFICE, Role.ADMIN})
#: The units that report visits: townships and member units (visits.models.RECORD_KINDS; the
#: office units above a township report their table instead, visits.models.ROLLUP_KINDS).
REPORTING_KINDS = RECORD_KINDS


def may_see_ledger(user: User) -> bool:
    """Reads the ledger (of the user's scope): names, masked numbers, contact logs, difficulties.
    Only inside a county: a city or province office keeps no ledger and reads none of the
    counties below it (docs/levels.md "Privacy by level"; the rows: access.personal_scope_q)."""
    return user.is_authenticated and user.role in LEDGER_ROLES and within_personal_data_boundary(user)


def may_withdraw_transfer(user: User, transfer: BeneficiaryTransfer) -> bool:
    """The origin of a transfer: the ledger's keepers of the unit the person left from."""
    return may_maintain_ledger(user) and unit_in_scope(user, transfer.from_unit)


def may_decide_transfer(user: User, transfer: BeneficiaryTransfer) -> bool:
    """Accepts or refuses a transfer: the destination county's 双拥办 staff (not its leaders, not
    the system administrator, who reads no ledger)."""
    return may_maintain_ledger(user) and is_office_of(user, transfer.to_county)


def may_maintain_ledger(user: User) -> bool:
    """Registers and edits people, contact logs and difficulties, imports and exports the ledger."""
    return may_see_ledger(user)


def may_export_full_id_numbers(user: User) -> bool:
    """Only the office exports full identity numbers (everyone else gets them masked)."""
    return user.is_authenticated and user.role == Role.OFFICE


def may_enter_records(user: User) -> bool:
    """Enters, edits and deletes visit records and submits the unit's return."""
    return user.is_authenticated and user.role in RECORD_ROLES


def record_editable(record: VisitRecord) -> bool:
    """A record can change while its unit's return is a draft or sent back, not once submitted."""
    return record.unit_return.status in EDITABLE_STATUSES


def may_run_campaign(user: User, campaign: Campaign) -> bool:
    """Edits a campaign (dates, deadline, expected units): only the office of the unit that runs
    it. An office above reads a county's campaign; a county cannot touch the city's (it would
    move the city's deadline past its own, or drop the counties). docs/levels.md."""
    return is_office_of(user, campaign.owner_unit)


def may_review_returns(user: User, campaign: Campaign) -> bool:
    """Accepts, sends back and reopens the returns of a campaign: only the office of the unit that
    runs it, never an office above (a city reads a county's campaign) or below (a county does not
    accept its own table to the city). docs/levels.md."""
    return is_office_of(user, campaign.owner_unit)
