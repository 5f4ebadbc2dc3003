"""Forms: validation errors at the field, in Chinese; number fields open the phone's number pad."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from shuangyong.concurrency import VersionedForm
from shuangyong.fields import LONG_TEXT, NOTE
from shuangyong.forms import BootstrapFormMixin
from shuangyong.models import OrgUnit, OrgUnitKind, User
from shuangyong.selectors import troop_units_under, units_for
from visits.levels import expected_unit_choices
from visits.models import (
    Beneficiary,
    BeneficiaryCategory,
    Campaign,
    ContactLog,
    ContactWay,
    Difficulty,
    DifficultyKind,
    DifficultyState,
    EarlySubmission,
    TableRow,
)
from visits.services import DifficultySolved, visit_numbers_errors
from visits.validators import id_number_error, normalize_id_number

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _count_field(label: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=label, initial=0, widget=forms.NumberInput(attrs={"inputmode": "numeric", "pattern": "[0-9]*"})
    )


def _money_field(label: str) -> forms.DecimalField:
    return forms.DecimalField(
        label=label, initial=Decimal("0"), widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"})
    )


# --- the ledger ---------------------------------------------------------------------------


def ledger_units_for(user: User) -> QuerySet[OrgUnit]:
    return units_for(user, kinds=[OrgUnitKind.TOWNSHIP, OrgUnitKind.VILLAGE]).order_by("path")


class BeneficiaryForm(BootstrapFormMixin, VersionedForm, forms.ModelForm):
    class Meta:
        model = Beneficiary
        fields = ["name", "category", "id_number", "phone", "address", "org_unit", "notes"]
        widgets = {
            "phone": forms.TextInput(attrs={"inputmode": "tel"}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = ledger_units_for(user)  # type: ignore[attr-defined]
        self.fields["category"].queryset = BeneficiaryCategory.objects.filter(is_active=True)  # type: ignore[attr-defined]
        self.fields["id_number"].widget.attrs["autocomplete"] = "off"
        if self.instance.pk:
            # The full number is never sent to the browser: leave the field blank to keep it.
            self.fields["id_number"].required = False
            self.fields[
                "id_number"
            ].help_text = f"当前：{self.instance.masked_id_number}。不修改请留空，如需更正请输入完整的 18 位号码。"
            self.initial["id_number"] = ""

    def _get_validation_exclusions(self) -> set[str]:
        # The unique number is checked by the service: precisely inside the user's scope, with one
        # generic (and reported) answer for another township's number, never the bare constraint.
        return {*super()._get_validation_exclusions(), "id_number"}  # type: ignore[misc]

    def clean_id_number(self) -> str:
        value = normalize_id_number(self.cleaned_data.get("id_number", ""))
        if not value and self.instance.pk:
            return self.instance.id_number
        error = id_number_error(value)
        if error:
            raise forms.ValidationError(error)
        return value


class ContactLogForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = ContactLog
        fields = ["date", "way", "contacted_by", "content"]
        widgets = {"date": DATE, "content": forms.Textarea(attrs={"rows": 3})}


class DifficultyForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = Difficulty
        fields = ["kind", "description", "raised_on", "state", "resolution"]
        widgets = {
            "raised_on": DATE,
            "description": forms.Textarea(attrs={"rows": 2}),
            "resolution": forms.Textarea(attrs={"rows": 2}),
        }


class DifficultyUpdateForm(BootstrapFormMixin, VersionedForm):
    state = forms.ChoiceField(label="状态", choices=DifficultyState.choices)
    resolution = forms.CharField(
        max_length=NOTE, label="化解情况", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class ExportForm(forms.Form):
    full = forms.BooleanField(required=False)


# --- campaigns ----------------------------------------------------------------------------


class CampaignForm(BootstrapFormMixin, VersionedForm, forms.ModelForm):
    class Meta:
        model = Campaign
        fields = [
            "year",
            "kind",
            "title",
            "visit_start",
            "visit_end",
            "return_deadline",
            "early_submission",
            "expected_units",
        ]
        widgets = {
            "visit_start": DATE,
            "visit_end": DATE,
            "return_deadline": DATE,
            "expected_units": forms.CheckboxSelectMultiple,
            "early_submission": forms.RadioSelect,
        }

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["expected_units"].queryset = expected_unit_choices(user)  # type: ignore[attr-defined]
        self.fields["expected_units"].widget.attrs["class"] = ""
        self.fields["early_submission"].required = False  # not chosen: the model's default (提醒)
        self.fields["early_submission"].widget.attrs["class"] = ""

    def clean_early_submission(self) -> str:
        return self.cleaned_data.get("early_submission") or EarlySubmission.WARN

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("visit_start"), data.get("visit_end")
        if start and end and end < start:
            self.add_error("visit_end", "走访结束日期不能早于开始日期。")
        return data


class NextYearForm(BootstrapFormMixin, forms.Form):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)


# --- visit records ------------------------------------------------------------------------


class PersonSearchWidget(forms.TextInput):
    """A search box instead of a <select> of the unit's whole ledger: the browser asks
    ``visits:person_search`` (at most 20 matches, masked) and keeps the chosen person's pk in a
    hidden input. Without JavaScript the box shows the current person and the choice is kept."""

    template_name = "visits/widgets/person_search.html"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.search_url = ""
        self.current_label = ""

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["widget"].update(search_url=self.search_url, current_label=self.current_label)
        return context


def person_label(person: Beneficiary) -> str:
    return f"{person.name}（{person.masked_id_number}）"


class VisitRecordForm(BootstrapFormMixin, VersionedForm):
    visit_date = forms.DateField(label="走访日期", widget=DATE)  # bounded by the campaign window (clean)
    # No default: the row decides where the record is counted in the official table, so the
    # clerk chooses it every time.
    table_row = forms.ChoiceField(
        label="慰问对象（统计表行）",
        choices=[("", "请选择慰问对象"), *TableRow.choices],
        error_messages={"required": "请选择慰问对象（统计表中的哪一行）。"},
    )
    way = forms.ChoiceField(label="走访方式", choices=ContactWay.choices)
    beneficiary = forms.ModelChoiceField(
        label="联系对象（可选）",
        queryset=Beneficiary.objects.none(),
        required=False,
        widget=PersonSearchWidget,
        help_text="输入姓名或身份证号后 4 位搜索本单位台账中的联系对象。",
        error_messages={"invalid_choice": "请从搜索结果中选择本单位台账中的联系对象。"},
    )
    troop_unit = forms.ModelChoiceField(label="慰问部队（可选）", queryset=OrgUnit.objects.none(), required=False)
    lead_leader = forms.CharField(label="带队领导", max_length=100, required=False)
    people_visited = _count_field("走访慰问人数（人）")
    money_amount = _money_field("慰问金金额（元）")
    money_recipients = _count_field("慰问金发放人数（人）")
    goods_spending = _money_field("慰问品支出（元）")
    goods_count = _count_field("慰问品数量（件）")
    goods_recipients = _count_field("慰问品发放人数（人）")
    notes = forms.CharField(max_length=NOTE, label="备注", widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(
        self,
        *args: Any,
        campaign: Campaign,
        beneficiaries: QuerySet[Beneficiary],
        search_url: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        self.fields["beneficiary"].queryset = beneficiaries  # type: ignore[attr-defined]
        widget = self.fields["beneficiary"].widget
        assert isinstance(widget, PersonSearchWidget)
        widget.search_url = search_url
        widget.current_label = self._person_label(beneficiaries)
        # Only the troops of the campaign's county, not every troop in the database.
        self.fields["troop_unit"].queryset = troop_units_under(campaign.owner_unit)  # type: ignore[attr-defined]
        window = f"{campaign.visit_start:%Y-%m-%d} 至 {campaign.visit_end:%Y-%m-%d}"
        self.fields["visit_date"].help_text = f"活动期间：{window}"
        # The date picker offers only the campaign's window (the service refuses other dates too).
        self.fields["visit_date"].widget = forms.DateInput(
            attrs={
                "type": "date",
                "class": "form-control",
                "min": campaign.visit_start.isoformat(),
                "max": campaign.visit_end.isoformat(),
            },
            format="%Y-%m-%d",
        )
        today = timezone.localdate()
        if "visit_date" not in self.initial and campaign.in_window(today):
            self.initial["visit_date"] = today  # most records are entered on the day of the visit

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name, message in visit_numbers_errors(data, self.campaign).items():
            if name not in self.errors:
                self.add_error(name, message)
        return data

    def record_fields(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}

    def _person_label(self, beneficiaries: QuerySet[Beneficiary]) -> str:
        """The chosen person's name and masked number for the search box (one query at most)."""
        value = self.data.get("beneficiary") if self.is_bound else self.initial.get("beneficiary")
        if isinstance(value, Beneficiary):
            return person_label(value)
        if value and str(value).isdigit():
            person = beneficiaries.filter(pk=value).first()
            return person_label(person) if person else ""
        return ""


