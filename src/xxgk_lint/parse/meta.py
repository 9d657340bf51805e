"""Report-level facts read from the text: title, report year, agency, entity kind.

The agency is read, in order, from the title ("某某局2019年…", "2019年某某局…", "某某局政府信息公开工作
2019年度报告", "某某市人民政府关于2019年度…的报告"), the signature block, and the opening sentence
("2019年,省经信厅认真贯彻……").  When no agency can be read, first-person self-references
(我局/我厅/我委/我办) are evidence that the report is a department's (see :func:`first_person_kind`).
"""

from __future__ import annotations

import re
from datetime import date

from xxgk_lint.parse.textnorm import norm

_Y = r"(?:19|20)\d{2}"
_DISCLOSURE = r"(?:政府信息公开|政务公开)"
# "2019年(度)…政府信息公开…报告/年报" and "…政府信息公开工作2019年度报告/年报"
_YEAR_IN_TITLE = re.compile(
    rf"({_Y})\s*年(?:度)?[^。]{{0,30}}?{_DISCLOSURE}[^。]{{0,12}}?(?:年度)?(?:工作)?(?:年度)?(?:报告|年报)"
)
_YEAR_AFTER_TITLE = re.compile(rf"{_DISCLOSURE}(?:工作)?({_Y})\s*年(?:度)?(?:工作)?(?:报告|年报)")
_YEAR_OPENING = re.compile(rf"^({_Y})\s*年(?:度)?[,，、]")
# the agency in a title: what precedes "[关于][2019年度]政府信息公开/政务公开" (a leading year is skipped)
_AGENCY_TITLE = re.compile(rf"^(?:{_Y}\s*年(?:度)?)?(.{{2,40}}?)(?:关于)?(?:{_Y}\s*年(?:度)?)?{_DISCLOSURE}")
_GOVERNMENT = re.compile(r"(?:省|市|自治区|自治州|州|盟|县|区|旗|镇|乡|街道)(?:人民)?政府$")
_DEPARTMENT = re.compile(r"(?:局|委|委员会|厅|办公室|办|署|中心|院|所|部|处|队|馆|会)$")
_REGION = re.compile(r".{1,12}(?:省|市|县|区|自治区|州)")

# Chinese-numeral years: 二〇一九年, 二零二一年
_CN_DIGIT = {"〇": "0", "零": "0", "○": "0", "Ｏ": "0", "O": "0", "一": "1", "二": "2", "三": "3", "四": "4",
             "五": "5", "六": "6", "七": "7", "八": "8", "九": "9"}  # fmt: skip
_CN_YEAR = re.compile(r"([一二][〇零○ＯO一二三四五六七八九]{3})(?=\s*年)")


def arabic_years(text: str) -> str:
    """二〇一九年 -> 2019年 (only four-numeral years followed by 年)."""
    if "年" not in text:
        return text

    def sub(m: re.Match[str]) -> str:
        digits = "".join(_CN_DIGIT[c] for c in m.group(1))
        return digits if digits[:2] in ("19", "20") else m.group(1)

    return _CN_YEAR.sub(sub, text)


def _title_norm(text: str) -> str:
    return arabic_years(norm(text))


def find_year(paragraphs: list[tuple[int, str]]) -> tuple[int | None, int | None]:
    """Report year and the line it was read from: the title first, then the opening lines."""
    head = paragraphs[:8]
    for line, text in head:
        t = _title_norm(text)
        m = _YEAR_IN_TITLE.search(t) or _YEAR_AFTER_TITLE.search(t)
        if m:
            return int(m.group(1)), line
    for line, text in head:
        m = _YEAR_OPENING.match(_title_norm(text))
        if m:
            return int(m.group(1)), line
    return None, None


def find_title(paragraphs: list[tuple[int, str]]) -> tuple[str | None, int | None]:
    for line, text in paragraphs[:3]:
        t = text.strip()
        if len(t) <= 60 and ("报告" in t or "年报" in t) and "年" in t:
            return t, line
    return None, None


def _clean_agency(name: str) -> str | None:
    name = re.sub(rf"^{_Y}\s*年(?:度)?", "", name.strip("《》 "))
    name = re.sub(r"关于$", "", name)
    name = re.sub(rf"{_Y}\s*年(?:度)?$", "", name).strip("《》 ,，:：")
    if len(name) < 2 or "年" in name or "报告" in name:
        return None
    return name


def agency_from_title(title: str) -> str | None:
    m = _AGENCY_TITLE.match(_title_norm(title))
    return _clean_agency(m.group(1)) if m else None


# The opening sentence: "2019年,[在……下,]<agency><verb>……".  What the agency name is cut at: the words
# an opening sentence continues with after its subject.
_OPENING = re.compile(rf"^{_Y}\s*年(?:度)?[,，、]?(?:在[^,，。;；]{{2,40}}?下[,，])?([^,，。;；:：、()《》“”]{{2,40}})")
_OPENING_VERBS = (
    "认真", "坚持", "深入", "全面", "紧紧", "紧扣", "紧密", "按照", "严格", "围绕", "持续", "始终", "进一步",
    "积极", "扎实", "不断", "着力", "切实", "大力", "聚焦", "贯彻", "高度", "以", "在", "根据", "依据", "继续",
    "立足", "狠抓", "主动", "牢固", "全力", "结合", "通过", "着眼", "强化", "推进", "加强", "共计", "共收到",
    "共发布", "累计", "把", "不折不扣", "的",
)  # fmt: skip


