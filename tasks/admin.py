from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from tasks.models import (
    ClosureRequest,
    DualListCategory,
    DualListItem,
    DualListTransition,
    ExtensionRequest,
    Section,
    Task,
    WorkPlan,
)


class SectionInline(admin.TabularInline):
    model = Section
    extra = 0


@admin.register(WorkPlan)
class WorkPlanAdmin(SimpleHistoryAdmin):
    list_display = ["year", "title", "doc_number", "issue_date"]
    inlines = [SectionInline]
    raw_id_fields = ["owner_unit", "created_by"]


@admin.register(Task)
class TaskAdmin(SimpleHistoryAdmin):
    list_display = ["number", "title", "plan", "lead_unit", "deadline", "status"]
    list_filter = ["status", "plan__year"]
    search_fields = ["title"]
    raw_id_fields = ["plan", "section", "lead_unit"]
    filter_horizontal = ["cooperating_units"]


@admin.register(DualListCategory)
class DualListCategoryAdmin(admin.ModelAdmin):
    """The shared defaults (no 所属双拥办) are kept here; each office keeps its own in the portal."""

    list_display = ["name", "owner_unit", "sort_order", "is_active"]
    list_editable = ["sort_order", "is_active"]
    list_filter = [("owner_unit", admin.EmptyFieldListFilter)]
    raw_id_fields = ["owner_unit"]


class TransitionInline(admin.TabularInline):
    model = DualListTransition
    extra = 0
    readonly_fields = ["action", "from_state", "to_state", "user", "at", "reason"]
    can_delete = False


@admin.register(DualListItem)
class DualListItemAdmin(SimpleHistoryAdmin):
    list_display = ["year", "direction", "content", "responsible_unit", "troop_unit", "state", "deadline"]
    list_filter = ["year", "direction", "state"]
    search_fields = ["content"]
    raw_id_fields = ["responsible_unit", "troop_unit", "carried_over_from", "created_by"]
    readonly_fields = ["receiver_confirmed_by", "receiver_confirmed_at", "office_confirmed_by", "office_confirmed_at"]
    inlines = [TransitionInline]


admin.site.register(ClosureRequest)
admin.site.register(ExtensionRequest)
