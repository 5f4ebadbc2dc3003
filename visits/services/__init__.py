"""Writes of the visits app, one module per sub-domain; the public names are re-exported here so
that ``from visits.services import X`` is the one way in.

- ``ledger``: people, contact logs, difficulties, the identity-access log;
- ``campaigns``: 春节/八一 campaigns and their expected units;
- ``records``: visit records and the numbers rules shared with the form and the importer;
- ``returns``: the return workflow (submit, send back, accept, reopen);
- ``rollup``: the levels: linked campaigns top-down, an office unit's table to the level above.
- ``transfers``: a person moving county (迁出 → 迁入).

Who may do what is ``visits.policy``; every service re-checks it (views check too, but a service
is also called by the importer and the demo seeder) and raises ValidationError with a message fit
for the user.
"""

from visits.services.campaigns import campaign_create, campaign_update, campaigns_create_for_year
from visits.services.ledger import (
    DUPLICATE_ID_NUMBER,
    FOREIGN_ID_NUMBER,
    TRANSFER_NEEDED,
    TRANSFER_PENDING,
    beneficiary_create,
    beneficiary_reveal_id_number,
    beneficiary_update,
    beneficiary_view_log,
    contact_log_create,
    difficulty_create,
    difficulty_update,
    foreign_id_numbers_report,
    identity_export_log,
    ledger_export_log,
    office_users_above,
    registered_id_number_messages,
)
from visits.services.records import (
    COUNT_LABELS,
    MAX_COUNT,
    DifficultySolved,
    check_record_unit,
    ensure_return_editable,
    record_editable,
    return_for,
    visit_numbers_errors,
    visit_record_create,
    visit_record_delete,
    visit_record_update,
)
from visits.services.returns import (
    return_accept,
    return_reopen,
    return_send_back,
    return_submit,
    return_submit_errors,
)
from visits.services.rollup import (
    campaigns_link_below,
    ensure_not_locked_by_upward,
    rows_with_leaders,
    upward_return_submit,
    upward_submit_errors,
    upward_submit_warnings,
)
from visits.services.transfers import transfer_accept, transfer_refuse, transfer_request, transfer_withdraw

__all__ = [
    "COUNT_LABELS",
    "DUPLICATE_ID_NUMBER",
    "FOREIGN_ID_NUMBER",
    "MAX_COUNT",
    "TRANSFER_NEEDED",
    "TRANSFER_PENDING",
    "DifficultySolved",
    "beneficiary_create",
    "beneficiary_reveal_id_number",
    "beneficiary_update",
    "beneficiary_view_log",
    "campaign_create",
    "campaign_update",
    "campaigns_create_for_year",
    "campaigns_link_below",
    "check_record_unit",
    "contact_log_create",
    "difficulty_create",
    "difficulty_update",
    "ensure_not_locked_by_upward",
    "ensure_return_editable",
    "foreign_id_numbers_report",
    "identity_export_log",
    "ledger_export_log",
    "office_users_above",
    "record_editable",
    "registered_id_number_messages",
    "return_accept",
    "return_for",
    "return_reopen",
    "return_send_back",
    "return_submit",
    "return_submit_errors",
    "rows_with_leaders",
    "transfer_accept",
    "transfer_refuse",
    "transfer_request",
    "transfer_withdraw",
    "upward_return_submit",
    "upward_submit_errors",
    "upward_submit_warnings",
    "visit_numbers_errors",
    "visit_record_create",
    "visit_record_delete",
    "visit_record_update",
]
