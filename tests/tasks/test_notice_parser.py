"""The notice parser on the real seed notice, on a 1.–20. notice and on messy copy-and-paste."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tasks.notice_parser import normalize_text, parse_notice

SEED_000 = (Path(__file__).parent / "data" / "notice_000.txt").read_text(encoding="utf-8")

SEED_TITLES = [
    "深入开展双拥宣传教育",
    "积极开展军民共建活动",
    "大力弘扬先进双拥文化",
    "全力服务部队练兵备战",
    "持之以恒做好军人“三后”工作",
    "组织开展多种形式拥军活动",
    "支持乡村振兴工作",
    "支援驻地经济建设",
    "自觉维护社会和谐稳定",
    "深入推进双拥创建活动",
    "扎实推进社会化拥军工作",
    "规范双拥工作运行机制",
]
CN = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二"]


def test_seed_000_outline():
    outline = parse_notice(SEED_000)
    assert outline.title == "2022年丰都县双拥工作要点"
    assert outline.year == 2022
    assert outline.issue_date == dt.date(2022, 5, 9)
    assert outline.issuing_unit == "丰都县双拥工作领导小组办公室"
    assert outline.recipients == "县双拥工作领导小组成员单位，各乡镇人民政府、街道办事处"
    assert outline.doc_number == ""  # seed 000 carries no 文号
    assert [s.number for s in outline.sections] == ["一", "二", "三", "四"]
    assert outline.sections[1].heading == "聚焦服务部队备战打仗，全力支持国防和军队建设"
    assert [len(s.items) for s in outline.sections] == [3, 3, 3, 3]
    assert [i.number for i in outline.items] == [f"（{n}）" for n in CN]
    assert [i.title for i in outline.items] == SEED_TITLES
    fourth = outline.items[3]
    assert fourth.text.startswith("全力服务部队练兵备战。贯彻落实《关于加强新时代拥军支前工作的意见》")
    assert fourth.text.endswith("助力部队练兵备战。")
    assert outline.items[11].text.endswith("提升双拥工作服务军地建设改革的质量效益。")
    assert outline.unplaced == []
    # The intro paragraph is kept, not dropped.
    assert any(p.startswith("2022年是“十四五”") for p in outline.preamble)


def _numbered_notice() -> str:
    headings = ["指导思想", "强化宣传教育", "服务部队建设", "关爱优抚对象", "工作要求"]
    lines = [
        "某县双拥工作领导小组办公室",
        "某拥办发〔2023〕2号",
        "关于印发《2023年某县双拥工作要点》的通知",
        "各乡镇、街道，各成员单位：",
        "2023年3月1日",
        "2023年某县双拥工作要点",
    ]
    n = 0
    for s, heading in enumerate(headings):
        lines.append(f"{CN[s]}、{heading}")
        if heading == "指导思想":
            lines.append("坚持以习近平新时代中国特色社会主义思想为指导，巩固军政军民团结。")
            continue
        for _ in range(5):
            n += 1
            lines.append(f"{n}.第{n}项任务标题。第{n}项任务的具体内容，责任到人。")
    return "\n".join(lines)


def test_numbered_notice_running_on_across_sections():
    outline = parse_notice(_numbered_notice())
    assert outline.doc_number == "某拥办发〔2023〕2号"
    assert outline.issue_date == dt.date(2023, 3, 1)
    assert outline.title == "2023年某县双拥工作要点" and outline.year == 2023
    assert [s.heading for s in outline.sections] == [
        "指导思想",
        "强化宣传教育",
        "服务部队建设",
        "关爱优抚对象",
        "工作要求",
    ]
    assert [len(s.items) for s in outline.sections] == [0, 5, 5, 5, 5]
    assert [i.number for i in outline.items] == [f"{n}." for n in range(1, 21)]
    assert outline.items[6].title == "第7项任务标题"
    assert outline.items[6].text == "第7项任务标题。第7项任务的具体内容，责任到人。"
    assert outline.sections[0].intro.startswith("坚持以习近平")
    assert not outline.sections[0].looks_like_tasks and not outline.sections[4].looks_like_tasks
    assert outline.sections[1].looks_like_tasks


@pytest.mark.parametrize("marker", ["{n}、", "{n}．", "{n} .", "{fw}．"])
def test_other_arabic_numbering_styles(marker):
    fw = str.maketrans("0123456789", "０１２３４５６７８９")
    body = "\n".join(
        ["一、重点任务"] + [marker.format(n=n, fw=str(n).translate(fw)) + f"任务{n}。内容{n}。" for n in range(1, 4)]
    )
    outline = parse_notice(body)
    assert [i.number for i in outline.items] == ["1.", "2.", "3."]
    assert [i.title for i in outline.items] == ["任务1", "任务2", "任务3"]


def _mess_up(text: str) -> str:
    """What a paste from a PDF looks like: half-width punctuation, stray spaces, page numbers, broken lines."""
    text = text.replace("（四）", "(四)").replace("（十二）", "( 十二 )").replace("（七）", "\u3000\u3000（七）")
    text = text.replace("全力服务部队练兵备战。", "全力服务部队练兵备战.")
    text = text.replace("组织开展多种形式拥军活动。", "组织开展 多种形式 拥军活动。")
    text = text.replace("聚焦服务部队备战打仗，", "聚焦服务部队备战打仗,")
    # A page break in the middle of item (五), with its page number and a form feed.
    text = text.replace("激励他们全力投入练兵备战。", "激励他们全力投入\n\n- 3 -\n\f\n练兵备战。")
    # Item (九) is broken in the middle of a sentence.
    text = text.replace("协同地方有关部门加强军警民联防联治", "协同地方有关部门\n加强军警民联防联治")
    return text.replace("\n", "\r\n")


def test_messy_input_gives_the_same_outline():
    clean = parse_notice(SEED_000)
    messy = parse_notice(_mess_up(SEED_000))
    assert [i.number for i in messy.items] == [i.number for i in clean.items]
    assert [i.title for i in messy.items] == SEED_TITLES
    assert messy.sections[1].heading == clean.sections[1].heading
    assert messy.items[4].text == clean.items[4].text  # rejoined across the page break
    assert messy.items[8].text == clean.items[8].text  # the broken line is glued back
    assert messy.issue_date == dt.date(2022, 5, 9)
    assert messy.unplaced == []


def test_broken_heading_and_doc_number_variants():
    outline = parse_notice(
        "某县双拥办\n某拥办发[2021]4号\n2021年4月2日\n一、持续深化双拥宣传教育，\n筑牢思想基础\n（一）第一项。内容。"
    )
    assert outline.doc_number == "某拥办发〔2021〕4号"
    assert outline.sections[0].heading == "持续深化双拥宣传教育，筑牢思想基础"
    assert outline.items[0].title == "第一项"


def test_sub_points_of_the_other_style_stay_inside_the_item():
    outline = parse_notice("一、任务\n（一）大项。说明如下：\n1.小点一；\n2.小点二。\n（二）第二项。内容。")
    assert [i.number for i in outline.items] == ["（一）", "（二）"]
    assert "1.小点一；" in outline.items[0].text and "2.小点二。" in outline.items[0].text


def test_text_it_cannot_place_is_reported_not_dropped():
    outline = parse_notice("一、任务\n（一）第一项。内容。\n附件：统计表\n抄送：市双拥办\n2022年5月9日")
    assert outline.items[0].text == "第一项。内容。"
    assert outline.unplaced == ["附件：统计表", "抄送：市双拥办", "2022年5月9日"]
    orphan = parse_notice("没有任何编号的一段话。")
    assert orphan.sections == [] and orphan.preamble == ["没有任何编号的一段话。"]


def test_normalize_text():
    assert (
        normalize_text("　关于做好 2022 年春节(一)工作,通知\f\n- 12 -\n第3页\n") == "关于做好2022年春节（一）工作，通知"
    )


def test_seed_002_sections_without_items_and_the_attachment_left_over():
    """The other real notice: four sections of prose (no numbered items), then a statistics table."""
    outline = parse_notice((Path(__file__).parent / "data" / "notice_002.txt").read_text(encoding="utf-8"))
    assert outline.title == "关于做好2022年春节期间拥军优属拥政爱民工作的通知" and outline.year == 2022
    assert outline.issuing_unit == "重庆市铜梁区双拥工作领导小组办公室"
    assert outline.recipients == "各镇（街）、双拥工作领导小组成员单位、驻铜部队"
    assert [(s.number, s.heading) for s in outline.sections] == [
        ("一", "深入开展双拥宣传教育"),
        ("二", "聚焦服务部队备战打仗"),
        ("三", "广泛开展爱民助民活动"),
        ("四", "关心关爱优抚安置对象"),
    ]
    assert outline.items == []
    assert "认真抓好驻铜部队2021年反映问题的办理落实" in outline.sections[1].intro
    # The attachment (the statistics table) is not silently merged into section 四: it is reported.
    assert outline.unplaced[0] == "附件" and "2022年新年春节期间双拥活动情况统计表" in outline.unplaced
    assert "附件" not in outline.sections[3].intro
