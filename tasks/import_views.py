"""Importing a notice: paste or upload → preview (fix, assign, mark non-task sections) → save.

The preview carries everything in its forms (the parsed text is not kept in the session), so
a failed save re-renders the same preview with the errors at the fields.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from shuangyong.access import require_role
from shuangyong.models import Role
from shuangyong.types import AuthedRequest
from tasks.forms import (
    NoticeSourceForm,
    PlanHeaderForm,
    SectionDraftFormSet,
    TaskDraftFormSet,
    task_units_for,
)
from tasks.notice_parser import NoticeOutline, parse_notice
from tasks.notice_upload import NOTICE_MAX_CHARS
from tasks.selectors import plans_of_the_same_notice
from tasks.services import SectionDraft, TaskDraft, work_plan_import

OFFICE_ONLY = "只有双拥办可以导入工作要点。"


def plan_import(request: AuthedRequest) -> HttpResponse:
    """Step 1: the notice's text. A valid POST answers with the preview (step 2)."""
    require_role(request.user, Role.OFFICE, Role.ADMIN, message=OFFICE_ONLY)
    form = NoticeSourceForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        outline = form.cleaned_data["outline"]
        return _render_preview(request, *_preview_forms(request, outline), outline=outline)
    return render(request, "tasks/plan_import.html", {"form": form})


def _preview_forms(request: AuthedRequest, outline: NoticeOutline) -> tuple[Any, Any, Any]:
    plan_form = PlanHeaderForm(
        initial={
            "year": outline.year,
            "title": outline.title,
            "doc_number": outline.doc_number,
            "issuing_unit": outline.issuing_unit,
            "issue_date": outline.issue_date,
            "recipients": outline.recipients,
            "original_text": outline.text,
        }
    )
    sections = SectionDraftFormSet(
        prefix="sections",
        initial=[
            {"number": s.number, "heading": s.heading, "intro": s.intro, "is_task_section": s.looks_like_tasks}
            for s in outline.sections
        ],
    )
    items = []
    for index, section in enumerate(outline.sections):
        for item in section.items:
            items.append({"section_index": index, "number": item.number, "title": item.title, "text": item.text})
        if not section.items and section.heading:
            # A section without numbered items (a short notice): the section itself can be the task.
            number = f"{section.number}、" if section.number else ""
            items.append({"section_index": index, "number": number, "title": section.heading, "text": section.intro})
    tasks = TaskDraftFormSet(prefix="items", initial=items, form_kwargs={"units": task_units_for(request.user)})
    return plan_form, sections, tasks


def _render_preview(
    request: AuthedRequest, plan_form: Any, sections: Any, tasks: Any, *, outline: NoticeOutline | None = None
) -> HttpResponse:
    section_rows = list(sections.forms)
    grouped: list[tuple[Any, list[Any]]] = [(f, []) for f in section_rows]
    orphans = []
    for form in tasks.forms:
        index = form["section_index"].value()
        try:
            grouped[int(index)][1].append(form)
        except (TypeError, ValueError, IndexError):
            orphans.append(form)
    header = plan_form.cleaned_data if plan_form.is_bound and hasattr(plan_form, "cleaned_data") else {}
    values = header or plan_form.initial
    duplicates = list(
        plans_of_the_same_notice(
            request.user,
            doc_number=values.get("doc_number") or "",
            title=values.get("title") or "",
            year=values.get("year"),
        )[:5]
    )
    if duplicates:
        plan_form.fields["allow_duplicate"].widget = forms.CheckboxInput(attrs={"class": "form-check-input"})
    return render(
        request,
        "tasks/plan_import_preview.html",
        {
            "duplicates": duplicates,
            "plan_form": plan_form,
            "sections": sections,
            "tasks": tasks,
            "grouped": grouped,
            "orphans": orphans,
            "outline": outline,
        },
    )


@require_POST
def plan_import_save(request: AuthedRequest) -> HttpResponse:
    """Step 3: save the whole preview, or nothing."""
    require_role(request.user, Role.OFFICE, Role.ADMIN, message=OFFICE_ONLY)
    plan_form = PlanHeaderForm(request.POST)
    sections = SectionDraftFormSet(request.POST, prefix="sections")
    tasks = TaskDraftFormSet(request.POST, prefix="items", form_kwargs={"units": task_units_for(request.user)})
    if plan_form.is_valid() and sections.is_valid() and tasks.is_valid():
        header = plan_form.cleaned_data
        try:
            plan = work_plan_import(
                user=request.user,
                year=header["year"],
                title=header["title"],
                doc_number=header["doc_number"],
                issuing_unit=header["issuing_unit"],
                issue_date=header["issue_date"],
                recipients=header["recipients"],
                original_text=header["original_text"],
                default_deadline=header["default_deadline"],
                allow_duplicate=header["allow_duplicate"],
                sections=[
                    SectionDraft(
                        number=d["number"], heading=d["heading"], intro=d["intro"], is_task_section=d["is_task_section"]
                    )
                    for d in sections.cleaned_data
                ],
                tasks=[
                    TaskDraft(
                        section_index=d["section_index"],
                        number=d["number"],
                        title=d["title"],
                        text=d["text"],
                        lead_unit=d["lead_unit"],
                        cooperating_units=list(d["cooperating_units"]),
                        deadline=d["deadline"],
                    )
                    for d in tasks.cleaned_data
                ],
            )
        except ValidationError as e:
            plan_form.add_error(None, e)
        else:
            count = plan.tasks.count()
            messages.success(request, f"已导入《{plan.title}》，共 {count} 项任务。")
            return redirect("tasks:plan_detail", pk=plan.pk)
    messages.error(request, "导入未保存，请修改标红的内容后重试。")
    # Re-parsing the original text (a pure function) shows the unplaced text again.
    outline = parse_notice(request.POST.get("original_text", "")[:NOTICE_MAX_CHARS])
    return _render_preview(request, plan_form, sections, tasks, outline=outline)
