"""Importing a notice through the pages: paste/upload → preview → save all or nothing."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tasks.models import Section, Task, WorkPlan

pytestmark = pytest.mark.django_db
SEED_000 = (Path(__file__).parent / "data" / "notice_000.txt").read_text(encoding="utf-8")


def _form_data(html: str) -> dict[str, object]:
    """The values a browser would post from the preview page (inputs, textareas, selects, checkboxes)."""
    data: dict[str, object] = {}
    for tag in re.findall(r"<input[^>]*>", html):
        name = re.search(r'name="([^"]+)"', tag)
        if not name or 'type="submit"' in tag:
            continue
        value = re.search(r'value="([^"]*)"', tag)
        if 'type="checkbox"' in tag:
            if "checked" in tag:
                data[name.group(1)] = "on"
            continue
        data[name.group(1)] = _unescape(value.group(1)) if value else ""
    for name, value in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', html, re.S):
        data[name] = _unescape(value.strip("\n"))
    for attrs, body in re.findall(r"<select([^>]*)>(.*?)</select>", html, re.S):
        name = re.search(r'name="([^"]+)"', attrs).group(1)
        selected = re.findall(r'<option value="([^"]*)"[^>]*selected', body)
        if "multiple" in attrs:
            data[name] = selected  # a multi-select with nothing chosen sends nothing
        else:
            data[name] = selected[0] if selected else ""
    return data


def _unescape(text: str) -> str:
    import html

    return html.unescape(text)


def test_only_the_office_may_import(client_for, township_a, leader):
    assert client_for(township_a).get(reverse("tasks:plan_import")).status_code == 403
    assert client_for(leader).post(reverse("tasks:plan_import"), {"text": SEED_000}).status_code == 403
    assert client_for(township_a).post(reverse("tasks:plan_import_save"), {}).status_code == 403


def test_paste_preview_assign_and_save(client_for, office_user, township_a_unit, member_unit):
    client = client_for(office_user)
    preview = client.post(reverse("tasks:plan_import"), {"text": SEED_000})
    assert preview.status_code == 200
    html = preview.content.decode()
    assert html.count('data-testid="item"') == 12 and html.count('data-testid="section"') == 4
    assert "全力服务部队练兵备战" in html
    data = _form_data(html)
    assert data["title"] == "2022年丰都县双拥工作要点" and data["issue_date"] == "2022-05-09"
    # The office fixes a title, assigns (四) to 巴川 with 教育委员会, sets a plan deadline,
    # and marks section 四 as not being tasks.
    data["items-3-title"] = "服务部队练兵备战"
    data["items-3-lead_unit"] = str(township_a_unit.pk)
    data["items-3-cooperating_units"] = [str(member_unit.pk)]
    data["items-3-deadline"] = "2022-10-31"
    data["default_deadline"] = "2022-12-31"
    data.pop("sections-3-is_task_section", None)
    response = client.post(reverse("tasks:plan_import_save"), data)
    assert response.status_code == 302
    plan = WorkPlan.objects.get()
    assert plan.year == 2022 and plan.original_text.startswith("丰都县双拥工作领导小组办公室")
    assert plan.tasks.count() == 9
    task = Task.objects.get(number="（四）")
    assert task.title == "服务部队练兵备战" and task.lead_unit == township_a_unit
    assert list(task.cooperating_units.all()) == [member_unit]
    assert str(task.deadline) == "2022-10-31"
    assert str(Task.objects.get(number="（一）").deadline) == "2022-12-31"  # from the plan
    section_four = Section.objects.get(plan=plan, number="四")
    assert not section_four.is_task_section and "深入推进双拥创建活动" in section_four.intro


def test_a_bad_row_saves_nothing_and_shows_the_error(client_for, office_user):
    client = client_for(office_user)
    data = _form_data(client.post(reverse("tasks:plan_import"), {"text": SEED_000}).content.decode())
    data["items-5-title"] = ""
    data["items-6-deadline"] = "不是日期"
    response = client.post(reverse("tasks:plan_import_save"), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "导入未保存" in html and "这个字段是必填项" in html and "输入一个有效的日期" in html
    assert not WorkPlan.objects.exists() and not Task.objects.exists()


def test_unit_outside_the_list_is_refused(client_for, office_user):
    client = client_for(office_user)
    data = _form_data(client.post(reverse("tasks:plan_import"), {"text": SEED_000}).content.decode())
    data["items-0-lead_unit"] = "999999"
    response = client.post(reverse("tasks:plan_import_save"), data)
    assert response.status_code == 200 and not WorkPlan.objects.exists()


def test_upload_docx(client_for, office_user):
    from docx import Document

    document = Document()
    for line in SEED_000.splitlines():
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    upload = SimpleUploadedFile("通知.docx", buffer.getvalue())
    html = client_for(office_user).post(reverse("tasks:plan_import"), {"file": upload}).content.decode()
    assert html.count('data-testid="item"') == 12


def test_upload_gbk_txt_and_refuse_fake_docx(client_for, office_user):
    client = client_for(office_user)
    txt = SimpleUploadedFile("通知.txt", SEED_000.encode("gb18030"))
    assert client.post(reverse("tasks:plan_import"), {"file": txt}).content.decode().count('data-testid="item"') == 12
    fake = SimpleUploadedFile("通知.docx", b"MZ\x90\x00" * 10)
    html = client.post(reverse("tasks:plan_import"), {"file": fake}).content.decode()
    assert "内容与扩展名不符" in html


def test_unplaced_text_is_shown_and_stays_shown_after_an_error(client_for, office_user):
    text = "一、任务\n（一）第一项。内容。\n附件：统计表"
    client = client_for(office_user)
    html = client.post(reverse("tasks:plan_import"), {"text": text}).content.decode()
    assert 'data-testid="unplaced"' in html and "附件：统计表" in html
    data = _form_data(html)
    data["items-0-title"] = ""
    html = client.post(reverse("tasks:plan_import_save"), data).content.decode()
    assert "导入未保存" in html and 'data-testid="unplaced"' in html and "附件：统计表" in html


def test_empty_input_is_refused(client_for, office_user):
    html = client_for(office_user).post(reverse("tasks:plan_import"), {"text": "  "}).content.decode()
    assert "请粘贴通知全文" in html


def test_notice_without_numbered_items_offers_its_sections_as_tasks(client_for, office_user):
    text = (Path(__file__).parent / "data" / "notice_002.txt").read_text(encoding="utf-8")
    client = client_for(office_user)
    html = client.post(reverse("tasks:plan_import"), {"text": text}).content.decode()
    assert html.count('data-testid="item"') == 4 and 'data-testid="unplaced"' in html
    data = _form_data(html)
    assert data["items-1-title"] == "聚焦服务部队备战打仗" and data["items-1-number"] == "二、"
    assert client.post(reverse("tasks:plan_import_save"), data).status_code == 302
    assert list(Task.objects.values_list("number", flat=True)) == ["一、", "二、", "三、", "四、"]
