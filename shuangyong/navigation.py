"""Navigation and home-page panels that each app registers for itself.

The core app does not import tasks/, visits/ or reports/ (apps depend one way): each app's
AppConfig.ready() registers its menu entries and its "what is waiting for me" panels here,
and the shell shows those whose roles match the user.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from shuangyong.models import Role

ALL_ROLES: frozenset[str] = frozenset(Role.values)


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: frozenset[str] = ALL_ROLES
    order: int = 100
    #: The menu a link sits in (任务, 走访慰问 …); "" = a link of its own on the bar.
    group: str = ""
    #: A rule beyond the role, from the app's policy (the ledger: not above the county), or None.
    visible: Callable[[Any], bool] | None = None


@dataclass(frozen=True)
class NavGroup:
    """A menu on the bar: its links, shown as a drop-down (a group of one is just the link)."""

    label: str
    items: list[NavItem]

    @property
    def url_names(self) -> list[str]:
        return [i.url_name for i in self.items]


@dataclass(frozen=True)
class HomePanel:
    """A block on the home page: ``context(user)`` returns the template's context (or None to hide)."""

    template: str
    context: Callable[[Any], dict[str, Any] | None]
    roles: frozenset[str] = ALL_ROLES
    order: int = 100


@dataclass(frozen=True)
class WaitingRow:
    """One thing waiting: what it is, where to act on it, and optionally its state (a badge)."""

    label: str
    url: str
    note: str = ""
    state: str = ""
    state_label: str = ""


@dataclass(frozen=True)
class WaitingGroup:
    """A kind of thing waiting for the user (待审核的填报 …): its first rows and how many in all."""

    title: str
    rows: list[WaitingRow]
    total: int
    more_url: str = ""
    testid: str = ""


@dataclass(frozen=True)
class WaitingSource:
    groups: Callable[[Any], list[WaitingGroup]]
    roles: frozenset[str]
    order: int


@dataclass
class _Registry:
    nav: dict[str, NavItem] = field(default_factory=dict)
    panels: dict[str, HomePanel] = field(default_factory=dict)
    waiting: dict[str, WaitingSource] = field(default_factory=dict)


_registry = _Registry()


def register_nav(
    label: str,
    url_name: str,
    *,
    roles: Iterable[str] = ALL_ROLES,
    order: int = 100,
    group: str = "",
    visible: Callable[[Any], bool] | None = None,
) -> None:
    _registry.nav[url_name] = NavItem(label, url_name, frozenset(roles), order, group, visible)


def register_home_panel(
    template: str,
    context: Callable[[Any], dict[str, Any] | None],
    *,
    roles: Iterable[str] = ALL_ROLES,
    order: int = 100,
) -> None:
    _registry.panels[template] = HomePanel(template, context, frozenset(roles), order)


def register_waiting(
    key: str, groups: Callable[[Any], list[WaitingGroup]], *, roles: Iterable[str] = ALL_ROLES, order: int = 100
) -> None:
    """An app adds what waits for a user (returns to review, requests to decide …) to the one
    work queue, 等待我处理, on the home page."""
    _registry.waiting[key] = WaitingSource(groups, frozenset(roles), order)


def waiting_for(user: Any) -> list[WaitingGroup]:
    role = getattr(user, "role", None)
    sources = sorted((w for w in _registry.waiting.values() if role in w.roles), key=lambda w: w.order)
    return [group for source in sources for group in source.groups(user) if group.total]


def nav_for(user: Any) -> list[NavItem]:
    role = getattr(user, "role", None)
    items = (i for i in _registry.nav.values() if role in i.roles and (i.visible is None or i.visible(user)))
    return sorted(items, key=lambda i: i.order)


def menu_for(user: Any) -> list[NavItem | NavGroup]:
    """The menu bar: links of their own and groups, in the order of their first link. Grouping
    keeps the bar on one line at 1280 px whatever the role."""
    entries: list[NavItem | NavGroup] = []
    groups: dict[str, NavGroup] = {}
    for item in nav_for(user):
        if not item.group:
            entries.append(item)
        elif item.group in groups:
            groups[item.group].items.append(item)
        else:
            groups[item.group] = NavGroup(item.group, [item])
            entries.append(groups[item.group])
    return [e.items[0] if isinstance(e, NavGroup) and len(e.items) == 1 else e for e in entries]


def panels_for(user: Any) -> list[HomePanel]:
    role = getattr(user, "role", None)
    return sorted((p for p in _registry.panels.values() if role in p.roles), key=lambda p: p.order)


def register_core_items() -> None:
    register_nav("首页", "home", order=0)
    register_nav("单位通讯录", "unit_list", order=900)


def _unit_panel(user: Any) -> dict[str, Any]:
    return {"unit": user.org_unit}


def _waiting_panel(user: Any) -> dict[str, Any] | None:
    groups = waiting_for(user)
    return {"groups": groups} if groups else None


def register_core_panels() -> None:
    register_home_panel("shuangyong/_panel_waiting.html", _waiting_panel, order=5)
    register_home_panel("shuangyong/_panel_unit.html", _unit_panel, order=1000)
