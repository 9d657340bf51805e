"""Check kinds for dates and deadlines (D rules).  Deadlines themselves are rule data."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

from xxgk_lint.check.context import CheckContext, Hit
from xxgk_lint.check.kinds import check

_SOURCE = {
    "zh": {
        "option": "命令行参数",
        "signature": "文末落款",
        "meta:PubDate": "网页元数据 PubDate",
        "page": "网页发布日期",
        "manifest": "清单",
    },
    "en": {
        "option": "command-line option",
        "signature": "signature date",
        "meta:PubDate": "page metadata PubDate",
        "page": "page publish date",
        "manifest": "manifest",
    },
}


def _source_text(ctx: CheckContext, source: str | None) -> str:
    s = source or ""
    table = _SOURCE["en" if ctx.lang == "en" else "zh"]
    return table.get(s) or table.get(s.split(":", 1)[0]) or s


def regime_for(year: int, regimes: list[dict[str, Any]]) -> dict[str, Any] | None:
    for r in regimes:
        if int(r.get("first_year", 0)) <= year <= int(r.get("last_year", 9999)):
            return r
    return None


def next_workday(d: date) -> date:
    """Roll a deadline falling on a Chinese public holiday or weekend to the next working day."""
    import chinese_calendar

    day = d
    for _ in range(30):
        try:
            if chinese_calendar.is_workday(day):
                return day
        except NotImplementedError:  # outside the calendar's years: weekends only
            if day.weekday() < 5:
                return day
        day += timedelta(days=1)
    return d


def _regime_deadline(
    ctx: CheckContext, rule: Any, year: int
) -> tuple[date, date, dict[str, Any], str] | None:
    """(statutory deadline, deadline after any rollover, regime, kind used) for a report year."""
    regime = regime_for(year, rule.params.get("regimes", []))
    if regime is None:
        return None
    kind = ctx.report.kind or rule.params.get("unknown_kind", "government")
    mmdd = str(regime.get("deadline", {}).get(kind) or "03-31")
    month, day = (int(x) for x in mmdd.split("-"))
    statutory = date(year + 1, month, day)
    due = next_workday(statutory) if ctx.options.get("deadline_rollover") == "next-workday" else statutory
    return statutory, due, regime, kind


def deadline_year(report: Any) -> int | None:
    """The year whose deadline applies: the report year, except when that year was read from a title
    the prose contradicts (D104) and the publication date agrees with the prose year (published the
    year after it) — then the title is the mistake and the prose year is trusted.  A year given by
    option or manifest is always trusted."""
    from xxgk_lint.parse import REPORT_YEAR_GIVEN

    year = report.report_year
    if (
        year is None
        or year != report.title_year
        or any(n.startswith(REPORT_YEAR_GIVEN) for n in report.notes)
    ):
        return year
    got = prose_year(report)
    pub = report.published_on
    if got is not None and pub is not None and pub.year == got[0] + 1:
        return got[0]
    return year


def deadline_for(ctx: CheckContext, rule: Any) -> tuple[date, dict[str, Any], str] | None:
    """(deadline, regime, kind used) for the report, or None when the year is unknown."""
    year = deadline_year(ctx.report)
    if year is None:
        return None
    got = _regime_deadline(ctx, rule, year)
    return None if got is None else (got[1], got[2], got[3])


@check("deadline")
def deadline(ctx: CheckContext, rule: Any) -> Iterator[Hit]:
    report = ctx.report
    if report.published_on is None:
        return
    year = deadline_year(report)
    got = _regime_deadline(ctx, rule, year) if year is not None else None
    if got is None:
        return  # the year is unknown: D106's note
    statutory, due, regime, kind = got
    if report.published_on <= due:
        return
    name = regime.get("name", {})
    kind_text = {
        "zh": {"department": "政府部门", "government": "本级政府报告"},
        "en": {"department": "department", "government": "government's own report"},
    }["en" if ctx.lang == "en" else "zh"][kind]
    if report.kind is None:
        kind_text += ctx.t(",主体类型未知,按较晚期限计", "; entity kind unknown, the later deadline used")
    deadline_text = statutory.isoformat()
    if due != statutory:
        deadline_text += ctx.t(f"(顺延至 {due.isoformat()})", f" (rolled over to {due.isoformat()})")
    yield Hit(
        values={
            "date": report.published_on.isoformat(),
            "source": _source_text(ctx, report.published_on_source),
            "regime": name.get(ctx.lang) or name.get("zh") or regime.get("id"),
            "deadline": deadline_text,
            "kind_text": kind_text,
            "days": (report.published_on - due).days,
        },
        line=report.signature_line if report.published_on_source == "signature" else None,
        expected=f"<= {due.isoformat()}",
        actual=report.published_on.isoformat(),
        subject=f"{regime.get('id')}:{kind}",
    )


@check("deadline_unchecked")
def deadline_unchecked(ctx: CheckContext, rule: Any) -> Iterator[Hit]:
    """A publication date is known but the report year is not, so D101 cannot check the deadline."""
    report = ctx.report
    if report.published_on is None or report.report_year is not None:
        return  # no date: D102's note
    yield Hit(
        values={
            "date": report.published_on.isoformat(),
            "source": _source_text(ctx, report.published_on_source),
        },
        line=report.signature_line if report.published_on_source == "signature" else None,
        actual=report.published_on.isoformat(),
        subject="report_year",
        context="" if report.published_on_source != "signature" else None,
    )


@check("no_publication_date")
def no_publication_date(ctx: CheckContext, rule: Any) -> Iterator[Hit]:
    if ctx.report.published_on is None:
        yield Hit(line=None, subject="published_on", context="")


@check("date_before_year_end")
def date_before_year_end(ctx: CheckContext, rule: Any) -> Iterator[Hit]:
    report = ctx.report
    year = report.report_year
    if year is None:
        return
    end = date(year, 12, 31)
    pub_line = report.signature_line if report.published_on_source == "signature" else None
    for d, source, line in (
        (report.published_on, report.published_on_source, pub_line),
        (report.signature_date, "signature", report.signature_line),
    ):
        if d is not None and d <= end:
            yield Hit(
                values={
                    "year": year,
                    "date": d.isoformat(),
                    "source": _source_text(ctx, source),
                    "year_end": end.isoformat(),
                },
                line=line,
                expected=f"> {end.isoformat()}",
                actual=d.isoformat(),
                subject=f"{source}",
            )
            return


_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
MIN_MENTIONS = 3
_SENTENCE = re.compile(r"[^。;;!?!?]+")
_QUOTED = re.compile(r"《[^《》]*》")
# a sentence about plans: its years are the years ahead, not the year reported on
_PLAN = re.compile(r"将|计划|打算|拟|下一步|下步|明年|展望|要点")
# a year named for comparison ("与2021年相比", "较2021年增长")
_COMPARED = re.compile(r"(?:与|较|比|同比|对比)\s*$")
# a sentence about the year reported on: "2022年,本机关……", "2022年度我局共……", "截至2022年底……"
_DESCRIBES = re.compile(
    r"^\s*(?:在|于)?((?:19|20)\d{2})\s*年(?:度)?(?:[,,、]|以来|全年|内|共|累计|我|本|全)"
    r"|(?:截至|截止|到)\s*((?:19|20)\d{2})\s*年\s*(?:12\s*月|底|末)"
)


def _body_sentences(report: Any) -> Iterator[tuple[int, str, bool]]:
    """(line, sentence, in the opening or 总体情况) of the body (the title line skipped), with
    quoted document names (《……2021年……》) removed."""
    overview = next((s for s in report.sections.values() if s.key == "overview"), None)
    first = min((s.line for s in report.sections.values()), default=None)
    overview_lines = (overview.line, overview.end_line) if overview else None
    for n, (line, text) in enumerate(report.paragraphs[1:]):
        if first is None:
            head = n < 10
        else:
            head = line < first or (
                overview_lines is not None and overview_lines[0] <= line <= overview_lines[1]
            )
        for m in _SENTENCE.finditer(_QUOTED.sub("", text)):
            yield line, m.group(0), head


def _year_counts(report: Any) -> tuple[Counter[int], Counter[int], dict[int, int]]:
    """(mentions, descriptive mentions in the opening / 总体情况, first line) per year.  Years in plan
    sentences, in comparisons and in quoted document names are not counted."""
    counts: Counter[int] = Counter()
    described: Counter[int] = Counter()
    first_line: dict[int, int] = {}
    for line, sentence, head in _body_sentences(report):
        if _PLAN.search(sentence):
            continue
        for m in _YEAR.finditer(sentence):
            if _COMPARED.search(sentence[: m.start()]):
                continue
            y = int(m.group(1))
            counts[y] += 1
            first_line.setdefault(y, line)
        if head:
            d = _DESCRIBES.search(sentence)
            if d:
                described[int(d.group(1) or d.group(2))] += 1
    return counts, described, first_line


def prose_year(report: Any, min_mentions: int = MIN_MENTIONS) -> tuple[int, int, int | None] | None:
    """(year, mentions, first line) the prose mainly describes, when that contradicts the title year.

    The most mentioned year counts when it has at least ``min_mentions`` mentions and the title year
    fewer than half as many; years in plan sentences ("2023年,我局将……", "2023年工作打算"), in
    comparisons ("与2021年相比") and in quoted document names are not counted.  The year after the
    title year is also the year of the plans, so it contradicts the title only when the report says
    it describes that year — in the opening or 总体情况 ("2022年,本机关……", "截至2022年底……", more
    often than the title year) — or is dated after that year (a 2022 text retitled 2021 and signed
    2023-01-20)."""
    ty = report.title_year
    if ty is None:
        return None
    cached = report._cache.get("dates.prose_year")
    if cached is not None and cached[0] == (ty, min_mentions, report.published_on, report.signature_date):
        return cached[1]
    counts, described, first_line = _year_counts(report)
    result: tuple[int, int, int | None] | None = None
    if counts:
        (top, n), *_ = counts.most_common(1)
        if top != ty and n >= min_mentions and counts[ty] * 2 <= n:
            dated = report.published_on or report.signature_date
            says = described[top] > described[ty]
            if top != ty + 1 or says or (dated is not None and dated.year > top):
                result = (top, n, first_line.get(top))
    report._cache["dates.prose_year"] = (
        (ty, min_mentions, report.published_on, report.signature_date),
        result,
    )
    return result


@check("title_year_mismatch")
def title_year_mismatch(ctx: CheckContext, rule: Any) -> Iterator[Hit]:
    report = ctx.report
    got = prose_year(report, int(rule.params.get("min_mentions", MIN_MENTIONS)))
    if got is None:
        return
    top, n, line = got
    trusted = deadline_year(report) == top
    yield Hit(
        values={
            "title_year": report.title_year,
            "prose_year": top,
            "count": n,
            "deadline_note": ctx.t(
                f";发布期限按正文所述的{top}年度核对",
                f"; the deadline is checked for {top}, the year the text describes",
            )
            if trusted
            else "",
        },
        line=line,
        expected=report.title_year,
        actual=top,
        subject=f"{report.title_year}:{top}",
    )


@check("signature_vs_page_date")
def signature_vs_page_date(ctx: CheckContext, rule: Any) -> Iterator[Hit]:
    report = ctx.report
    if report.signature_date is None or report.page_date is None:
        return
    if report.signature_date > report.page_date:
        yield Hit(
            values={
                "signature": report.signature_date.isoformat(),
                "page_date": report.page_date.isoformat(),
            },
            line=report.signature_line,
            expected=f"<= {report.page_date.isoformat()}",
            actual=report.signature_date.isoformat(),
            subject="signature",
        )
