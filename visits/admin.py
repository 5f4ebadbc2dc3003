from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from visits.models import BeneficiaryCategory, Campaign, IdentityAccessLog, Return


@admin.register(BeneficiaryCategory)
class BeneficiaryCategoryAdmin(admin.ModelAdmin):
    """The editable list of categories (each mapped to a row of the official table)."""

    list_display = ["name", "table_row", "sort_order", "is_active"]
    list_editable = ["table_row", "sort_order", "is_active"]


@admin.register(Campaign)
class CampaignAdmin(SimpleHistoryAdmin):
    list_display = ["title", "year", "kind", "visit_start", "visit_end", "return_deadline"]
    filter_horizontal = ["expected_units"]


@admin.register(Return)
class ReturnAdmin(SimpleHistoryAdmin):
    list_display = ["campaign", "org_unit", "status", "no_visits", "submitted_at"]
    list_filter = ["campaign", "status"]
    readonly_fields = ["status", "submitted_at", "submitted_by", "reviewed_at"]


@admin.register(IdentityAccessLog)
class IdentityAccessLogAdmin(admin.ModelAdmin):
    """Read-only: nobody edits the trail of who saw full identity numbers.

    The system administrator keeps the system; the ledger is not theirs to read (only the person's
    township and the office see it). So the person appears here as a record number and the masked
    identity number, never by name: the office reads names in the portal, scoped.
    """

    list_display = ["at", "user", "person", "action"]
    list_filter = ["action"]
    fields = ["at", "user", "person", "action"]
    readonly_fields = ["at", "user", "person", "action"]
    list_select_related = ["user", "beneficiary"]

    @admin.display(description="联系对象")
    def person(self, log: IdentityAccessLog) -> str:
        return f"档案 #{log.beneficiary_id}（{log.beneficiary.masked_id_number}）"

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
