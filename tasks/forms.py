from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from shuangyong.concurrency import VersionedForm
from shuangyong.fields import LONG_TEXT, NOTE, TEXT
from shuangyong.forms import BootstrapFormMixin, BoundedDateField
from shuangyong.models import OrgUnit, OrgUnitKind, User
from shuangyong.selectors import units_run_for
from shuangyong.uploads import EVIDENCE_EXTENSIONS, validate_upload
from tasks.models import (
    DualListCategory,
    DualListDirection,
    DualListState,
    Milestone,
    ProposingSide,
    TaskStatus,
    WorkPlan,
    today_shanghai,
)
from tasks.notice_upload import (
    NOTICE_MAX_BYTES,
    NOTICE_MAX_CHARS,
    NOTICE_MAX_ITEMS,
    NOTICE_MAX_SECTIONS,
    notice_budget,
    outline_within_limits,
    read_notice_file,
)
from tasks.validators import YEAR_MAX, YEAR_MIN

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def task_units_for(user: User) -> list[OrgUnit]:
    """Units a task (or a 双清单 item) can be given to, evaluated once per page (choices of every
    row of a formset): the user's own office unit and the units it runs, at any level
    (``shuangyong.selectors.units_run_by``: a city's member units and counties, a county's
    townships and member units, a street office's villages)."""
    return [u for u in units_run_for(user) if u.is_active]


def _unit_lookup(units: dict[str, OrgUnit]) -> Any:
    def coerce(value: Any) -> OrgUnit:
        if isinstance(value, OrgUnit):
            return value
        try:
            return units[str(value)]
        except KeyError:
            raise ValueError(value) from None

    return coerce


class UnitChoiceField(forms.TypedChoiceField):
    """A unit picked from a list evaluated once, so that a formset of many rows costs one query."""

    def __init__(self, units: Sequence[OrgUnit], *, empty_label: str = "请选择单位", **kwargs: Any) -> None:
        self.units = {str(u.pk): u for u in units}
        super().__init__(
            choices=[("", empty_label)] + [(str(u.pk), u.name) for u in units],
            coerce=_unit_lookup(self.units),
            empty_value=None,
            **kwargs,
        )


class GroupedUnitsWidget(forms.CheckboxSelectMultiple):
    """Checkboxes grouped by kind of unit (乡镇、街道 · 成员单位 · 驻地部队) with a search box."""

    template_name = "tasks/widgets/grouped_units.html"


def _grouped_by_kind(units: Sequence[OrgUnit]) -> list[tuple[str, list[tuple[str, str]]]]:
    order = [kind for kind, _ in OrgUnitKind.choices]
    groups: dict[str, list[tuple[str, str]]] = {}
    for unit in sorted(units, key=lambda u: order.index(u.kind) if u.kind in order else len(order)):
        groups.setdefault(OrgUnitKind(unit.kind).label, []).append((str(unit.pk), unit.name))
    return list(groups.items())


class UnitsChoiceField(forms.TypedMultipleChoiceField):
    def __init__(self, units: Sequence[OrgUnit], **kwargs: Any) -> None:
        self.units = {str(u.pk): u for u in units}
        widget = kwargs.get("widget")
        grouped = isinstance(widget, GroupedUnitsWidget) or widget is GroupedUnitsWidget
        flat: list[Any] = [(str(u.pk), u.name) for u in units]
        choices: list[Any] = list(_grouped_by_kind(units)) if grouped else flat
        super().__init__(choices=choices, coerce=self.units.__getitem__, **kwargs)

    def prepare_value(self, value: Any) -> Any:
        if value and not isinstance(value, str | int):
            return [str(getattr(v, "pk", v)) for v in value]
        return value


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class EvidenceField(forms.FileField):
    """Several evidence files; each one is checked by extension, size and content."""

    widget = MultipleFileInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", "佐证材料")
        kwargs.setdefault("help_text", "照片、PDF、Word、Excel，单个文件不超过 10 MB，可多选。")
        super().__init__(**kwargs)
        self.widget.attrs["accept"] = ",".join(f".{e}" for e in EVIDENCE_EXTENSIONS)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        if self.required and not files:
            raise ValidationError("请上传佐证材料。")
        errors = []
        for f in files:
            try:
                validate_upload(f)
            except ValidationError as e:
                errors.extend(e.messages)
        if errors:
            raise ValidationError(errors)
        return list(files)


