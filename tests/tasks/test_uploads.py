"""shuangyong.uploads: extension whitelist, size limit and content sniffing."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from shuangyong.uploads import OLE, validate_upload
from tests.tasks.helpers import PDF_BYTES, PNG_BYTES, docx_bytes, exe_as_pdf, xlsx_bytes


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("a.pdf", PDF_BYTES),
        ("a.PNG", PNG_BYTES),
        ("照片.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 20),
        ("a.docx", docx_bytes()),
        ("a.xlsx", xlsx_bytes()),
        ("a.doc", OLE + b"\x00" * 20),
        ("a.xls", OLE + b"\x00" * 20),
    ],
)
def test_genuine_files_pass(name, content):
    validate_upload(SimpleUploadedFile(name, content))


def test_exe_renamed_pdf_is_refused():
    with pytest.raises(ValidationError, match="内容与扩展名不符") as exc:
        validate_upload(exe_as_pdf())
    assert exc.value.code == "content_mismatch"


def test_xlsx_renamed_docx_is_refused():
    with pytest.raises(ValidationError, match="不是有效的Word 文档"):
        validate_upload(SimpleUploadedFile("a.docx", xlsx_bytes()))


def test_plain_zip_named_xlsx_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("evil.exe", b"MZ")
    with pytest.raises(ValidationError):
        validate_upload(SimpleUploadedFile("a.xlsx", buffer.getvalue()))


def test_extension_not_on_the_list_is_refused():
    with pytest.raises(ValidationError, match=r"不支持的文件类型“\.exe”"):
        validate_upload(SimpleUploadedFile("a.exe", b"MZ"))


def test_file_over_the_limit_is_refused():
    big = SimpleUploadedFile("a.pdf", PDF_BYTES + b"0" * 2000)
    with pytest.raises(ValidationError, match="太大") as exc:
        validate_upload(big, max_bytes=1024)
    assert exc.value.code == "too_large"


def test_zip_bomb_disguised_as_xlsx_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * (2 * 1024 * 1024))
    upload = SimpleUploadedFile("a.xlsx", buffer.getvalue())
    assert upload.size < 100 * 1024  # tiny on the wire
    with pytest.raises(ValidationError, match="压缩炸弹") as exc:
        validate_upload(upload, allowed=("xlsx",), max_inflated_bytes=1024 * 1024)
    assert exc.value.code == "zip_bomb"
    validate_upload(upload, allowed=("xlsx",))  # under the default bound it is an ordinary file
