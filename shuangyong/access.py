"""The one access-scoping mechanism of the portal.

Rules (domain.md "Who uses the portal"):
- A user sees what belongs to their own unit and to every unit below it. The 双拥办 users
  belong to the county unit, so they see the whole county; a township user sees the
  township and its villages, never another township.
- Leaders see everything in their scope but change nothing: ReadOnlyRoleMiddleware refuses
  every unsafe request of a read-only role with 403, for every view at once.
- An object outside the scope answers 404, never 403: the URL does not reveal that it exists.

Selectors build their querysets with ``scope_q(user, "unit_field", ...)`` or
``scoped(queryset, user, ...)`` and views fetch single objects with
``get_object_or_404(selector(user), pk=...)``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import reduce
from operator import or_
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.db.models.functions import Length, Substr
from django.http import HttpRequest, HttpResponse

from shuangyong.models import LEVEL_KINDS, OFFICE_KINDS, PERSONAL_DATA_BOUNDARY, OrgUnit, OrgUnitKind, Role

if TYPE_CHECKING:
    from shuangyong.models import User

M = TypeVar("M", bound=Model)
F = TypeVar("F", bound=Callable[..., Any])

NOTHING = Q(pk__in=[])


def scope_root(user: Any) -> OrgUnit | None:
    """The unit whose subtree the user may see, or None for a user who may see nothing."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    unit: OrgUnit | None = user.org_unit
    if unit is None or not unit.is_active:
        return None
    return unit


def lines_one_level_down(user: Any, units: Iterable[OrgUnit]) -> dict[int, OrgUnit]:
    """The line each unit is counted on in ``user``'s summaries by unit (task completion, 双清单):
    a unit inside a county or city below the user's own unit counts on that county's (city's)
    line, every other unit on its own. A county office still sees its townships and member units
    one by one; a city sees its counties and its own member units, the province its cities.
    At most one query (the offices one level down), whatever the number of units."""
    return lines_below(scope_root(user), units)


def lines_below(root: OrgUnit | None, units: Iterable[OrgUnit]) -> dict[int, OrgUnit]:
    """``lines_one_level_down`` for the summaries of ``root`` (an office's daily overdue summary)."""
    units = list(units)
    heads: dict[int, int] = {}
    if root is not None:
        for unit in units:
            steps = unit.ancestor_pks()
            if len(steps) > root.depth + 1 and unit.is_below(root):
                heads[unit.pk] = steps[root.depth]
    offices = OrgUnit.objects.filter(pk__in=set(heads.values()), kind__in=LEVEL_KINDS).in_bulk() if heads else {}
    return {unit.pk: offices.get(heads.get(unit.pk, 0), unit) for unit in units}


def scope_q(user: Any, *unit_fields: str) -> Q:
    """A filter matching rows whose unit (any of ``unit_fields``) lies in the user's scope.

    ``unit_fields`` are lookups to an OrgUnit foreign key, e.g. ``"org_unit"`` or
    ``"task__lead_unit"``. Passing several ORs them (a 双清单 item is visible to its responsible
    unit and to its partner troop). ``""`` means the queryset *is* OrgUnit.
    """
    root = scope_root(user)
    if root is None:
        return NOTHING
    fields = unit_fields or ("org_unit",)
    subtree = OrgUnit.objects.filter(path__startswith=root.path).values("pk")
    # "unit_id IN (SELECT id FROM orgunit WHERE path LIKE 'x%')" rather than a join on the path:
    # the planner then reads the foreign-key index of the scoped table (3x faster for a
    # 双清单 item's two unit fields at province scale; bench/README.md).
    return reduce(or_, (Q(path__startswith=root.path) if not f else Q(**{f"{f}__in": subtree}) for f in fields))


#: Unit kinds that can have a county (PERSONAL_DATA_BOUNDARY) strictly below them. A user of any
#: other unit (a county, a township, a member unit …) has no county below: personal_scope_q is
#: then scope_q itself, without the extra anti-join.
ABOVE_PERSONAL_DATA_BOUNDARY: frozenset[str] = frozenset({OrgUnitKind.PROVINCE, OrgUnitKind.CITY})


def personal_units(root: OrgUnit) -> QuerySet[OrgUnit]:
    """The units of ``root``'s subtree whose personal data a user of ``root`` may see: every unit
    except those inside a county (PERSONAL_DATA_BOUNDARY) strictly below ``root``.

    One set: ``path LIKE 'root%' AND NOT EXISTS (a county below root whose path is a prefix of
    the unit's path)``. The inner query reads the few counties of the subtree by the path index;
    a prefix test is an equality on ``substr(unit.path, 1, length(county.path))``.
    """
    subtree = OrgUnit.objects.filter(path__startswith=root.path)
    if root.kind not in ABOVE_PERSONAL_DATA_BOUNDARY:
        return subtree
    counties_below = OrgUnit.objects.filter(kind=PERSONAL_DATA_BOUNDARY, path__startswith=root.path).exclude(pk=root.pk)
    inside_a_county = counties_below.filter(path=Substr(OuterRef("path"), 1, Length("path")))
    return subtree.exclude(Exists(inside_a_county))


