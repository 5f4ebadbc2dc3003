"""Write the ids the load test needs (accounts, campaigns, units, sample objects) as JSON.

Run with the portal's settings and the scale database: ``python bench/loadtest/targets.py OUT.json``.
Every generated county gives one office account, one leader and its townships; for each township
the open campaign, its unit, whether its return is still editable, and sample object ids.
At province scope, every office unit above the counties (the province, each city) gives its
leader account, its own open campaign if it runs one, and the open campaign of a county below it.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shuangyong.settings.base")

import django

django.setup()

from shuangyong.models import OrgUnit, OrgUnitKind  # noqa: E402
from tasks.models import DualListItem, Task, WorkPlan  # noqa: E402
from visits.models import Beneficiary, Campaign, Return, ReturnStatus, VisitRecord  # noqa: E402

EDITABLE = {ReturnStatus.DRAFT, ReturnStatus.RETURNED}
MAX_COUNTIES = int(os.environ.get("LOAD_COUNTIES", "20"))  # enough variety, quick to prepare


def main(out: Path) -> None:
    counties = list(OrgUnit.objects.filter(kind=OrgUnitKind.COUNTY, code__startswith="sc-").order_by("path"))
    if not counties:
        raise SystemExit("没有规模数据：先运行 manage.py generate_scale_data")
    result = []
    for county in counties[:MAX_COUNTIES]:
        campaigns = list(Campaign.objects.filter(owner_unit=county).order_by("year", "visit_start"))
        open_campaign, closed_campaign = campaigns[-1], campaigns[0]
        plan = WorkPlan.objects.filter(owner_unit=county).first()
        troop = OrgUnit.objects.filter(kind=OrgUnitKind.TROOP, parent=county).order_by("code").first()
        townships = []
        returns = {
            r.org_unit_id: r.status for r in Return.objects.filter(campaign=open_campaign, org_unit__parent=county)
        }
        for unit in OrgUnit.objects.filter(kind=OrgUnitKind.TOWNSHIP, parent=county).order_by("code"):
            townships.append(
                {
                    "username": unit.code,
                    "unit": unit.pk,
                    "editable": returns.get(unit.pk) in EDITABLE,
                    "beneficiaries": list(
                        Beneficiary.objects.filter(org_unit=unit).order_by("pk").values_list("pk", flat=True)[:20]
                    ),
                    "records": list(
                        VisitRecord.objects.filter(org_unit=unit, campaign=closed_campaign)
                        .order_by("pk")
                        .values_list("pk", flat=True)[:20]
                    ),
                }
            )
        result.append(
            {
                "county": county.pk,
                "county_path": county.path,
                "office": f"{county.code}-office",
                "leader": f"{county.code}-leader",
                "open_campaign": open_campaign.pk,
                "closed_campaign": closed_campaign.pk,
                "visit_date": open_campaign.visit_start.isoformat(),
                "plan": plan.pk if plan else None,
                "troop": troop.pk if troop else None,
                "year": plan.year if plan else 2026,
                "tasks": list(Task.objects.filter(plan=plan).order_by("pk").values_list("pk", flat=True)[:20]),
                "dual_items": list(
                    DualListItem.objects.filter(troop_unit__parent=county)
                    .order_by("pk")
                    .values_list("pk", flat=True)[:20]
                ),
                "townships": townships,
            }
        )
    upper = []
    by_county = {c["county"]: c for c in result}
    for unit in OrgUnit.objects.filter(kind__in=[OrgUnitKind.PROVINCE, OrgUnitKind.CITY], code__startswith="sc-"):
        below = next((c for c in result if c["county_path"].startswith(unit.path)), None)
        own = Campaign.objects.filter(owner_unit=unit).order_by("-year", "-visit_start").first()
        upper.append(
            {
                "leader": f"{unit.code}-leader",
                "office": f"{unit.code}-office",
                "kind": unit.kind,
                "own_campaign": own.pk if own else None,
                "county_campaign": by_county[below["county"]]["open_campaign"] if below else None,
                "county_unit": below["townships"][0]["unit"] if below and below["townships"] else None,
            }
        )
    out.write_text(json.dumps({"counties": result, "upper": upper}, ensure_ascii=False))
    print(f"{len(result)} 个区县、{len(upper)} 个省市双拥办的压测目标已写入 {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
