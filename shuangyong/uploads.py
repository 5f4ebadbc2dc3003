"""Validation of uploaded files: size limit, extension whitelist and content sniffing.

The extension alone proves nothing (an .exe renamed .pdf): the first bytes must match the
format the extension claims, and Office Open XML files must be zip archives holding the
member that makes them a Word or Excel document.
"""

from __future__ import annotations

import codecs
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
# A real Word or Excel file inflates to a few times its size; a zip bomb to thousands of times.
DEFAULT_MAX_INFLATED_BYTES = 100 * 1024 * 1024

PDF = b"%PDF-"
JPEG = b"\xff\xd8\xff"
PNG = b"\x89PNG\r\n\x1a\n"
ZIP = b"PK\x03\x04"
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

KIND_LABELS = {
    "pdf": "PDF",
    "jpg": "JPEG 图片",
    "jpeg": "JPEG 图片",
    "png": "PNG 图片",
    "docx": "Word 文档",
    "doc": "Word 文档",
    "xlsx": "Excel 表格",
    "xls": "Excel 表格",
    "txt": "文本文件",
    "csv": "CSV 文件",
}

EVIDENCE_EXTENSIONS = ("pdf", "jpg", "jpeg", "png", "docx", "doc", "xlsx", "xls")


def _read_head(file: IO[bytes], n: int = 16) -> bytes:
    file.seek(0)
    head = file.read(n)
    file.seek(0)
    return head


def _zip_has(file: IO[bytes], member: str) -> bool:
    file.seek(0)
    try:
        with zipfile.ZipFile(file) as archive:
            return member in archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    finally:
        file.seek(0)


def inflated_size(file: IO[bytes]) -> int:
    """The total size a zip archive declares for its members (zipfile never inflates beyond it)."""
    file.seek(0)
    try:
        with zipfile.ZipFile(file) as archive:
            return sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return 0
    finally:
        file.seek(0)


def _looks_like_text(file: IO[bytes], *, nul_allowed: bool = False) -> bool:
    """UTF-8 or GB18030 text. A CSV may hold a NUL in a cell: the table reader refuses it at its
    cell, which says more than refusing the file."""
    file.seek(0)
    sample = file.read(64 * 1024)
    file.seek(0)
    if b"\x00" in sample and not nul_allowed:
        return False
    for encoding in ("utf-8-sig", "gb18030"):
        # Incremental: a multi-byte character cut at the end of the sample is not an error.
        try:
            codecs.getincrementaldecoder(encoding)().decode(sample, final=False)
            return True
        except UnicodeDecodeError:
            continue
    return False


def content_matches(ext: str, file: IO[bytes]) -> bool:
    """True if the file's bytes are what its extension says."""
    head = _read_head(file)
    if ext == "pdf":
        return head.startswith(PDF)
    if ext in ("jpg", "jpeg"):
        return head.startswith(JPEG)
    if ext == "png":
        return head.startswith(PNG)
    if ext == "docx":
        return head.startswith(ZIP) and _zip_has(file, "word/document.xml")
    if ext == "xlsx":
        return head.startswith(ZIP) and _zip_has(file, "xl/workbook.xml")
    if ext in ("doc", "xls"):
        return head.startswith(OLE)
    if ext == "txt":
        return _looks_like_text(file)
    if ext == "csv":
        return _looks_like_text(file, nul_allowed=True)
    return False


def validate_upload(
    upload: Any,
    *,
    allowed: Iterable[str] = EVIDENCE_EXTENSIONS,
    max_bytes: int | None = None,
    max_inflated_bytes: int = DEFAULT_MAX_INFLATED_BYTES,
) -> None:
    """Raise ValidationError (Chinese message) unless the upload is an allowed, genuine file.

    The size limit is ``max_bytes``, else the setting UPLOAD_MAX_BYTES, else 10 MB.
    """
    allowed = tuple(allowed)
    if max_bytes is None:
        max_bytes = int(getattr(settings, "UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES))
    name = getattr(upload, "name", "") or ""
    ext = Path(name).suffix.lower().lstrip(".")
    if ext not in allowed:
        kinds = "、".join(dict.fromkeys(KIND_LABELS.get(a, a) for a in allowed))
        raise ValidationError(f"不支持的文件类型“.{ext or '无扩展名'}”，只能上传：{kinds}。", code="extension")
    size = getattr(upload, "size", None) or 0
    if size > max_bytes:
        raise ValidationError(
            f"文件“{name}”太大（{size / 1024 / 1024:.1f} MB），单个文件不能超过 {max_bytes // 1024 // 1024} MB。",
            code="too_large",
        )
    if size == 0:
        raise ValidationError(f"文件“{name}”是空的。", code="empty")
    if not content_matches(ext, upload):
        raise ValidationError(
            f"文件“{name}”的内容与扩展名不符，不是有效的{KIND_LABELS.get(ext, ext)}，已拒绝上传。",
            code="content_mismatch",
        )
    if ext in ("docx", "xlsx") and inflated_size(upload) > max_inflated_bytes:
        raise ValidationError(f"文件“{name}”解压后异常巨大，疑似压缩炸弹，已拒绝上传。", code="zip_bomb")
