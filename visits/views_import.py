"""Excel import: template → upload → preview (every bad cell explained) → confirm (all or nothing).

Between preview and confirm the uploaded file waits, encrypted, in the shared upload storage
(visits/staging.py) under a random name kept in the user's session, so any web machine can
serve the confirm; confirm re-reads and re-validates it, because the data may have changed in
between. Confirm and cancel delete it.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from shuangyong.access import require_role
from shuangyong.tables import MAX_FILE_BYTES, MAX_ROWS, UploadRefused, upload_bytes
from shuangyong.types import AuthedRequest
from visits import exports, staging
from visits.forms import ImportUploadForm
from visits.importing import (
    ImportResult,
    beneficiaries_import,
    read_import_table,
    validate_beneficiary_rows,
    validate_visit_rows,
    visit_records_import,
)
from visits.models import Campaign
from visits.policy import LEDGER_ROLES, RECORD_ROLES, may_see_ledger
from visits.selectors import campaigns_listed_for, get_campaign_for

KINDS = {"visits": ("走访记录", RECORD_ROLES), "ledger": ("联系工作台账", LEDGER_ROLES)}
SESSION_KEY = "visits_import"


def _kind(request: AuthedRequest, kind: str) -> str:
    if kind not in KINDS:
        raise Http404
    if kind == "ledger" and not may_see_ledger(request.user):
        raise Http404("联系工作台账仅本乡镇（街道）和双拥办可见。")
    require_role(request.user, *KINDS[kind][1], message=f"您的角色不能导入{KINDS[kind][0]}。")
    return kind


def _discard_pending(request: AuthedRequest) -> None:
    """Forget (and delete) the file of an earlier preview of this session, if any."""
    pending = request.session.pop(SESSION_KEY, None) or {}
    if pending.get("token"):
        staging.discard(pending["token"])


def import_template(request: AuthedRequest, kind: str) -> HttpResponse:
    _kind(request, kind)
    return exports.xlsx_response(exports.template_dataset(kind), f"{KINDS[kind][0]}导入模板.xlsx")


def _validate(request: AuthedRequest, kind: str, name: str, content: bytes, campaign: Campaign | None) -> ImportResult:
    table = read_import_table(kind=kind, name=name, content=content)
    if kind == "visits":
        assert campaign is not None
        return validate_visit_rows(user=request.user, campaign=campaign, table=table)
    return validate_beneficiary_rows(user=request.user, table=table)


def import_upload(request: AuthedRequest, kind: str) -> HttpResponse:
    _kind(request, kind)
    form = ImportUploadForm(
        request.POST or None,
        request.FILES or None,
        campaigns=campaigns_listed_for(request.user) if kind == "visits" else None,
        initial={"campaign": request.GET.get("campaign")},
    )
    context: dict[str, object] = {"form": form, "kind": kind, "label": KINDS[kind][0]}
    context.update(max_mb=MAX_FILE_BYTES // (1024 * 1024), max_rows=MAX_ROWS)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        campaign = form.cleaned_data.get("campaign")
        try:
            content = upload_bytes(upload)
            result = _validate(request, kind, upload.name, content, campaign)
        except UploadRefused as e:
            if e.whole_file:
                form.add_error("file", str(e))
                return render(request, "visits/import_upload.html", context)
            # Cells the reader refused (too long, NUL …) are listed like any other bad cell.
            result = ImportResult(kind=kind, total=0, errors=e.errors)
        _discard_pending(request)
        token = ""
        if result.ok:
            token = staging.stage(content)
            request.session[SESSION_KEY] = {
                "token": token,
                "kind": kind,
                "name": upload.name,
                "campaign": campaign.pk if campaign else None,
            }
        context.update(result=result, token=token, campaign=campaign, filename=upload.name)
        return render(request, "visits/import_preview.html", context)
    return render(request, "visits/import_upload.html", context)


@require_POST
def import_confirm(request: AuthedRequest, kind: str) -> HttpResponse:
    _kind(request, kind)
    pending = request.session.get(SESSION_KEY) or {}
    token = request.POST.get("token", "")
    content = staging.load(token) if token and pending.get("token") == token and pending.get("kind") == kind else None
    if content is None:
        messages.error(request, "导入已过期，请重新上传文件。")
        return redirect("visits:import_upload", kind=kind)
    campaign = get_campaign_for(request.user, pending["campaign"]) if kind == "visits" else None
    try:
        table = read_import_table(kind=kind, name=pending["name"], content=content)
        if kind == "visits":
            assert campaign is not None
            result = visit_records_import(user=request.user, campaign=campaign, table=table)
        else:
            result = beneficiaries_import(user=request.user, table=table)
    except (UploadRefused, ValidationError) as e:
        messages.error(request, e.messages[0])
        return redirect("visits:import_upload", kind=kind)
    finally:
        staging.discard(token)
        request.session.pop(SESSION_KEY, None)
    if not result.ok:
        context = {"kind": kind, "label": KINDS[kind][0], "result": result, "token": "", "campaign": campaign}
        messages.error(request, "数据在预览后发生了变化，本次没有导入任何记录，请核对后重新上传。")
        return render(request, "visits/import_preview.html", context)
    messages.success(request, f"已导入 {len(result.objects)} 条{KINDS[kind][0]}记录。")
    if kind == "visits":
        assert campaign is not None
        return redirect("visits:campaign_detail", pk=campaign.pk)
    return redirect("visits:beneficiary_list")


@require_POST
def import_cancel(request: AuthedRequest, kind: str) -> HttpResponse:
    """取消: the previewed file is deleted from the storage at once."""
    _kind(request, kind)
    _discard_pending(request)
    messages.info(request, "已取消导入，没有导入任何记录。")
    return redirect("visits:import_upload", kind=kind)
