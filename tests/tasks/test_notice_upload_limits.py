"""The notice upload answers every bad or oversized file in Chinese, at the field, within limits.

As the attack did it: a .docx with a malformed word/document.xml, a zip whose member declares a
false size (smaller: slips under the zip-bomb check; larger: ends early), a 125 KB .docx whose XML
inflates to tens of megabytes, pasted text longer than any notice, a notice with more items than
a preview can hold, and a parse that runs out of time. Nothing is saved, no 500.
"""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tasks import notice_upload
from tasks.models import WorkPlan

pytestmark = pytest.mark.django_db

SEED_000 = (Path(__file__).parent / "data" / "notice_000.txt").read_text(encoding="utf-8")
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def docx_with(document_xml: bytes) -> bytes:
    """A real .docx (python-docx's template) whose word/document.xml is replaced."""
    from docx import Document

    template = io.BytesIO()
    Document().save(template)
    out = io.BytesIO()
    with zipfile.ZipFile(template) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = document_xml if info.filename == "word/document.xml" else src.read(info)
            dst.writestr(info.filename, data)
    return out.getvalue()


def body_xml(paragraphs: list[str]) -> bytes:
    body = "".join(f"<w:p><w:r><w:t>{p}</w:t></w:r></w:p>" for p in paragraphs)
    head = f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{W_NS}">'
    return f"{head}<w:body>{body}</w:body></w:document>".encode()


def with_declared_size(archive: bytes, member: str, size: int) -> bytes:
    """The archive with ``member``'s uncompressed size changed in its local and central headers."""
    data = bytearray(archive)
    name = member.encode()
    local = data.find(b"PK\x03\x04" + b"")
    while local != -1:
        name_len = struct.unpack_from("<H", data, local + 26)[0]
        if data[local + 30 : local + 30 + name_len] == name:
            struct.pack_into("<I", data, local + 22, size)
            break
        local = data.find(b"PK\x03\x04", local + 4)
    central = data.find(b"PK\x01\x02")
    while central != -1:
        name_len = struct.unpack_from("<H", data, central + 28)[0]
        if data[central + 46 : central + 46 + name_len] == name:
            struct.pack_into("<I", data, central + 24, size)
            break
        central = data.find(b"PK\x01\x02", central + 4)
    return bytes(data)


def post_file(client, content: bytes, name="通知.docx"):
    return client.post(reverse("tasks:plan_import"), {"file": SimpleUploadedFile(name, content)})


def file_errors(response) -> list[str]:
    assert response.status_code == 200
    return response.context["form"].errors.get("file", [])


def test_a_well_formed_docx_still_imports(client_for, office_user):
    html = post_file(client_for(office_user), docx_with(body_xml(SEED_000.splitlines()))).content.decode()
    assert html.count('data-testid="item"') == 12


def test_malformed_document_xml(client_for, office_user):
    broken = docx_with(b'<?xml version="1.0"?><w:document xmlns:w="x"><w:body><w:p>')
    assert notice_upload.BROKEN_DOCX in file_errors(post_file(client_for(office_user), broken))
    assert not WorkPlan.objects.exists()


@pytest.mark.parametrize("declared", [100, 50_000_000])
def test_a_zip_member_with_a_false_size(client_for, office_user, declared):
    real = docx_with(body_xml(SEED_000.splitlines()))
    forged = with_declared_size(real, "word/document.xml", declared)
    errors = file_errors(post_file(client_for(office_user), forged))
    assert errors, "the forged archive was accepted"
    assert any(e == notice_upload.BROKEN_DOCX or "解压" in e or "超过" in e for e in errors), errors


def test_a_small_docx_inflating_to_megabytes_is_refused_unread(client_for, office_user, monkeypatch):
    # ~30 MB of XML in a file of about 100 KB: the shape of the attack's 125 KB notice. It is
    # refused by its declared size: never inflated, never parsed (what made the attack's upload
    # take 28.7 s and 480 MB). No wall-clock limit here: the bench measures time, tests behaviour.
    huge = docx_with(body_xml(["（一）全力服务部队练兵备战。" * 20] * 60_000))
    assert len(huge) < 400_000
    opened: list[str] = []
    real_open = zipfile.ZipFile.open

    def spy_open(self, name, *args, **kwargs):
        opened.append(getattr(name, "filename", name))
        return real_open(self, name, *args, **kwargs)

    def no_parse(*args, **kwargs):
        raise AssertionError("the oversized XML was parsed")

    monkeypatch.setattr(zipfile.ZipFile, "open", spy_open)
    monkeypatch.setattr(notice_upload.etree, "fromstring", no_parse)
    errors = file_errors(post_file(client_for(office_user), huge))
    assert errors and ("超过" in errors[0]), errors
    assert "word/document.xml" not in opened
    assert not WorkPlan.objects.exists()


def test_pasted_text_longer_than_any_notice(client_for, office_user):
    text = SEED_000 + "。" * notice_upload.NOTICE_MAX_CHARS
    response = client_for(office_user).post(reverse("tasks:plan_import"), {"text": text})
    assert response.status_code == 200
    assert response.context["form"].errors["text"]


def test_more_items_than_a_preview_holds(client_for, office_user):
    lines = ["一、工作任务"] + [f"{i % 99 + 1}. 第{i}项工作。内容。" for i in range(notice_upload.NOTICE_MAX_ITEMS + 1)]
    response = client_for(office_user).post(reverse("tasks:plan_import"), {"text": "\n".join(lines)})
    assert response.status_code == 200
    assert "超过一次导入的上限" in response.context["form"].errors["text"][0]
    assert 'data-testid="item"' not in response.content.decode()


def test_the_parse_has_a_time_limit(client_for, office_user, monkeypatch):
    monkeypatch.setattr(notice_upload, "NOTICE_PARSE_SECONDS", -1.0)
    response = post_file(client_for(office_user), docx_with(body_xml(SEED_000.splitlines())))
    assert notice_upload.TOO_SLOW in file_errors(response)


def test_the_save_step_refuses_more_rows_than_the_limit(client_for, office_user):
    data = {
        "sections-TOTAL_FORMS": "1",
        "sections-INITIAL_FORMS": "0",
        "items-TOTAL_FORMS": str(notice_upload.NOTICE_MAX_ITEMS + 50),
        "items-INITIAL_FORMS": "0",
        "year": "2027",
        "title": "2027年双拥工作要点",
    }
    response = client_for(office_user).post(reverse("tasks:plan_import_save"), data)
    assert response.status_code == 200
    assert not WorkPlan.objects.exists()
