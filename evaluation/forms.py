from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from evaluation.models import (
    BudgetProof,
    DocumentKind,
    DocumentRequest,
    Evaluation,
    FigureKey,
    ItemAssessment,
    Meeting,
    ScoringItem,
    ScoringTable,
)
from shuangyong.concurrency import VersionedForm
from shuangyong.forms import BootstrapFormMixin
from shuangyong.models import OrgUnit
from shuangyong.uploads import EVIDENCE_EXTENSIONS
from tasks.forms import EvidenceField
from tasks.models import DualListDirection

ACCEPT = ",".join(f".{e}" for e in EVIDENCE_EXTENSIONS)


def _file_field(label: str, *, required: bool = True) -> forms.FileField:
    field = forms.FileField(label=label, required=required, help_text="PDF、Word、Excel 或图片，单个文件不超过 10 MB。")
    field.widget.attrs["accept"] = ACCEPT
    return field


class TableImportForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(label="考评标准名称", max_length=100)
    file = forms.FileField(
        label="Excel 文件（.xlsx 或 .csv）",
        help_text="列：序号、层级、上级序号、考评内容、分值，可选：评分标准、所需材料、一票否决、加分项、关联数据。",
    )


class ScoringItemForm(BootstrapFormMixin, VersionedForm, forms.ModelForm):
    figure_keys = forms.MultipleChoiceField(
        label="关联数据", choices=FigureKey.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = ScoringItem
        fields = ["number", "content", "points", "scoring_rule", "evidence_asked", "is_veto", "is_bonus", "figure_keys"]
        widgets = {
            "content": forms.Textarea(attrs={"rows": 3}),
            "scoring_rule": forms.Textarea(attrs={"rows": 3}),
            "evidence_asked": forms.Textarea(attrs={"rows": 2}),
        }


class EvaluationForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = Evaluation
        fields = ["title", "table", "kind", "first_year", "last_year"]

    def __init__(self, *args: Any, tables: QuerySet[ScoringTable], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["table"].queryset = tables  # type: ignore[attr-defined]


class AssessmentForm(BootstrapFormMixin, VersionedForm, forms.ModelForm):
    class Meta:
        model = ItemAssessment
        fields = ["self_score", "reason"]
        widgets = {"reason": forms.Textarea(attrs={"rows": 3})}


class ItemFilesForm(BootstrapFormMixin, forms.Form):
    uploads = EvidenceField(required=True, label="上传材料")


class LinkForm(BootstrapFormMixin, forms.Form):
    target = forms.ChoiceField(label="关联已有材料")

    def __init__(self, *args: Any, choices: list[tuple[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = [("", "请选择"), *choices]  # type: ignore[attr-defined]


class MeetingForm(BootstrapFormMixin, VersionedForm, forms.ModelForm):
    minutes_upload = _file_field("会议纪要", required=False)

    class Meta:
        model = Meeting
        fields = ["date", "kind", "title", "attendees", "decisions"]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "attendees": forms.Textarea(attrs={"rows": 2}),
            "decisions": forms.Textarea(attrs={"rows": 4}),
        }


class DecisionToDualListForm(BootstrapFormMixin, forms.Form):
    index = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    direction = forms.ChoiceField(label="清单", choices=DualListDirection.choices)
    troop_unit = forms.ModelChoiceField(label="对口部队", queryset=OrgUnit.objects.none())
    responsible_unit = forms.ModelChoiceField(label="责任单位", queryset=OrgUnit.objects.none(), required=False)

    def __init__(self, *args: Any, troops: QuerySet[OrgUnit], units: QuerySet[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["troop_unit"].queryset = troops  # type: ignore[attr-defined]
        self.fields["responsible_unit"].queryset = units  # type: ignore[attr-defined]


class BudgetProofForm(BootstrapFormMixin, forms.ModelForm):
    upload = _file_field("凭证文件")

    class Meta:
        model = BudgetProof
        fields = ["year", "kind", "amount", "note"]


class DocumentRequestForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = DocumentRequest
        fields = ["year", "kind", "deadline"]
        widgets = {"deadline": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


class UnitDocumentForm(BootstrapFormMixin, forms.Form):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    kind = forms.ChoiceField(label="材料类型", choices=DocumentKind.choices)
    upload = _file_field("文件")


class ScoringItemCreateForm(ScoringItemForm):
    parent = forms.ModelChoiceField(
        label="上级",
        queryset=ScoringItem.objects.none(),
        required=False,
        help_text="不选：新增一个考评项目（最上一级）",
    )

    class Meta(ScoringItemForm.Meta):
        fields = ["parent", *ScoringItemForm.Meta.fields]

    def __init__(self, *args: Any, table: ScoringTable, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        parents = ScoringItem.objects.filter(table=table).exclude(kind="sub_item").order_by("sort_order", "id")
        self.fields["parent"].queryset = parents  # type: ignore[attr-defined]