def personal_scope_q(user: Any, *unit_fields: str) -> Q:
    """Like ``scope_q``, for personal data (the ledger, visit records, contact logs, ID numbers):
    it never leaves the county (PIPL minimum-necessary; docs/levels.md "Privacy by level").

    A county or township user is unaffected. A city or province user matches nothing inside a
    county below it, yet still the rows of the units that are not inside a county (the city's
    own member units). Tables, returns and task progress use ``scope_q``: they go up.
    """
    root = scope_root(user)
    if root is None:
        return NOTHING
    if root.kind not in ABOVE_PERSONAL_DATA_BOUNDARY:
        return scope_q(user, *unit_fields)
    fields = unit_fields or ("org_unit",)
    visible = personal_units(root).values("pk")
    return reduce(or_, (Q(pk__in=visible) if not f else Q(**{f"{f}__in": visible}) for f in fields))


def within_personal_data_boundary(user: Any) -> bool:
    """Whether the user's unit lies at or below the personal-data boundary (a county, a township …):
    the ledger is theirs to keep. A city or province user has no ledger."""
    root = scope_root(user)
    return root is not None and root.kind not in ABOVE_PERSONAL_DATA_BOUNDARY


def unit_in_personal_scope(user: Any, unit: OrgUnit | None) -> bool:
    """``personal_scope_q`` for one unit: whether ``user`` may see the personal data of ``unit``."""
    root = scope_root(user)
    if root is None or unit is None or not unit.path.startswith(root.path):
        return False
    return root.kind not in ABOVE_PERSONAL_DATA_BOUNDARY or personal_data_home(unit) is None


def personal_data_home(unit: OrgUnit | None) -> OrgUnit | None:
    """The county (PERSONAL_DATA_BOUNDARY) that holds ``unit``'s personal data: the unit itself or
    its nearest such ancestor; None for a unit that is not inside a county (a city's member unit)."""
    if unit is None:
        return None
    if unit.kind == PERSONAL_DATA_BOUNDARY:
        return unit
    return OrgUnit.objects.filter(pk__in=unit.ancestor_pks(), kind=PERSONAL_DATA_BOUNDARY).order_by("-path").first()


def scoped(queryset: QuerySet[M], user: Any, *unit_fields: str) -> QuerySet[M]:
    return queryset.filter(scope_q(user, *unit_fields))


def units_in_scope(user: Any) -> QuerySet[OrgUnit]:
    return scoped(OrgUnit.objects.all(), user, "")


def unit_in_scope(user: Any, unit: OrgUnit | None) -> bool:
    root = scope_root(user)
    return bool(root and unit and unit.path.startswith(root.path))


def keeps_unit_settings(user: Any, unit: OrgUnit) -> bool:
    """Whether ``user`` is the office of ``unit`` and ``unit`` is an office unit: it keeps its own
    settings (the troop name of its 八一 titles), which no office above edits."""
    return is_office_of(user, unit) and unit.has_office


def is_office_of(user: Any, unit: OrgUnit | None) -> bool:
    """Whether ``user`` is staff of the 双拥办 *of* ``unit`` (the office that owns a plan or a
    campaign), not merely an office user whose scope contains it: a city office reads a county's
    campaign, only the county's office runs it."""
    return bool(
        unit is not None
        and getattr(user, "is_authenticated", False)
        and user.role in (Role.OFFICE, Role.ADMIN)
        and user.org_unit_id == unit.pk
    )


def runs_unit(user: Any, unit: OrgUnit | None) -> bool:
    """Whether ``user`` is staff of the office that runs ``unit``: the unit's own office, or the
    nearest office unit above it (a troop stationed in a county is the county office's, not the
    city's). No query when the unit sits directly under (or is) the user's office unit."""
    if unit is None or not getattr(user, "is_authenticated", False) or user.role not in (Role.OFFICE, Role.ADMIN):
        return False
    office = scope_root(user)
    if office is None or not office.has_office or not unit.path.startswith(office.path):
        return False
    if unit.pk == office.pk:
        return True
    between = unit.ancestor_pks()[office.depth : -1]  # strictly between the office and the unit
    return not between or not any(pk in _offices_below(user, office) for pk in between)


def _offices_below(user: Any, office: OrgUnit) -> frozenset[int]:
    """The office units inside ``office``'s subtree (itself excluded), read once per user object,
    i.e. once per request: pages ask ``runs_unit`` for every row they list (a city's work queue
    asked it for each of 119 双清单 items, one query each)."""
    cached = getattr(user, "_offices_below", None)
    if cached is None or cached[0] != office.pk:
        below = OrgUnit.objects.filter(path__startswith=office.path, kind__in=OFFICE_KINDS).exclude(pk=office.pk)
        cached = (office.pk, frozenset(below.values_list("pk", flat=True)))
        user._offices_below = cached
    return cached[1]


def require_role(user: User, *roles: str, message: str = "您的角色无权执行此操作。") -> None:
    """Raise PermissionDenied (403) unless the user has one of the roles."""
    if user.role not in roles:
        raise PermissionDenied(message)


def require_writer(user: User) -> None:
    if user.is_read_only:
        raise PermissionDenied("领导账号只能查看和下载，不能修改。")


def writes_allowed_for_read_only_roles(view: F) -> F:
    """Mark a view whose POST is not a change of portal data (log out, own password, mark read)."""
    view.allow_read_only_roles = True  # type: ignore[attr-defined]
    return view


class ReadOnlyRoleMiddleware:
    """Refuse every unsafe request (POST, PUT, PATCH, DELETE) of a read-only role with 403."""

    SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        user = getattr(request, "user", None)
        if (
            request.method not in self.SAFE_METHODS
            and user is not None
            and user.is_authenticated
            and getattr(user, "role", None) == Role.LEADER
            and not getattr(view_func, "allow_read_only_roles", False)
        ):
            raise PermissionDenied("领导账号只能查看和下载，不能修改。")
        return None
