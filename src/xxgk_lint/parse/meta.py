"""Report-level facts read from the text: title, report year, agency, entity kind."""

from __future__ import annotations

import re
from datetime import date

from xxgk_lint.parse.textnorm import norm

_YEAR_IN_TITLE = re.compile(
    r"((?:19|20)\d{2})\s*年(?:度)?[^。]{0,30}?(?:政府信息公开|政务公开)[^。]{0,12}?(?:年度)?(?:工作)?(?:年度)?报告"
)
_YEAR_OPENING = re.compile(r"^((?:19|20)\d{2})\s*年(?:度)?[,，、]")
_AGENCY_TITLE = re.compile(r"^(.{2,40}?)((?:19|20)\d{2})\s*年(?:度)?政府信息公开")
_GOVERNMENT = re.compile(r"(?:省|市|自治区|自治州|州|盟|县|区|旗|镇|乡|街道)(?:人民)?政府$")
_DEPARTMENT = re.compile(r"(?:局|委|委员会|厅|办公室|办|署|中心|院|所|部|处|队|馆|会)$")


def find_year(paragraphs: list[tuple[int, str]]) -> tuple[int | None, int | None]:
    """Report year and the line it was read from: the title first, then the opening lines."""
    head = paragraphs[:8]
    for line, text in head:
        m = _YEAR_IN_TITLE.search(norm(text))
        if m:
            return int(m.group(1)), line
    for line, text in head:
        m = _YEAR_OPENING.match(norm(text))
        if m:
            return int(m.group(1)), line
    return None, None


def find_title(paragraphs: list[tuple[int, str]]) -> tuple[str | None, int | None]:
    for line, text in paragraphs[:3]:
        t = text.strip()
        if len(t) <= 60 and "报告" in t and "年" in t:
            return t, line
    return None, None


def find_agency(title: str | None, paragraphs: list[tuple[int, str]]) -> str | None:
    if title:
        m = _AGENCY_TITLE.match(norm(title))
        if m:
            return m.group(1).strip("《")
    # the signature block: a short line near the end naming an organisation
    for _line, text in reversed(paragraphs[-6:]):
        t = norm(text)
        if 3 <= len(t) <= 30 and (_GOVERNMENT.search(t) or _DEPARTMENT.search(t)) and "年" not in t:
            return t
    return None


def classify_kind(agency: str | None, title: str | None) -> str | None:
    """department (局/委/厅/办公室…) or government (XX市人民政府's own report)."""
    name = norm(agency or "")
    if name:
        if "政府办公" in name or _DEPARTMENT.search(name):
            return "department"
        if _GOVERNMENT.search(name) or re.fullmatch(r".{1,12}(?:省|市|县|区|自治区|州)", name):
            return "government"
    return None


_AGENCY_QUOTED = re.compile(r"《([^《》]{2,40}?)((?:19|20)\d{2})\s*年(?:度)?政府信息公开(?:工作)?年度报告》")
_SIG_DATE = re.compile(r"^((?:19|20)\d{2})年(\d{1,2})月(\d{1,2})日$")


def find_quoted_agency(paragraphs: list[tuple[int, str]]) -> tuple[str | None, int | None]:
    """《重庆市2020年政府信息公开工作年度报告》 in the opening names the agency and the year."""
    for _line, text in paragraphs[:3]:
        m = _AGENCY_QUOTED.search(norm(text))
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
