"""Home-page panels: what is waiting for this user in the tasks app."""

from __future__ import annotations

from typing import Any

from tasks import selectors
from tasks.models import ClosureRequest, ExtensionRequest

PANEL_ROWS = 5


def overdue_panel(user: Any) -> dict[str, Any] | None:
    """Late tasks and 双清单 items: the unit's own for a unit, the whole county for the office."""
    tasks = (
        selectors.overdue_tasks_for(user) if user.is_office or user.is_read_only else selectors.my_overdue_tasks(user)
    )
    items = selectors.overdue_dual_list_items_for(user)
    # The panel shows a line per row (number, title, lead unit, deadline): no other relation is
    # loaded, which also keeps the planner from hash-joining the whole unit and user tables.
    first_tasks, task_count = selectors.first_rows_and_total(tasks.prefetch_related(None), PANEL_ROWS)
    first_items, item_count = selectors.first_rows_and_total(items.select_related(None), PANEL_ROWS)
    if not task_count and not item_count:
        return None
    return {"tasks": first_tasks, "task_count": task_count, "items": first_items, "item_count": item_count}


def waiting_panel(user: Any) -> dict[str, Any] | None:
    """双清单 items awaiting this user's confirmation, and (office) requests awaiting a decision."""
    confirm = selectors.dual_list_items_awaiting_confirmation(user)
    closures: list[ClosureRequest] = []
    extensions: list[ExtensionRequest] = []
    if user.is_office:
        closures = list(selectors.pending_requests_for(user, ClosureRequest)[:10])
        extensions = list(selectors.pending_requests_for(user, ExtensionRequest)[:10])
    if not (confirm or closures or extensions):
        return None
    return {"confirm": confirm[:10], "closures": closures, "extensions": extensions}
