"""Demo data: the core seeds the city, its two counties and their users; each app registers a seeder of its own.

Seeders run in order and must be idempotent (running `seed_demo` twice changes nothing).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction

from shuangyong.models import OrgUnit, OrgUnitKind, User
from shuangyong.services import org_unit_create, user_create

DEMO_FILE = Path(settings.BASE_DIR) / "fixtures" / "demo_county.json"

_seeders: list[tuple[int, str, Callable[[], None]]] = []


def register_demo_seeder(name: str, seeder: Callable[[], None], *, order: int = 100) -> None:
    if all(existing != name for _, existing, _ in _seeders):
        _seeders.append((order, name, seeder))


def demo_definition() -> dict[str, Any]:
    return json.loads(DEMO_FILE.read_text(encoding="utf-8"))


def _unit(*, name: str, code: str, kind: str, parent: OrgUnit | None, order: int, short_name: str = "") -> OrgUnit:
    existing = OrgUnit.objects.filter(code=code).first()
    if existing:
        return existing
    return org_unit_create(name=name, code=code, kind=kind, parent=parent, sort_order=order, short_name=short_name)


def _county(c: dict[str, Any], *, parent: OrgUnit, order: int) -> OrgUnit:
    """A county with its townships (and villages) and member units; stationed troops come separately."""
    county = _unit(
        name=c["name"], code=c["code"], kind=OrgUnitKind.COUNTY, parent=parent, order=order, short_name=c["short_name"]
    )
    if county.parent_id != parent.pk:
        # A demo seeded when the county was the root: put it under the city. OrgUnit.save moves the
        # whole subtree (its paths), so everything seeded before stays where it was below the county.
        county.parent = parent
        county.save()
    if not county.troop_name:  # a demo seeded before the field existed gets it too
        OrgUnit.objects.filter(pk=county.pk).update(troop_name=c["troop_name"])
    for i, t in enumerate(c["townships"]):
        township = _unit(name=t["name"], code=t["code"], kind=OrgUnitKind.TOWNSHIP, parent=county, order=i)
        for j, v in enumerate(t["villages"]):
            _unit(name=v, code=f"{t['code']}-{j + 1}", kind=OrgUnitKind.VILLAGE, parent=township, order=j)
    for i, m in enumerate(c["member_units"]):
        _unit(name=m["name"], code=m["code"], kind=OrgUnitKind.MEMBER_UNIT, parent=county, order=i)
    return county


@transaction.atomic
def seed_core() -> None:
    """The city (重庆市), the demo county (铜梁区) under it with its troops, a second county (永川区),
    and the demo accounts of every level (fixtures/demo_county.json)."""
    data = demo_definition()
    c = data["city"]
    city = _unit(
        name=c["name"], code=c["code"], kind=OrgUnitKind.CITY, parent=None, order=0, short_name=c["short_name"]
    )
    main = {**data["county"], "townships": data["townships"], "member_units": data["member_units"]}
    county = _county(main, parent=city, order=0)
    for i, tr in enumerate(data["troops"]):
        _unit(name=tr["name"], code=tr["code"], kind=OrgUnitKind.TROOP, parent=county, order=i)
    for i, other in enumerate(data["other_counties"], start=1):
        _county(other, parent=city, order=i)
    for u in data["users"]:
        if not User.objects.filter(username=u["username"]).exists():
            user_create(
                username=u["username"],
                password=data["password"],
                org_unit=OrgUnit.objects.get(code=u["unit"]),
                role=u["role"],
                full_name=u["full_name"],
                email=f"{u['username']}@example.invalid",
                is_unit_head=u.get("is_unit_head", False),
            )


def seed_all() -> None:
    seed_core()
    for _, _, seeder in sorted(_seeders, key=lambda s: s[0]):
        seeder()
