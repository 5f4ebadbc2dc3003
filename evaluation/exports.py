"""迎检资料: the index (.xlsx) and the binder (.zip, one folder per item with its files, byte for
byte, and a sheet of the portal's figures), streamed as it is built: a binder of several hundred
files never sits in memory, and the page shows the bytes arriving against the expected size."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from typing import Any

from evaluation.binder import Binder, ItemRow
from evaluation.figures import Figure
from shuangyong.spreadsheets import XlsxBook, print_a4_landscape, props

INDEX_NAME = "迎检资料目录.xlsx"
FIGURES_NAME = "自动统计数据.xlsx"
CHUNK = 256 * 1024
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')

HEAD = props(bold=True, border=1, bg_color="#F2F2F2", text_wrap=True, valign="vcenter", align="center")
CELL = props(border=1, text_wrap=True, valign="top")
NUMBER = props(border=1, valign="top", num_format="0.00")
TITLE = props(bold=True, font_size=14)


def safe_name(text: str, limit: int = 40) -> str:
    cleaned = _UNSAFE.sub(" ", text).strip().rstrip(".")
    return cleaned[:limit] or "未命名"


def item_folder(row: ItemRow) -> str:
    item = row.item
    return f"{item.sort_order:04d} {safe_name(item.number, 10)} {safe_name(item.content, 24)}"


def file_paths(row: ItemRow) -> list[str]:
    """Where each of the row's files lies in the zip: its folder, a running number, its own name."""
    folder = item_folder(row)
    return [f"{folder}/{i:02d} {safe_name(f.name, 80)}" for i, f in enumerate(row.stored_files, 1)]


def _figure_lines(figures: list[Figure]) -> list[str]:
    return [f"{f.label} {y.year}年：{y.text}" for f in figures for y in f.years]


def index_xlsx(binder: Binder) -> bytes:
    evaluation = binder.evaluation
    book = XlsxBook()
    ws = book.add_worksheet("迎检资料目录")
    years = f"{evaluation.first_year}—{evaluation.last_year}年"
    book.write(ws, 0, 0, f"{evaluation.owner_unit.name} {evaluation.title}（{years}）迎检资料目录", TITLE)
    book.write(ws, 1, 0, f"自评总分 {binder.total} 分（满分 {binder.points} 分），加分 {binder.bonus} 分")
    headers = [
        "考评项目",
        "序号",
        "考评内容",
        "分值",
        "自评得分",
        "自评说明",
        "佐证材料（文件夹/文件名）",
        "自动统计数据",
        "缺失材料",
    ]
    widths = [18, 7, 40, 7, 8, 24, 44, 44, 30]
    for col, (header, width) in enumerate(zip(headers, widths, strict=True)):
        book.write(ws, 3, col, header, HEAD)
        ws.set_column(col, col, width)
    for r, row in enumerate(binder.rows, 4):
        item = row.item
        flags = "".join(["【一票否决】" if item.is_veto else "", "【加分项】" if item.is_bonus else ""])
        evidence = "\n".join(
            [f"{path}（{f.label}）" for path, f in zip(file_paths(row), row.stored_files, strict=True)]
            + [f.label for f in row.files if not f.file]
        )
        values: list[Any] = [
            row.heading.content if row.heading and not row.is_heading else "",
            item.number,
            flags + item.content,
            item.points,
            row.assessment.self_score if row.assessment.self_score is not None else "",
            row.assessment.reason,
            evidence,
            "\n".join(_figure_lines(row.figures)),
            "\n".join(row.gaps),
        ]
        for col, value in enumerate(values):
            book.write(ws, r, col, value, NUMBER if col in (3, 4) and value != "" else CELL)
    print_a4_landscape(ws, repeat_rows=(3, 3))
    return book.to_bytes()


def figures_xlsx(row: ItemRow) -> bytes:
    """The portal's figures of one item, a line per figure and year."""
    book = XlsxBook()
    ws = book.add_worksheet("自动统计数据")
    book.write(ws, 0, 0, f"{row.item.number} {row.item.content}", TITLE)
    for col, (header, width) in enumerate((("数据", 20), ("年度", 8), ("统计", 70))):
        book.write(ws, 2, col, header, HEAD)
        ws.set_column(col, col, width)
    r = 3
    for f in row.figures:
        for y in f.years:
            for col, value in enumerate((f.label, f"{y.year}年", y.text)):
                book.write(ws, r, col, value, CELL)
            r += 1
    if row.gaps:
        book.write(ws, r + 1, 0, "缺失材料", HEAD)
        for i, gap in enumerate(row.gaps, r + 2):
            book.write(ws, i, 0, gap, CELL)
    return book.to_bytes()


class _Pipe:
    """A write-only, unseekable sink: zipfile writes into it, the response takes what is written."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []

    def write(self, data: bytes) -> int:
        self.chunks.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass

    def take(self) -> bytes:
        out = b"".join(self.chunks)
        self.chunks.clear()
        return out


def expected_bytes(binder: Binder) -> int:
    """About the size of the zip (files stored as they are, plus headers): the progress bar's 100%."""
    return binder.file_bytes + 300 * (binder.file_count + len(binder.rows)) + 20_000 * (1 + len(binder.rows))


def binder_zip(binder: Binder) -> Iterator[bytes]:
    """The zip, chunk by chunk: the index at the top, then a folder per item."""
    pipe = _Pipe()
    with zipfile.ZipFile(pipe, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
        archive.writestr(INDEX_NAME, index_xlsx(binder))
        yield pipe.take()
        for row in binder.rows:
            if row.figures:
                archive.writestr(f"{item_folder(row)}/{FIGURES_NAME}", figures_xlsx(row))
                yield pipe.take()
            for path, f in zip(file_paths(row), row.stored_files, strict=True):
                with f.file.open("rb") as source, archive.open(path, "w", force_zip64=True) as target:
                    while chunk := source.read(CHUNK):
                        target.write(chunk)
                        yield pipe.take()
                yield pipe.take()
    yield pipe.take()


def export_filename(binder: Binder, suffix: str) -> str:
    e = binder.evaluation
    return f"{safe_name(e.owner_unit.name)}{e.title}迎检资料{suffix}"


TEMPLATE_ROWS: list[list[object]] = [
    ["一", "考评项目", "", "组织领导坚强有力", 6, "", "", "", "", ""],
    ["1", "考评内容", "一", "双拥工作领导小组每年至少召开一次全体会议", 2, "每缺一年扣0.5分", "会议纪要", "否", "否",
     "领导小组全体会议、成员单位年度总结"],
    ["1.1", "细项", "1", "成员单位在全体会议上述职", 1, "", "述职报告", "否", "否", "成员单位述职报告"],
]  # fmt: skip


def template_xlsx(columns: list[str]) -> bytes:
    """The import template: the columns the importer reads and three example rows."""
    book = XlsxBook()
    ws = book.add_worksheet("考评标准")
    for col, header in enumerate(columns):
        book.write(ws, 0, col, header, HEAD)
        ws.set_column(col, col, 30 if header in ("考评内容", "评分标准", "关联数据") else 10)
    for r, row in enumerate(TEMPLATE_ROWS, 1):
        for col, value in enumerate(row):
            book.write(ws, r, col, value, CELL)
    return book.to_bytes()
