"""django-import-export resources: the column layout of the import templates and of the exports.

Columns carry the Chinese headers people see in Excel. Choice fields are written and read by
their Chinese label. Imports do not go through these resources but through visits.importing
(read by shuangyong.tables, validated in one pass, saved in bulk).
"""

from __future__ import annotations

from typing import Any

from import_export import fields, resources, widgets

from shuangyong.models import OrgUnit
from shuangyong.tables import ChoiceLabelWidget
from visits.models import (
    Beneficiary,
    BeneficiaryCategory,
    ContactWay,
    DifficultyKind,
    TableRow,
    VisitRecord,
)

VISIT_COLUMNS = {
    "org_unit": "填报单位",
    "visit_date": "走访日期",
    "table_row": "慰问对象",
    "lead_leader": "带队领导",
    "people_visited": "走访慰问人数",
    "money_amount": "慰问金金额（元）",
    "money_recipients": "慰问金发放人数",
    "goods_spending": "慰问品支出（元）",
    "goods_count": "慰问品数量（件）",
    "goods_recipients": "慰问品发放人数",
    "way": "走访方式",
    "beneficiary": "联系对象身份证号",
    "troop_unit": "慰问部队",
    "notes": "备注",
}

# 解决实际困难 (the official table's last column): one count column per kind, blank for none.
# Optional on import, so that a file made from an older template without them still imports.
DIFFICULTY_COLUMNS = {kind: f"解决实际困难：{label}（件）" for kind, label in DifficultyKind.choices}
DIFFICULTY_FIELDS = {kind: f"difficulty_{kind}" for kind in DifficultyKind.values}

BENEFICIARY_COLUMNS = {
    "name": "姓名",
    "category": "类别",
    "id_number": "身份证号",
    "phone": "联系电话",
    "address": "住址",
    "org_unit": "所属单位",
    "notes": "备注",
}


def _difficulty_field(kind: str) -> fields.Field:
    """A read-only column: the record's count of difficulties of this kind (prefetched), blank for none."""

    def solved(record: VisitRecord) -> int | str:
        return sum(d.count for d in record.difficulties.all() if d.kind == kind) or ""

    return fields.Field(column_name=DIFFICULTY_COLUMNS[kind], readonly=True, dehydrate_method=solved)


class VisitRecordResource(resources.ModelResource):
    org_unit = fields.Field("org_unit", VISIT_COLUMNS["org_unit"], widgets.ForeignKeyWidget(OrgUnit, "name"))
    visit_date = fields.Field("visit_date", VISIT_COLUMNS["visit_date"], widgets.DateWidget("%Y-%m-%d"))
    table_row = fields.Field("table_row", VISIT_COLUMNS["table_row"], ChoiceLabelWidget(TableRow))
    lead_leader = fields.Field("lead_leader", VISIT_COLUMNS["lead_leader"], widgets.CharWidget(allow_blank=True))
    people_visited = fields.Field("people_visited", VISIT_COLUMNS["people_visited"], widgets.IntegerWidget())
    money_amount = fields.Field("money_amount", VISIT_COLUMNS["money_amount"], widgets.DecimalWidget())
    money_recipients = fields.Field("money_recipients", VISIT_COLUMNS["money_recipients"], widgets.IntegerWidget())
    goods_spending = fields.Field("goods_spending", VISIT_COLUMNS["goods_spending"], widgets.DecimalWidget())
    goods_count = fields.Field("goods_count", VISIT_COLUMNS["goods_count"], widgets.IntegerWidget())
    goods_recipients = fields.Field("goods_recipients", VISIT_COLUMNS["goods_recipients"], widgets.IntegerWidget())
    way = fields.Field("way", VISIT_COLUMNS["way"], ChoiceLabelWidget(ContactWay))
    beneficiary = fields.Field(
        "beneficiary", VISIT_COLUMNS["beneficiary"], widgets.ForeignKeyWidget(Beneficiary, "id_number")
    )
    troop_unit = fields.Field("troop_unit", VISIT_COLUMNS["troop_unit"], widgets.ForeignKeyWidget(OrgUnit, "name"))
    notes = fields.Field("notes", VISIT_COLUMNS["notes"], widgets.CharWidget(allow_blank=True))
    # One per DifficultyKind, named as in DIFFICULTY_FIELDS (a test checks that none is missing).
    difficulty_schooling = _difficulty_field(DifficultyKind.SCHOOLING)
    difficulty_employment = _difficulty_field(DifficultyKind.EMPLOYMENT)
    difficulty_housing = _difficulty_field(DifficultyKind.HOUSING)
    difficulty_medical = _difficulty_field(DifficultyKind.MEDICAL)
    difficulty_legal = _difficulty_field(DifficultyKind.LEGAL)
    difficulty_living = _difficulty_field(DifficultyKind.LIVING)
    difficulty_other = _difficulty_field(DifficultyKind.OTHER)

    class Meta:
        model = VisitRecord
        fields = (*VISIT_COLUMNS, *DIFFICULTY_FIELDS.values())
        # The difficulty counts come before 备注, which stays the last column.
        export_order = (*(f for f in VISIT_COLUMNS if f != "notes"), *DIFFICULTY_FIELDS.values(), "notes")

    def __init__(self, show_beneficiary: bool = True, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.show_beneficiary = show_beneficiary

    def dehydrate_beneficiary(self, record: VisitRecord) -> str:
        # Exports never carry a full identity number, and only those who may see the ledger get even the mask.
        if record.beneficiary is None or not self.show_beneficiary:
            return ""
        return record.beneficiary.masked_id_number


class BeneficiaryResource(resources.ModelResource):
    name = fields.Field("name", BENEFICIARY_COLUMNS["name"])
    category = fields.Field(
        "category", BENEFICIARY_COLUMNS["category"], widgets.ForeignKeyWidget(BeneficiaryCategory, "name")
    )
    id_number = fields.Field("id_number", BENEFICIARY_COLUMNS["id_number"])
    phone = fields.Field("phone", BENEFICIARY_COLUMNS["phone"])
    address = fields.Field("address", BENEFICIARY_COLUMNS["address"])
    org_unit = fields.Field("org_unit", BENEFICIARY_COLUMNS["org_unit"], widgets.ForeignKeyWidget(OrgUnit, "name"))
    notes = fields.Field("notes", BENEFICIARY_COLUMNS["notes"])

    class Meta:
        model = Beneficiary
        fields = tuple(BENEFICIARY_COLUMNS)
        export_order = tuple(BENEFICIARY_COLUMNS)
        import_id_fields = ("id_number",)

    def __init__(self, full_id_numbers: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.full_id_numbers = full_id_numbers

    def dehydrate_id_number(self, person: Beneficiary) -> str:
        return person.id_number if self.full_id_numbers else person.masked_id_number