# ------------------------------------------------------------------------------------------
# Notice import


class NoticeSourceForm(BootstrapFormMixin, forms.Form):
    """The notice, pasted or uploaded, read and parsed within the limits of tasks/notice_upload.py;
    ``cleaned_data["outline"]`` is the parsed notice."""

    text = forms.CharField(
        label="粘贴通知全文",
        widget=forms.Textarea(attrs={"rows": 14}),
        required=False,
        max_length=NOTICE_MAX_CHARS,
    )
    file = forms.FileField(label="或上传文件", required=False, help_text="支持 .docx 和 .txt，不超过 5 MB。")

    def clean_file(self) -> Any:
        upload = self.cleaned_data.get("file")
        if upload:
            validate_upload(upload, allowed=("docx", "txt"), max_bytes=NOTICE_MAX_BYTES)
        return upload

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if self.errors:
            return data
        budget = notice_budget()
        upload = data.get("file")
        if upload:
            try:
                data["text"] = read_notice_file(upload, budget=budget)
            except ValidationError as e:
                self.add_error("file", e)
                return data
        if not (data.get("text") or "").strip():
            raise ValidationError("请粘贴通知全文或上传 .docx/.txt 文件。")
        try:
            data["outline"] = outline_within_limits(data["text"], budget=budget)
        except ValidationError as e:
            self.add_error("file" if upload else "text", e)
        return data


class PlanHeaderForm(BootstrapFormMixin, forms.ModelForm):
    original_text = forms.CharField(widget=forms.HiddenInput, required=False, max_length=NOTICE_MAX_CHARS)
    allow_duplicate = forms.BooleanField(
        label="这不是重复：仍然导入为新的工作要点", required=False, widget=forms.HiddenInput
    )

    class Meta:
        model = WorkPlan
        fields = ["year", "title", "doc_number", "issuing_unit", "issue_date", "recipients", "default_deadline"]
        widgets = {
            "issue_date": DATE_WIDGET,
            "default_deadline": DATE_WIDGET,
            "recipients": forms.Textarea(attrs={"rows": 2}),
        }
        field_classes = {"issue_date": BoundedDateField, "default_deadline": BoundedDateField}
        help_texts = {"default_deadline": "未单独设定时限的任务都使用这个时限。"}


class SectionDraftForm(BootstrapFormMixin, forms.Form):
    number = forms.CharField(label="序号", max_length=10, required=False)
    heading = forms.CharField(label="标题", max_length=300, required=False)
    intro = forms.CharField(max_length=LONG_TEXT, label="说明", widget=forms.HiddenInput, required=False)
    is_task_section = forms.BooleanField(label="包含任务", required=False)