def agency_from_opening(paragraphs: list[tuple[int, str]]) -> str | None:
    """The subject of the opening sentence "2019年,省经信厅认真贯彻……" when it names an organisation."""
    for _line, text in paragraphs[:4]:
        m = _OPENING.match(_title_norm(text))
        if not m:
            continue
        subject = m.group(1)
        cut = min((i for i in (subject.find(v) for v in _OPENING_VERBS) if i >= 0), default=len(subject))
        name = subject[:cut]
        if len(name) < 2 or name[0] in "我本全各该" or "年" in name:
            return None
        if _GOVERNMENT.search(name) or _DEPARTMENT.search(name) or _REGION.fullmatch(name):
            return name
        return None
    return None


def find_agency(title: str | None, paragraphs: list[tuple[int, str]]) -> str | None:
    if title:
        name = agency_from_title(title)
        if name:
            return name
    # the signature block: a short line near the end naming an organisation
    for _line, text in reversed(paragraphs[-6:]):
        t = norm(text)
        if 3 <= len(t) <= 30 and (_GOVERNMENT.search(t) or _DEPARTMENT.search(t)) and "年" not in t:
            return t
    return agency_from_opening(paragraphs)


def classify_kind(agency: str | None, title: str | None) -> str | None:
    """department (局/委/厅/办公室…) or government (XX市人民政府's own report)."""
    name = norm(agency or "")
    if name:
        if "政府办公" in name or _DEPARTMENT.search(name):
            return "department"
        if _GOVERNMENT.search(name) or _REGION.fullmatch(name):
            return "government"
    return None


# first-person self-references: a department's (我局 …) and a government's (我市 …)
_SELF_DEPARTMENT = re.compile(r"我(局|厅|委|办)(?![理事法])")
_SELF_GOVERNMENT = re.compile(r"我(?:省|市|县|区|州|旗|镇|乡)")
_SELF_SUFFIX = {"局": ("局",), "厅": ("厅",), "委": ("委员会", "委"), "办": ("办公室", "办公厅", "办")}
MIN_SELF_MENTIONS = 2


def first_person_kind(paragraphs: list[tuple[int, str]]) -> str | None:
    """"department" when the text calls itself 我局/我厅/我委/我办 at least twice, and at least as often
    as it says 我市/我县/…; otherwise None (no guess)."""
    text = "\n".join(t for _, t in paragraphs)
    dept = len(_SELF_DEPARTMENT.findall(text))
    if dept >= MIN_SELF_MENTIONS and dept >= len(_SELF_GOVERNMENT.findall(text)):
        return "department"
    return None


_SELF_NAMED = re.compile(rf"《([^《》]{{4,40}}?)(?:{_DISCLOSURE}|政府信息)")


def self_named_agency(paragraphs: list[tuple[int, str]]) -> str | None:
    """A report that calls itself 我委 and, in its opening, quotes its own disclosure document
    (《重庆市经济和信息化委员会政府信息主动公开基本目录》): the quoted name ending in 委员会/委 is the agency.
    Only a name ending in the suffix of the self-reference is taken, never a government office's."""
    text = "\n".join(t for _, t in paragraphs)
    selves = [m.group(1) for m in _SELF_DEPARTMENT.finditer(text)]
    if len(selves) < MIN_SELF_MENTIONS:
        return None
    suffixes = _SELF_SUFFIX[max(set(selves), key=selves.count)]
    for _line, para in paragraphs[:6]:
        for m in _SELF_NAMED.finditer(norm(para)):
            name = m.group(1)
            if "人民政府办公" not in name and "年" not in name and name.endswith(suffixes):
                return name
    return None


_AGENCY_QUOTED = re.compile(rf"《([^《》]{{2,40}}?)({_Y})\s*年(?:度)?政府信息公开(?:工作)?(?:年度报告|年报)》")
_SIG_DATE = re.compile(r"^((?:19|20)\d{2})年(\d{1,2})月(\d{1,2})日$")


def find_quoted_agency(paragraphs: list[tuple[int, str]]) -> tuple[str | None, int | None]:
    """《重庆市2020年政府信息公开工作年度报告》 in the opening names the agency and the year."""
    for _line, text in paragraphs[:3]:
        m = _AGENCY_QUOTED.search(_title_norm(text))
        if m:
            return m.group(1), int(m.group(2))
    return None, None


def find_signature_date(paragraphs: list[tuple[int, str]]) -> tuple[date | None, int | None]:
    """The date under the signature: a short line near the end that is only a date."""
    from xxgk_lint.parse.quantities import parse_date

    for line, text in reversed(paragraphs[-8:]):
        t = norm(text)
        if len(t) > 16:
            continue
        d = parse_date(t)
        if d is not None:
            return d, line
    return None, None
