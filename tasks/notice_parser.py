"""Parse the text of a 工作要点 notice into a structured outline (a pure function, no database).

What it recognises (domain.md §1):
- before the body: the issuing unit, the notice's own title (关于印发《…》的通知), the document
  number (吕拥办发〔2021〕4号), the date (2022年5月9日), the recipients (the line ending in ：),
  the plan's title (《…》 or the line with 工作要点);
- the body: sections ``一、…`` and items numbered either ``（一）…`` or ``1.`` / ``1、`` / ``1．``,
  the numbering running on across sections or restarting; an item's short title is the phrase
  up to its first 。 and its text is the whole item.

It copes with what copy-and-paste from Word or a PDF leaves behind: full-width and half-width
punctuation and digits, stray and ideographic spaces (U+3000), lone page numbers ("- 3 -"),
form feeds, and a line broken in the middle of an item (joined back). Nothing is dropped:
text before the body is kept as ``preamble``; text it cannot place (after the body: 附件, 抄送,
a signature) is reported in ``unplaced``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

CN_DIGITS = "零一二三四五六七八九十"
CN_NUM = r"[一二三四五六七八九十百]+"

SECTION_RE = re.compile(rf"^({CN_NUM})[、.，,]\s*(.*)$")
PAREN_ITEM_RE = re.compile(rf"^（({CN_NUM})）\s*(.*)$")
ARABIC_ITEM_RE = re.compile(r"^(\d{1,2})[.、](?!\d)\s*(.*)$")
DATE_RE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")
DOC_NUMBER_RE = re.compile(r"[\u4e00-\u9fff]{1,15}〔\d{4}〕\d{1,4}号")
PAGE_NUMBER_RE = re.compile(r"^[-－—–~～\s]*(?:\d{1,3}|第\d{1,3}页(?:共\d{1,3}页)?)[-－—–~～\s]*$")
TRAILER_RE = re.compile(r"^(附件|抄送|抄报|印发|主题词|联系人|联系电话|（此件|此件)")
UNFINISHED_END = "，、（《“‘—-：；"
TERMINAL_END = "。！？”’」』"
NOT_TASK_HEADINGS = re.compile(r"指导思想|总体要求|工作要求|基本原则|组织领导|保障措施|工作目标|有关要求")
ISSUER_END = re.compile(r"(办公室|领导小组|委员会|人民政府|办事处|局|委|部|办)$")

CJK = r"\u3000-\u303f\u4e00-\u9fff\uff00-\uffef"
_SPACE_BETWEEN = re.compile(rf"(?<=[{CJK}])[ \t]+|[ \t]+(?=[{CJK}])")
_FULLWIDTH_ALNUM = {c: c - 0xFEE0 for c in [*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B)]}


@dataclass
class ParsedItem:
    number: str  # as printed, normalised: "（四）" or "7."
    title: str
    text: str


@dataclass
class ParsedSection:
    number: str  # "一" ("" for items before any section)
    heading: str
    intro: str = ""
    items: list[ParsedItem] = field(default_factory=list)

    @property
    def looks_like_tasks(self) -> bool:
        return not NOT_TASK_HEADINGS.search(self.heading)


@dataclass
class NoticeOutline:
    text: str  # the normalised full text
    title: str = ""
    notice_title: str = ""
    doc_number: str = ""
    issue_date: dt.date | None = None
    issuing_unit: str = ""
    recipients: str = ""
    preamble: list[str] = field(default_factory=list)
    sections: list[ParsedSection] = field(default_factory=list)
    unplaced: list[str] = field(default_factory=list)

    @property
    def items(self) -> list[ParsedItem]:
        return [item for section in self.sections for item in section.items]

    @property
    def year(self) -> int | None:
        match = re.search(r"(\d{4})年", self.title)
        if match:
            return int(match.group(1))
        return self.issue_date.year if self.issue_date else None


def normalize_text(raw: str) -> str:
    """One canonical form: half-width digits, full-width Chinese punctuation, no stray spaces."""
    text = raw.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")
    text = re.sub(r"\[bookmark:[^\]]*\]", "", text)  # leftovers of a .docx → text conversion
    text = text.translate({0x3000: " ", 0xA0: " ", 0x200B: None, 0xFEFF: None, **_FULLWIDTH_ALNUM})
    lines = []
    for line in text.split("\n"):
        line = _SPACE_BETWEEN.sub("", line.strip())
        line = re.sub(r"[ \t]{2,}", " ", line)
        line = _normalize_punctuation(line)
        if PAGE_NUMBER_RE.match(line):
            continue
        lines.append(line)
    return "\n".join(lines).strip()


def _normalize_punctuation(line: str) -> str:
    line = line.replace("(", "（").replace(")", "）").replace("．", ".")
    # Brackets of a document number: 吕拥办发[2021]4号, （2021）, 【2021】 → 〔2021〕.
    line = re.sub(r"(?<=[\u4e00-\u9fff])[\[［【（〔](\d{4})[\]］】）〕](?=\d{1,4}号)", r"〔\1〕", line)
    cjk = r"[\u4e00-\u9fff（）《》“”]"
    for half, full in ((",", "，"), (";", "；"), (":", "："), ("?", "？"), ("!", "！")):
        line = re.sub(rf"(?<={cjk}){re.escape(half)}|{re.escape(half)}(?={cjk})", full, line)
    # A half-width full stop between Chinese characters (or at the end after one) is a 。.
    line = re.sub(r"(?<=[\u4e00-\u9fff”》）])\.(?=[\u4e00-\u9fff“《（]|$)", "。", line)
    # Numbering: "1 ." "1、" stay; "1．" became "1." above; "一 、" lost its space already.
    line = re.sub(r"^(\d{1,2})\s+\.", r"\1.", line)
    return line


def short_title(text: str) -> str:
    """The phrase up to the first 。 (or the first ；), without the full stop."""
    for stop in ("。", "；"):
        head, sep, _ = text.partition(stop)
        if sep and head:
            return head[:200]
    return text[:60]


def _join(existing: str, line: str) -> str:
    """Append a line: glued back when the previous line stopped mid-sentence, else a new paragraph."""
    if not existing:
        return line
    if existing[-1] in TERMINAL_END:
        return f"{existing}\n{line}"
    return existing + line


def _item_match(line: str, style: str | None) -> tuple[str, str, str] | None:
    """(style, printed number, rest) if the line starts an item of the notice's style."""
    paren = PAREN_ITEM_RE.match(line)
    if paren and style in (None, "paren"):
        return "paren", f"（{paren.group(1)}）", paren.group(2)
    arabic = ARABIC_ITEM_RE.match(line)
    if arabic and style in (None, "arabic"):
        return "arabic", f"{arabic.group(1)}.", arabic.group(2)
    return None


