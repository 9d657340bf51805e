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


def deadline_for(ctx: CheckContext, rule: Any) -> tuple[date, dict[str, Any], str] | None:
    """(deadline, regime, kind used) for the report, or None when the year is unknown."""
    report = ctx.report
    year = report.report_year
    if year is None:
        return None
    regime = regime_for(year, rule.params.get("regimes", []))
    if regime is None:
        return None
    kind = report.kind or rule.params.get("unknown_kind", "government")
    mmdd = str(regime.get("deadline", {}).get(kind) or "03-31")
    month, day = (int(x) for x in mmdd.split("-"))
    due = date(year + 1, month, day)
    if ctx.options.get("deadline_rollover") == "next-workday":
        due = next_workday(due)
    return due, regime, kind


@check("deadline")
def deadline(ctx: CheckContext, rule: Any) -> Iterator[Hit]:
    report = ctx.report
    if report.published_on is None:
        return
    got = deadline_for(ctx, rule)
    if got is None:
        return
    due, regime, kind = got
    if report.published_on <= due:
        return
    name = regime.get("name", {})
    kind_text = {
        "zh": {"department": "政府部门", "government": "本级政府报告"},
        "en": {"department": "department", "government": "government's own report"},
    }["en" if ctx.lang == "en" else "zh"][kind]
    if report.kind is None:
        kind_text += ctx.t(",主体类型未知,按较晚期限计", "; entity kind unknown, the later deadline used")
    yield Hit(
        values={
            "date": report.published_on.isoformat(),
            "source": _source_text(ctx, report.published_on_source),
            "regime": name.get(ctx.lang) or name.get("zh") or regime.get("id"),
            "deadline": due.isoformat(),
            "kind_text": kind_text,
            "days": (report.published_on - due).days,
        },
        line=report.signature_line if report.published_on_source == "signature" else None,
        expected=f"<= {due.isoformat()}",
        actual=report.published_on.isoformat(),
        subject=f"{regime.get('id')}:{kind}",
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


@check("title_year_mismatch")
def title_year_mismatch(ctx: CheckContext, rule: Any) -> Iterator[Hit]:
    report = ctx.report
    ty = report.title_year
    if ty is None:
        return
    counts: Counter[int] = Counter()
    first_line: dict[int, int] = {}
    for line, text in report.paragraphs[1:]:
        for m in _YEAR.finditer(text):
            y = int(m.group(1))
            counts[y] += 1
            first_line.setdefault(y, line)
    if not counts:
        return
    (top, n), *_ = counts.most_common(1)
    # the text describes the report year; plans for next year are normal
    if top in (ty, ty + 1) or n < int(rule.params.get("min_mentions", 3)) or counts[ty] * 2 > n:
        return
    yield Hit(
        values={"title_year": ty, "prose_year": top, "count": n},
        line=first_line.get(top),
        expected=ty,
        actual=top,
        subject=f"{ty}:{top}",
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