class DifficultySolvedForm(BootstrapFormMixin, forms.Form):
    kind = forms.ChoiceField(
        label="困难类型", choices=[("", "请选择困难类型"), *DifficultyKind.choices], required=False
    )
    count = forms.IntegerField(
        label="解决件数",
        min_value=1,
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "placeholder": "件数", "aria-label": "解决件数"}),
    )
    note = forms.CharField(
        label="说明",
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "说明（可选）", "aria-label": "说明"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") and not data.get("count"):
            self.add_error("count", "请填写解决件数。")
        if data.get("count") and not data.get("kind"):
            self.add_error("kind", "请选择困难类型。")
        return data


#: One empty line to start with; "再加一行" (static/js/formset.js) adds more, up to 20, and without
#: JavaScript each save offers a new empty line.
DIFFICULTY_LINES_MAX = 20
DifficultySolvedFormSet = forms.formset_factory(
    DifficultySolvedForm, extra=1, max_num=DIFFICULTY_LINES_MAX, validate_max=True
)


def difficulties_from(formset: forms.BaseFormSet) -> list[DifficultySolved]:
    return [
        DifficultySolved(
            kind=f.cleaned_data["kind"], count=f.cleaned_data["count"], note=f.cleaned_data.get("note", "")
        )
        for f in formset.forms
        if f.cleaned_data.get("kind")
    ]


# --- returns ------------------------------------------------------------------------------


class ReturnSubmitForm(BootstrapFormMixin, VersionedForm):
    """Submitting takes two steps: this form shows what will be sent (``confirmed`` empty), then the
    unit confirms it (``confirmed=1``)."""

    no_visits = forms.BooleanField(label="本期无走访（本单位本期没有开展走访慰问）", required=False)
    summary = forms.CharField(
        max_length=LONG_TEXT,
        label="书面小结",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text="简要写明走访慰问开展情况（本期无走访时可不填）。",
    )
    confirmed = forms.BooleanField(widget=forms.HiddenInput, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("no_visits") and not (data.get("summary") or "").strip():
            self.add_error("summary", "请填写书面小结（走访慰问开展情况）。")
        return data


class ReviewForm(VersionedForm):
    """The office's accept / send back / reopen; the service requires the reason where one is needed."""

    reason = forms.CharField(max_length=NOTE, label="原因", required=False)


# --- import -------------------------------------------------------------------------------


class ImportUploadForm(BootstrapFormMixin, forms.Form):
    file = forms.FileField(label="Excel 文件（.xlsx 或 .csv）")
    campaign = forms.ModelChoiceField(label="导入到活动", queryset=Campaign.objects.none(), required=False)

    def __init__(self, *args: Any, campaigns: QuerySet[Campaign] | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if campaigns is None:
            del self.fields["campaign"]
        else:
            self.fields["campaign"].queryset = campaigns  # type: ignore[attr-defined]
            self.fields["campaign"].required = True


# --- levels: an office unit's table to the level above ------------------------------------------


class UpwardReturnForm(BootstrapFormMixin, VersionedForm):
    """The office's own 带队领导 (per row of the table) and 书面小结; the figures are computed,
    never typed. Two steps like a unit's return: shown, then confirmed (``confirmed=1``)."""

    summary = forms.CharField(
        max_length=LONG_TEXT,
        label="书面小结",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="简要写明本级走访慰问开展情况。",
    )
    confirmed = forms.BooleanField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key, label in TableRow.choices:
            self.fields[f"leaders_{key}"] = forms.CharField(
                max_length=100,
                required=False,
                label=f"本级带队领导：{label}",
                help_text="多位领导用顿号分隔；下级单位的带队领导已计入人次，无需填写。",
            )
            self.fields[f"leaders_{key}"].widget.attrs["class"] = "form-control"

    def leaders(self) -> dict[str, str]:
        return {key: self.cleaned_data.get(f"leaders_{key}", "") for key in TableRow.values}


# --- transfers (迁出 → 迁入) ------------------------------------------------------------------


class TransferRequestForm(BootstrapFormMixin, forms.Form):
    to_county = forms.ModelChoiceField(
        label="迁入区县", queryset=OrgUnit.objects.none(), empty_label="请选择", help_text="只显示区县名称"
    )
    reason = forms.CharField(
        label="迁出原因", required=False, max_length=NOTE, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, destinations: QuerySet[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_county"].queryset = destinations  # type: ignore[attr-defined]


class TransferAcceptForm(BootstrapFormMixin, VersionedForm):
    to_unit = forms.ModelChoiceField(
        label="迁入乡镇（街道）或村（社区）", queryset=OrgUnit.objects.none(), empty_label="请选择"
    )

    def __init__(self, *args: Any, units: QuerySet[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_unit"].queryset = units  # type: ignore[attr-defined]


class TransferRefuseForm(BootstrapFormMixin, VersionedForm):
    refusal_reason = forms.CharField(label="拒绝理由", max_length=NOTE, widget=forms.Textarea(attrs={"rows": 2}))


class TransferWithdrawForm(BootstrapFormMixin, VersionedForm):
    pass
