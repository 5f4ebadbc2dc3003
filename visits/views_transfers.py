"""A person moving county (迁出 → 迁入): the origin starts and may withdraw, the destination
county's office accepts (choosing the township) or refuses. Personal data: the ledger's users only."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from shuangyong.access import unit_in_personal_scope, unit_in_scope
from shuangyong.forms import apply_service_errors
from shuangyong.history import history_entries
from shuangyong.types import AuthedRequest
from visits.forms import TransferAcceptForm, TransferRefuseForm, TransferRequestForm, TransferWithdrawForm
from visits.models import BeneficiaryTransfer, TransferState
from visits.policy import may_decide_transfer, may_withdraw_transfer
from visits.selectors import (
    get_beneficiary_for,
    get_transfer_for,
    may_see_ledger,
    transfer_destinations,
    transfer_target_units,
    transfers_for,
)
from visits.services import (
    transfer_accept,
    transfer_refuse,
    transfer_request,
    transfer_withdraw,
)

TRANSFER_FIELDS = ("state", "to_unit", "refusal_reason", "decided_by", "decided_at")
TRANSFERS_PER_PAGE = 30


def transfer_list(request: AuthedRequest) -> HttpResponse:
    if not may_see_ledger(request.user):
        raise Http404("人员迁移仅本乡镇（街道）和双拥办可见。")
    qs = transfers_for(request.user)
    # what waits for this office's decision (a destination county's office; empty for anyone else)
    incoming = qs.filter(to_county_id=request.user.org_unit_id, state=TransferState.PENDING)
    page = Paginator(qs, TRANSFERS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "visits/transfer_list.html",
        {"page": page, "incoming": list(incoming[:50])},
    )


def transfer_create(request: AuthedRequest, pk: int) -> HttpResponse:
    person = get_beneficiary_for(request.user, pk)
    form = TransferRequestForm(request.POST or None, destinations=transfer_destinations(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            transfer = transfer_request(user=request.user, beneficiary=person, **form.cleaned_data)
        except ValidationError as e:
            apply_service_errors(form, e)
        else:
            messages.success(request, f"已发起迁出，等待{transfer.to_county.name}确认迁入。")
            return redirect("visits:transfer_detail", pk=transfer.pk)
    return render(request, "visits/transfer_form.html", {"form": form, "person": person})


def _detail(request: AuthedRequest, transfer: BeneficiaryTransfer, **forms: object) -> HttpResponse:
    decides = may_decide_transfer(request.user, transfer) and transfer.is_pending
    withdraws = may_withdraw_transfer(request.user, transfer) and transfer.is_pending
    initial = {"version": transfer.version}
    # The destination township is the destination's business; the origin sees the county only.
    show_to_unit = unit_in_scope(request.user, transfer.to_unit)
    fields = TRANSFER_FIELDS if show_to_unit else tuple(f for f in TRANSFER_FIELDS if f != "to_unit")
    context = {
        "transfer": transfer,
        "accept_form": forms.get("accept_form")
        or (TransferAcceptForm(initial=initial, units=transfer_target_units(transfer)) if decides else None),
        "refuse_form": forms.get("refuse_form") or (TransferRefuseForm(initial=initial) if decides else None),
        "withdraw_form": forms.get("withdraw_form") or (TransferWithdrawForm(initial=initial) if withdraws else None),
        "show_to_unit": show_to_unit,
        # a link to the person's page where it is in the user's ledger (the origin before the
        # move, the destination after it)
        "person_in_ledger": may_see_ledger(request.user)
        and unit_in_personal_scope(request.user, transfer.beneficiary.org_unit),
        "history": history_entries(
            transfer.history.all(),  # type: ignore[attr-defined]
            BeneficiaryTransfer,
            fields,
            limit=20,
        ),
    }
    return render(request, "visits/transfer_detail.html", context)


def _require_decider(request: AuthedRequest, transfer: BeneficiaryTransfer) -> None:
    if not may_decide_transfer(request.user, transfer):
        raise PermissionDenied("只有迁入区县的双拥办可以确认或拒绝迁入。")


def transfer_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    return _detail(request, get_transfer_for(request.user, pk))


@require_POST
def transfer_accept_view(request: AuthedRequest, pk: int) -> HttpResponse:
    transfer = get_transfer_for(request.user, pk)
    _require_decider(request, transfer)
    form = TransferAcceptForm(request.POST, units=transfer_target_units(transfer))
    if form.is_valid():
        try:
            transfer_accept(
                user=request.user,
                transfer=transfer,
                to_unit=form.cleaned_data["to_unit"],
                version=form.cleaned_data["version"],
            )
        except ValidationError as e:
            apply_service_errors(form, e)
        else:
            messages.success(request, f"已确认迁入：{transfer.beneficiary.name} 已登记到{transfer.to_unit}。")
            return redirect("visits:beneficiary_detail", pk=transfer.beneficiary_id)
    return _detail(request, get_transfer_for(request.user, pk), accept_form=form)


@require_POST
def transfer_refuse_view(request: AuthedRequest, pk: int) -> HttpResponse:
    transfer = get_transfer_for(request.user, pk)
    _require_decider(request, transfer)
    form = TransferRefuseForm(request.POST)
    if form.is_valid():
        try:
            transfer_refuse(
                user=request.user,
                transfer=transfer,
                reason=form.cleaned_data["refusal_reason"],
                version=form.cleaned_data["version"],
            )
        except ValidationError as e:
            apply_service_errors(form, e)
        else:
            messages.success(request, "已拒绝迁入，已通知迁出单位。")
            return redirect("visits:transfer_detail", pk=transfer.pk)
    return _detail(request, get_transfer_for(request.user, pk), refuse_form=form)


@require_POST
def transfer_withdraw_view(request: AuthedRequest, pk: int) -> HttpResponse:
    transfer = get_transfer_for(request.user, pk)
    if not may_withdraw_transfer(request.user, transfer):
        raise PermissionDenied("只有迁出的乡镇（街道）和双拥办可以撤回迁移申请。")
    form = TransferWithdrawForm(request.POST)
    if form.is_valid():
        try:
            transfer_withdraw(user=request.user, transfer=transfer, version=form.cleaned_data["version"])
        except ValidationError as e:
            apply_service_errors(form, e)
        else:
            messages.success(request, "迁移申请已撤回。")
            return redirect("visits:transfer_detail", pk=transfer.pk)
    return _detail(request, get_transfer_for(request.user, pk), withdraw_form=form)
