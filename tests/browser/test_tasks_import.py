"""The office turns seed 000 into tasks through the pages; a township then reports progress."""

from __future__ import annotations

from pathlib import Path

import pytest

from tasks.models import ProgressReport, Task, TaskStatus

pytestmark = pytest.mark.django_db(transaction=True)

SEED_000 = (Path(__file__).parent.parent / "tasks" / "data" / "notice_000.txt").read_text(encoding="utf-8")
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_office_imports_assigns_and_township_reports(
    page, live_server, login, office_user, township_a, township_a_unit, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "uploads"
    login(page, office_user)
    page.get_by_role("button", name="任务", exact=True).click()  # the menu groups its links
    page.click("text=工作任务")
    page.click("text=导入工作要点")
    page.fill("#id_text", SEED_000)
    page.click("button:has-text('解析并预览')")
    page.wait_for_selector("[data-testid=item]")
    assert page.locator("[data-testid=section]").count() == 4
    assert page.locator("[data-testid=item]").count() == 12
    assert page.input_value("#id_items-3-title") == "全力服务部队练兵备战"
    assert page.input_value("#id_title") == "2022年丰都县双拥工作要点"
    page.select_option("#id_items-3-lead_unit", label="巴川街道")
    page.fill("#id_items-3-deadline", "2099-10-31")
    page.click("button:has-text('保存全部')")
    page.wait_for_selector("[data-testid=plan-title]")
    assert "共 12 项任务" in page.locator(".alert-success").inner_text()
    task = Task.objects.get(number="（四）")
    assert task.lead_unit == township_a_unit

    page.click("text=退出")
    page.wait_for_url(f"{live_server.url}/accounts/login/")
    login(page, township_a)
    page.get_by_role("button", name="任务", exact=True).click()
    page.get_by_role("link", name="我的任务").click()
    page.click("text=全力服务部队练兵备战")
    page.wait_for_selector("[data-testid=progress-form]")
    assert page.locator("[data-testid=lead-unit]").inner_text() == "巴川街道"
    page.fill("#id_text", "已对接驻地部队，梳理训练场建设需求3项。")
    evidence = tmp_path / "对接纪要.pdf"
    evidence.write_bytes(PDF_BYTES)
    page.set_input_files("#id_attachments", str(evidence))
    page.click("[data-testid=progress-form] button[type=submit]")
    page.wait_for_selector("[data-testid=progress-report]")
    assert "已对接驻地部队" in page.locator("[data-testid=progress-report]").inner_text()
    assert "对接纪要.pdf" in page.locator("[data-testid=progress-report]").inner_text()
    report = ProgressReport.objects.get()
    assert report.author == township_a and report.evidence.count() == 1
    task.refresh_from_db()
    assert task.status == TaskStatus.IN_PROGRESS
    assert page.locator("[data-testid=task-title] [data-status]").inner_text() == "推进中"