def _is_body_start(line: str) -> bool:
    return bool(SECTION_RE.match(line) or PAREN_ITEM_RE.match(line) or ARABIC_ITEM_RE.match(line))


def parse_notice(raw: str) -> NoticeOutline:
    text = normalize_text(raw)
    outline = NoticeOutline(text=text)
    lines = [line for line in text.split("\n") if line]
    start = next((i for i, line in enumerate(lines) if _is_body_start(line)), len(lines))
    _parse_header(outline, lines[:start])
    _parse_body(outline, lines[start:])
    return outline


def _parse_header(outline: NoticeOutline, lines: list[str]) -> None:
    for i, line in enumerate(lines):
        if (
            outline.notice_title
            and not outline.notice_title.endswith("通知")
            and line.endswith("通知")
            and len(line) < 40
        ):
            outline.notice_title += line  # a notice title broken over two lines
            if not outline.title.endswith("要点"):
                outline.title = outline.notice_title
            continue
        date = DATE_RE.fullmatch(line)
        doc_number = DOC_NUMBER_RE.search(line)
        if date and outline.issue_date is None:
            try:
                outline.issue_date = dt.date(int(date.group(1)), int(date.group(2)), int(date.group(3)))
                continue
            except ValueError:
                pass
        if doc_number and not outline.doc_number:
            outline.doc_number = doc_number.group(0)
            if line == doc_number.group(0):
                continue
        if "关于" in line and not outline.notice_title and len(line) < 100:
            before, _, after = line.partition("关于")
            if before and not outline.issuing_unit:
                outline.issuing_unit = before
            outline.notice_title = f"关于{after}"
            quoted = re.search(r"《([^》]+)》", after)
            if not outline.title:
                outline.title = quoted.group(1) if quoted else outline.notice_title
            continue
        if i == 0 and len(line) <= 40 and ISSUER_END.search(line) and not outline.issuing_unit:
            outline.issuing_unit = line
            continue
        if line.endswith("：") and not outline.recipients and len(line) < 150:
            outline.recipients = line.rstrip("：")
            continue
        if "工作要点" in line and len(line) <= 40 and not line.endswith("。"):
            outline.title = line.strip("《》")  # the plan's own title line wins over the quoted one
            continue
        if line == outline.issuing_unit:
            continue  # the signature under the covering letter repeats the issuing unit
        outline.preamble.append(line)


def _parse_body(outline: NoticeOutline, lines: list[str]) -> None:
    section: ParsedSection | None = None
    item: ParsedItem | None = None
    style: str | None = None
    trailer = False
    for line in lines:
        if trailer or TRAILER_RE.match(line) or DATE_RE.fullmatch(line) or line == outline.issuing_unit:
            trailer = True
            outline.unplaced.append(line)
            continue
        section_match = SECTION_RE.match(line)
        matched_item = _item_match(line, style)
        if section_match:
            heading, _, intro = section_match.group(2).partition("。")
            section = ParsedSection(number=section_match.group(1), heading=heading, intro=intro)
            outline.sections.append(section)
            item = None
        elif matched_item:
            style, number, rest = matched_item
            if section is None:
                section = ParsedSection(number="", heading="")
                outline.sections.append(section)
            item = ParsedItem(number=number, title="", text=rest)
            section.items.append(item)
        elif item is not None:
            item.text = _join(item.text, line)
        elif section is not None:
            if not section.intro and section.heading and section.heading[-1] in UNFINISHED_END:
                section.heading += line  # a heading broken over two lines
            else:
                section.intro = _join(section.intro, line)
        else:
            outline.unplaced.append(line)
    for s in outline.sections:
        for it in s.items:
            it.title = short_title(it.text)
