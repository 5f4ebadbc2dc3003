"""The beneficiary ledger (联系工作台账): only the person's township and the office see it."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from shuangyong.forms import apply_service_errors
from shuangyong.types import AuthedRequest
from visits import exports
from visits.forms import (
    BeneficiaryForm,
    ContactLogForm,
    DifficultyForm,
    DifficultyUpdateForm,
    ExportForm,
    ledger_units_for,
)
from visits.history import beneficiary_history
from visits.models import Beneficiary, Difficulty, DifficultyState
from visits.policy import may_see_ledger
from visits.selectors import access_log_of, beneficiaries_for, get_beneficiary_for, ledger_search
from visits.services import (
    beneficiary_create,
    beneficiary_reveal_id_number,
    beneficiary_update,
    beneficiary_view_log,
    contact_log_create,
    difficulty_create,
    difficulty_update,
    identity_export_log,
    ledger_export_log,
)


def _ledger_user(request: AuthedRequest) -> None:
    if not may_see_ledger(request.user):
        # Personal data: only the person's township and the office; the page does not exist for others.
        raise Http404("联系工作台账仅本乡镇（街道）和双拥办可见。")


def _summary(form: ContactLogForm | DifficultyForm | DifficultyUpdateForm) -> str:
    return "；".join(f"{form.fields[f].label if f in form.fields else ''}：{e[0]}" for f, e in form.errors.items())


def beneficiary_list(request: AuthedRequest) -> HttpResponse:
    _ledger_user(request)
    qs = ledger_search(beneficiaries_for(request.user), request.GET.get("q", ""))
    unit_id = request.GET.get("unit")
    if unit_id and unit_id.isdigit():
        qs = qs.filter(org_unit__path__startswith=get_object_or_404(ledger_units_for(request.user), pk=unit_id).path)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "visits/beneficiary_list.html",
        {"page": page, "units": ledger_units_for(request.user), "q": request.GET.get("q", ""), "unit_id": unit_id},
    )


def beneficiary_create_view(request: AuthedRequest) -> HttpResponse:
    _ledger_user(request)
    form = BeneficiaryForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            person = beneficiary_create(user=request.user, **data)
        except ValidationError as e:
            apply_service_errors(form, e)
        else:
            messages.success(request, f"已登记 {person.name}。")
            return redirect("visits:beneficiary_detail", pk=person.pk)
    return render(request, "visits/beneficiary_form.html", {"form": form})


def beneficiary_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    person = get_beneficiary_for(request.user, pk)
    if request.method == "GET":  # the form shows the full record (phone, address, notes): a logged read
        beneficiary_view_log(user=request.user, beneficiary=person)
    form = BeneficiaryForm(request.POST or None, instance=person, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        fresh = Beneficiary.objects.get(pk=person.pk)
        try:
            beneficiary_update(user=request.user, beneficiary=fresh, version=form.cleaned_data["version"] or 0, **data)
        except ValidationError as e:
            apply_service_errors(form, e)
        else:
            messages.success(request, "已保存。")
            return redirect("visits:beneficiary_detail", pk=person.pk)
    return render(request, "visits/beneficiary_form.html", {"form": form, "person": person})


def beneficiary_detail(request: AuthedRequest, pk: int, full_id_number: str | None = None) -> HttpResponse:
    person = get_beneficiary_for(request.user, pk)
    if full_id_number is None:  # the reveal action logs its own, stronger entry
        beneficiary_view_log(user=request.user, beneficiary=person)
    context = {
        "person": person,
        "full_id_number": full_id_number,
        "contacts": person.contacts.all(),
        "difficulties": person.difficulties.all(),
        "history": beneficiary_history(person),
        "access_log": access_log_of(request.user, person),
        "contact_form": ContactLogForm(),
        "difficulty_form": DifficultyForm(),
        "difficulty_states": DifficultyState.choices,
    }
    return render(request, "visits/beneficiary_detail.html", context)


@require_POST
def beneficiary_reveal(request: AuthedRequest, pk: int) -> HttpResponse:
    """Shows the full identity number once, on this response only; the read is logged."""
    person = get_beneficiary_for(request.user, pk)
    full = beneficiary_reveal_id_number(user=request.user, beneficiary=person)
    response = beneficiary_detail(request, pk, full_id_number=full)
    response["Cache-Control"] = "no-store"
    return response


@require_POST
def contact_create(request: AuthedRequest, pk: int) -> HttpResponse:
    person = get_beneficiary_for(request.user, pk)
    form = ContactLogForm(request.POST)
    if form.is_valid():
        contact_log_create(user=request.user, beneficiary=person, **form.cleaned_data)
        messages.success(request, "已记录联系情况。")
    else:
        messages.error(request, "联系记录未保存：" + _summary(form))
    return redirect("visits:beneficiary_detail", pk=person.pk)


@require_POST
def difficulty_create_view(request: AuthedRequest, pk: int) -> HttpResponse:
    person = get_beneficiary_for(request.user, pk)
    form = DifficultyForm(request.POST)
    if form.is_valid():
        difficulty_create(user=request.user, beneficiary=person, **form.cleaned_data)
        messages.success(request, "已登记困难问题。")
    else:
        messages.error(request, "困难问题未保存：" + _summary(form))
    return redirect("visits:beneficiary_detail", pk=person.pk)


@require_POST
def difficulty_update_view(request: AuthedRequest, pk: int) -> HttpResponse:
    difficulty = get_object_or_404(
        Difficulty.objects.select_related("beneficiary__org_unit").filter(
            beneficiary__in=beneficiaries_for(request.user)
        ),
        pk=pk,
    )
    form = DifficultyUpdateForm(request.POST)
    if not form.is_valid():
        messages.error(request, "化解情况未保存：" + _summary(form))
        return redirect("visits:beneficiary_detail", pk=difficulty.beneficiary_id)
    try:
        difficulty_update(user=request.user, difficulty=difficulty, **form.cleaned_data)
    except ValidationError as e:
        for message in e.messages:
            messages.error(request, f"化解情况未保存：{message}")
    else:
        messages.success(request, "已更新化解情况。")
    return redirect("visits:beneficiary_detail", pk=difficulty.beneficiary_id)


def beneficiary_export(request: AuthedRequest) -> HttpResponse:
    """The ledger as .xlsx, identity numbers masked; the office may POST full=1 (logged)."""
    _ledger_user(request)
    people = list(beneficiaries_for(request.user).order_by("org_unit__path", "name"))
    form = ExportForm(request.POST or None)
    full = request.method == "POST" and form.is_valid() and form.cleaned_data["full"]
    if full:
        if not request.user.is_office:
            raise PermissionDenied("只有双拥办可以导出完整身份证号。")
        identity_export_log(user=request.user, beneficiaries=people)
    else:
        ledger_export_log(user=request.user, beneficiaries=people)  # masked, but phone/address/notes: logged
    return exports.xlsx_response(exports.ledger_dataset(people, full_id_numbers=bool(full)), "联系工作台账.xlsx")
