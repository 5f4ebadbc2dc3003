"""Write the ids the load test needs (accounts, campaigns, units, sample objects) as JSON.

Run with the portal's settings and the scale database: ``python bench/loadtest/targets.py OUT.json``.
Every generated county gives one office account, one leader and its townships; for each township
the open campaign, its unit, whether its return is still editable, and sample object ids.
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
    out.write_text(json.dumps(result, ensure_ascii=False))
    print(f"{len(result)} 个区县的压测目标已写入 {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
