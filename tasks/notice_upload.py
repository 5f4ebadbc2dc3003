"""Reading an uploaded or pasted 工作要点 notice, within limits, with a Chinese answer for any bad file.

A real notice is a few pages: 5,000–15,000 characters, a dozen to a few dozen items (seeds/).
The limits below are far above that and far below what hurt the portal: a 125 KB .docx whose
``word/document.xml`` inflated to tens of megabytes took 28.7 s, built a 27 MB preview and grew a
worker by 480 MB. So:

- the file: at most NOTICE_MAX_BYTES; a .docx's ``word/document.xml`` at most NOTICE_MAX_XML_BYTES
  inflated (read with a cap: a zip member whose declared size is false is caught by zipfile's
  own CRC/length check and answered, never a 500);
- the XML is parsed by lxml without entities, network or huge-tree mode; a malformed one is answered;
- the text: at most NOTICE_MAX_CHARS characters, pasted or extracted;
- the work: reading and parsing together stop after NOTICE_PARSE_SECONDS;
- the preview: at most NOTICE_MAX_SECTIONS sections and NOTICE_MAX_ITEMS items (each item is a row
  of form fields with the unit lists: the preview's size grows with items × units).
"""

from __future__ import annotations

import io
import time
import zipfile
import zlib
from typing import Any

from django.core.exceptions import ValidationError
from lxml import etree

from shuangyong.fields import DOCUMENT
from tasks.notice_parser import NoticeOutline, parse_notice

NOTICE_MAX_BYTES = 5 * 1024 * 1024
NOTICE_MAX_XML_BYTES = 8 * 1024 * 1024
NOTICE_MAX_CHARS = DOCUMENT  # WorkPlan.original_text keeps the whole notice
NOTICE_MAX_SECTIONS = 60
NOTICE_MAX_ITEMS = 200
NOTICE_PARSE_SECONDS = 5.0

BROKEN_DOCX = "文件已损坏或不是有效的 Word 文档（.docx），请在 Word 中打开并另存为 .docx 后重新上传，或直接粘贴全文。"
TOO_LONG = f"通知全文超过 {NOTICE_MAX_CHARS:,} 字，不像一份工作要点通知：请只粘贴或上传通知本身。"
TOO_SLOW = "通知内容过于复杂，无法在限定时间内识别：请只粘贴通知正文。"

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


class _Budget:
    def __init__(self, seconds: float) -> None:
        self.until = time.monotonic() + seconds

    def check(self) -> None:
        if time.monotonic() > self.until:
            raise ValidationError(TOO_SLOW, code="too_slow")


def _paragraph_text(paragraph: Any) -> str:
    """What Word shows of a paragraph: its text runs, tabs and line breaks (like python-docx)."""
    parts: list[str] = []
    for node in paragraph.iter(f"{W}t", f"{W}tab", f"{W}br", f"{W}cr"):
        if node.tag == f"{W}t":
            parts.append(node.text or "")
        elif node.tag == f"{W}tab":
            parts.append("\t")
        else:
            parts.append("\n")
    return "".join(parts)


def docx_text(raw: bytes, *, budget: _Budget | None = None) -> str:
    """The body paragraphs of a .docx, one per line; ValidationError (Chinese) for any bad file."""
    budget = budget or _Budget(NOTICE_PARSE_SECONDS)
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            info = archive.getinfo("word/document.xml")
            if info.file_size > NOTICE_MAX_XML_BYTES:
                raise ValidationError(TOO_LONG, code="too_long")
            with archive.open(info) as member:
                xml = member.read(NOTICE_MAX_XML_BYTES + 1)
    except ValidationError:
        raise
    except (KeyError, zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError) as exc:
        raise ValidationError(BROKEN_DOCX, code="broken_docx") from exc
    if len(xml) > NOTICE_MAX_XML_BYTES:
        raise ValidationError(TOO_LONG, code="too_long")
    budget.check()
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False)
    try:
        root = etree.fromstring(xml, parser=parser)
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise ValidationError(BROKEN_DOCX, code="broken_docx") from exc
    body = root.find(f"{W}body")
    if body is None:
        raise ValidationError(BROKEN_DOCX, code="broken_docx")
    lines: list[str] = []
    length = 0
    for index, paragraph in enumerate(body.iterchildren(f"{W}p")):
        line = _paragraph_text(paragraph)
        length += len(line) + 1
        if length > NOTICE_MAX_CHARS:
            raise ValidationError(TOO_LONG, code="too_long")
        lines.append(line)
        if index % 200 == 0:
            budget.check()
    return "\n".join(lines)


def read_notice_file(upload: Any, *, budget: _Budget | None = None) -> str:
    raw = upload.read(NOTICE_MAX_BYTES + 1)
    if upload.name.lower().endswith(".docx"):
        return docx_text(raw, budget=budget)
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return str(raw.decode(encoding))
        except UnicodeDecodeError:
            continue
    raise ValidationError("无法识别文件的文字编码，请另存为 UTF-8 文本或 .docx。", code="encoding")


def outline_within_limits(text: str, *, budget: _Budget | None = None) -> NoticeOutline:
    """The parsed notice, or ValidationError when it is longer or bigger than any real notice."""
    budget = budget or _Budget(NOTICE_PARSE_SECONDS)
    if len(text) > NOTICE_MAX_CHARS:
        raise ValidationError(TOO_LONG, code="too_long")
    outline = parse_notice(text)
    budget.check()
    if len(outline.sections) > NOTICE_MAX_SECTIONS or len(outline.items) > NOTICE_MAX_ITEMS:
        raise ValidationError(
            f"识别出 {len(outline.sections)} 个部分、{len(outline.items)} 项任务，超过一次导入的上限"
            f"（{NOTICE_MAX_SECTIONS} 个部分、{NOTICE_MAX_ITEMS} 项）：请分次导入或只粘贴通知正文。",
            code="too_many_items",
        )
    return outline


def notice_budget() -> _Budget:
    return _Budget(NOTICE_PARSE_SECONDS)