class TaskDraftForm(BootstrapFormMixin, forms.Form):
    section_index = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    number = forms.CharField(label="序号", max_length=10, required=False)
    title = forms.CharField(label="任务（简称）", max_length=200)
    text = forms.CharField(max_length=LONG_TEXT, label="全文", widget=forms.Textarea(attrs={"rows": 3}), required=False)
    deadline = BoundedDateField(label="完成时限", widget=DATE_WIDGET, required=False)

    def __init__(self, *args: Any, units: Sequence[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead_unit"] = UnitChoiceField(units, label="牵头单位", required=False)
        self.fields["cooperating_units"] = UnitsChoiceField(
            units, label="配合单位", required=False, widget=GroupedUnitsWidget(attrs={"label": "配合单位"})
        )
        self.fields["lead_unit"].widget.attrs["class"] = "form-select form-select-sm"

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        lead = data.get("lead_unit")
        if lead and lead in (data.get("cooperating_units") or []):
            self.add_error("cooperating_units", "牵头单位不必再选为配合单位。")
        return data


# The preview's rows, bounded like the parsed notice (a posted form count above it is refused).
SectionDraftFormSet = forms.formset_factory(
    SectionDraftForm, extra=0, max_num=NOTICE_MAX_SECTIONS, absolute_max=NOTICE_MAX_SECTIONS, validate_max=True
)
TaskDraftFormSet = forms.formset_factory(
    TaskDraftForm, extra=0, max_num=NOTICE_MAX_ITEMS, absolute_max=NOTICE_MAX_ITEMS, validate_max=True
)


# ------------------------------------------------------------------------------------------
# Tasks


class TaskEditForm(BootstrapFormMixin, VersionedForm):
    title = forms.CharField(label="任务", max_length=200)
    text = forms.CharField(max_length=LONG_TEXT, label="内容", widget=forms.Textarea(attrs={"rows": 5}), required=False)
    deadline = BoundedDateField(label="完成时限", widget=DATE_WIDGET, required=False)
    #: Shown only once a deadline before today has been warned about.
    past_deadline_ok = forms.BooleanField(label="时限确实早于今天（补录已过期的任务）", required=False)

    def __init__(self, *args: Any, units: Sequence[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead_unit"] = UnitChoiceField(units, label="牵头单位", required=False)
        self.fields["cooperating_units"] = UnitsChoiceField(
            units,
            label="配合单位",
            required=False,
            widget=GroupedUnitsWidget(attrs={"label": "配合单位", "open": True}),
        )
        self.fields["lead_unit"].widget.attrs["class"] = "form-select"
        self.fields["cooperating_units"].widget.attrs["class"] = ""
        self.order_fields(["title", "text", "lead_unit", "cooperating_units", "deadline", "past_deadline_ok"])
        if not (self.is_bound and self.data.get("past_deadline_ok") in ("on", "True", "true", "1")):
            self.fields["past_deadline_ok"].widget = forms.HiddenInput()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        deadline = data.get("deadline")
        today = today_shanghai()
        unchanged = deadline == self.initial.get("deadline")
        if deadline and deadline < today and not unchanged and not data.get("past_deadline_ok"):
            self.add_error(
                "deadline",
                f"完成时限 {deadline:%Y-%m-%d} 早于今天（{today:%Y-%m-%d}），任务一保存就是逾期。"
                "请核对；确实如此请勾选“时限确实早于今天”后再保存。",
            )
            self.fields["past_deadline_ok"].widget = forms.CheckboxInput(attrs={"class": "form-check-input"})
        lead = data.get("lead_unit")
        if lead and lead in (data.get("cooperating_units") or []):
            self.add_error("cooperating_units", "牵头单位不必再选为配合单位。")
        return data

    @property
    def task_fields(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "past_deadline_ok"}


class ProgressForm(BootstrapFormMixin, forms.Form):
    report_date = BoundedDateField(label="进展日期", widget=DATE_WIDGET)
    text = forms.CharField(max_length=TEXT, label="进展情况", widget=forms.Textarea(attrs={"rows": 4}))
    attachments = EvidenceField()


class ClosureRequestForm(BootstrapFormMixin, forms.Form):
    note = forms.CharField(max_length=TEXT, label="完成情况", widget=forms.Textarea(attrs={"rows": 3}))


class CompleteOnBehalfForm(BootstrapFormMixin, forms.Form):
    """代为办结: what the lead unit (without an account) did, and optional evidence."""

    note = forms.CharField(
        max_length=NOTE,
        label="完成情况",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="写明牵头单位完成了什么、如何核实。",
    )
    attachments = EvidenceField()


class DecisionForm(BootstrapFormMixin, forms.Form):
    decision = forms.ChoiceField(label="审核", choices=[("accept", "同意"), ("return", "退回")])
    reason = forms.CharField(
        max_length=NOTE, label="意见/理由", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("decision") == "return" and not (data.get("reason") or "").strip():
            self.add_error("reason", "退回或不同意时请写明理由。")
        return data


class ExtensionRequestForm(BootstrapFormMixin, forms.Form):
    requested_deadline = BoundedDateField(label="申请延期至", widget=DATE_WIDGET)
    reason = forms.CharField(max_length=NOTE, label="延期理由", widget=forms.Textarea(attrs={"rows": 2}))


class MilestoneForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = Milestone
        fields = ["title", "deadline"]
        field_classes = {"deadline": BoundedDateField}
        widgets = {"deadline": DATE_WIDGET}


class TaskBoardFilterForm(BootstrapFormMixin, forms.Form):
    plan = forms.ModelChoiceField(
        label="工作要点", queryset=WorkPlan.objects.none(), required=False, empty_label="全部"
    )
    status = forms.ChoiceField(label="状态", choices=[("", "全部"), *TaskStatus.choices], required=False)
    section = forms.ChoiceField(
        label="部分", choices=[("", "全部")] + [(n, f"{n}、") for n in "一二三四五六七八九十"], required=False
    )

    def __init__(self, *args: Any, plans: Any, units: Sequence[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = plans  # type: ignore[attr-defined]
        self.fields["unit"] = UnitChoiceField(units, label="单位", required=False, empty_label="全部")
        self.fields["unit"].widget.attrs["class"] = "form-select"


# ------------------------------------------------------------------------------------------
# 双清单


class DualListItemForm(BootstrapFormMixin, forms.Form):
    year = forms.IntegerField(label="年度", min_value=YEAR_MIN, max_value=YEAR_MAX)
    direction = forms.ChoiceField(label="清单", choices=DualListDirection.choices)
    category = forms.ModelChoiceField(
        label="类别",
        queryset=DualListCategory.objects.none(),
        required=False,
        help_text="默认类别和本双拥办自定的类别。",
    )
    content = forms.CharField(max_length=TEXT, label="事项内容", widget=forms.Textarea(attrs={"rows": 3}))
    deadline = BoundedDateField(label="时限", widget=DATE_WIDGET, required=False)
    quality_requirement = forms.CharField(
        max_length=NOTE, label="工作质量要求", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args: Any, user: User, units: Sequence[OrgUnit], categories: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = categories  # type: ignore[attr-defined]
        troops = [u for u in units if u.kind == OrgUnitKind.TROOP]
        self.fields["troop_unit"] = UnitChoiceField(troops, label="对口部队")
        self.fields["troop_unit"].widget.attrs["class"] = "form-select"
        if user.is_office:
            # The office records what was agreed at the joint meeting, whichever side proposed it.
            self.fields["proposing_side"] = forms.ChoiceField(label="提出方", choices=ProposingSide.choices)
            self.fields["proposing_side"].widget.attrs["class"] = "form-select"
            self.fields["responsible_unit"] = UnitChoiceField(
                units, label="责任单位", required=False, help_text="选定后事项即为“已交办”。"
            )
            self.fields["responsible_unit"].widget.attrs["class"] = "form-select"


class AssignForm(BootstrapFormMixin, VersionedForm):
    deadline = BoundedDateField(label="时限", widget=DATE_WIDGET, required=False)

    def __init__(self, *args: Any, units: Sequence[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["responsible_unit"] = UnitChoiceField(units, label="责任单位")
        self.fields["responsible_unit"].widget.attrs["class"] = "form-select"


class RequestCloseForm(BootstrapFormMixin, forms.Form):
    note = forms.CharField(max_length=TEXT, label="办结情况", widget=forms.Textarea(attrs={"rows": 3}))
    attachments = EvidenceField()


class SendBackForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(max_length=NOTE, label="退回理由", widget=forms.Textarea(attrs={"rows": 2}))


class DualListCategoryForm(BootstrapFormMixin, VersionedForm, forms.ModelForm):
    class Meta:
        model = DualListCategory
        fields = ["name", "sort_order", "is_active"]


class EmptyForm(forms.Form):
    pass


class DualListFilterForm(BootstrapFormMixin, forms.Form):
    year = forms.IntegerField(label="年度", required=False)
    direction = forms.ChoiceField(label="清单", choices=[("", "全部"), *DualListDirection.choices], required=False)
    state = forms.ChoiceField(label="状态", choices=[("", "全部"), *DualListState.choices], required=False)
    overdue = forms.BooleanField(label="只看逾期", required=False)


class ExcelUploadForm(BootstrapFormMixin, forms.Form):
    """The file of an import; shuangyong.tables reads and checks it (type, size, zip bomb …)."""

    file = forms.FileField(label="Excel 文件（.xlsx 或 .csv）")


# ------------------------------------------------------------------------------------------
# 任务分解


class BreakdownPlanForm(BootstrapFormMixin, forms.Form):
    """Which of the office's own plans receives the linked tasks (or a new one)."""

    new_plan_title = forms.CharField(
        label="或新建工作要点",
        max_length=200,
        required=False,
        help_text="本单位还没有合适的工作要点时，填写标题即新建一份（年度同上级任务）。",
    )

    def __init__(self, *args: Any, plans: Any, year: int, **kwargs: Any) -> None:
        """``plans``: the office's own plans; only those of ``year`` (the parent task's) are offered:
        a linked task counts in the year of the task it breaks down."""
        super().__init__(*args, **kwargs)
        self.fields["plan"] = forms.ModelChoiceField(
            label=f"本单位{year}年度的工作要点",
            queryset=plans.filter(year=year),
            required=False,
            empty_label="（新建）",
            error_messages={
                "invalid_choice": f"只能选择本单位{year}年度的工作要点（与上级任务同一年度），或新建一份。"
            },
        )
        self.fields[
            "new_plan_title"
        ].help_text = f"本单位还没有{year}年度的工作要点时，填写标题即新建一份（{year}年度）。"
        self.order_fields(["plan", "new_plan_title"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("plan") and not (data.get("new_plan_title") or "").strip():
            self.add_error("new_plan_title", "请选择本单位的工作要点，或填写新工作要点的标题。")
        return data


class BreakdownTaskForm(BootstrapFormMixin, forms.Form):
    title = forms.CharField(label="任务", max_length=200)
    text = forms.CharField(max_length=LONG_TEXT, label="内容", widget=forms.Textarea(attrs={"rows": 2}), required=False)
    deadline = BoundedDateField(label="完成时限", widget=DATE_WIDGET, required=False, help_text="不填则同上级任务")

    def __init__(self, *args: Any, units: Sequence[OrgUnit], latest: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.latest = latest  # the parent task's deadline
        self.fields["lead_unit"] = UnitChoiceField(units, label="牵头单位", required=False)
        self.fields["cooperating_units"] = UnitsChoiceField(
            units, label="配合单位", required=False, widget=GroupedUnitsWidget(attrs={"label": "配合单位"})
        )
        self.fields["lead_unit"].widget.attrs["class"] = "form-select"
        self.fields["cooperating_units"].widget.attrs["class"] = ""
        self.order_fields(["title", "text", "lead_unit", "cooperating_units", "deadline"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        deadline = data.get("deadline")
        if deadline and self.latest and deadline > self.latest:
            self.add_error("deadline", f"完成时限不能晚于上级任务的时限（{self.latest:%Y-%m-%d}）。")
        lead = data.get("lead_unit")
        if lead and lead in (data.get("cooperating_units") or []):
            self.add_error("cooperating_units", "牵头单位不必再选为配合单位。")
        return data


BREAKDOWN_MAX_TASKS = 20
BreakdownTaskFormSet = forms.formset_factory(
    BreakdownTaskForm,
    extra=3,
    min_num=1,
    validate_min=True,
    max_num=BREAKDOWN_MAX_TASKS,
    absolute_max=BREAKDOWN_MAX_TASKS,
    validate_max=True,
)
