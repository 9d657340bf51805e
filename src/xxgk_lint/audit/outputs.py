"""The audit's outputs, rebuilt from findings.jsonl at the end of every run.

One streaming pass over the records (in input order, the last record of each report) applies the
baseline and the reviewer's decisions and writes, each atomically:

- ``findings.jsonl`` - compacted to one line per report, findings marked ``baseline: new|known``
  and with a reviewer's ``decision``; the continuity findings (X1xx) of each agency's consecutive
  years are added to THIS year's record first (audit.yoy), so everything below counts them;
- ``summary.csv`` - one row per report (UTF-8 with BOM, so Excel shows the Chinese text);
- ``indicators.csv`` - each indicator pooled per region, kind and agency, with whether the group
  has enough cases to be ranked;
- ``index.html`` - the dashboard (``reports/dashboard.html.j2``), whose table rows are streamed from
  summary.csv so that memory does not grow with the number of reports;
- the baseline file, with ``--write-baseline``;
- ``agencies/*.html`` - one page per agency with at least two years (audit.agencies), and the
  report pages patched with their X findings; ``snapshots.jsonl`` compacted.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import json
import os
import time
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from xxgk_lint import __version__
from xxgk_lint.audit.agencies import AgencyRow, write_agency_pages
from xxgk_lint.audit.baseline import Decisions, baseline_document, load_baseline, load_decisions
from xxgk_lint.audit.indicators import (
    Aggregator,
    IndicatorSet,
    fmt_pct,
    fmt_ratio,
    report_values,
    to_jsonable,
)
from xxgk_lint.audit.store import atomic_writer, dumps, read_at, scan_jsonl, write_atomic
from xxgk_lint.audit.yoy import (
    PARALLEL_MIN,
    SNAPSHOTS,
    PairPlan,
    compact_snapshots,
    is_continuity,
    page_signature,
    patch_pages,
    plan_pairs,
    run_units,
    scan_snapshots,
    x_signature,
)
from xxgk_lint.data import data_root

FAMILIES = ("S", "T", "N", "D", "H", "E", "X")
SUMMARY_COLUMNS = (
    "path", "agency", "region", "year", "kind", "template", "published_on", "deadline", "on_time",
    "errors", "warnings", "infos", *FAMILIES,
    "dismissed", "new", "known", "rules", "read_error", "url", "page", "key", "sha256", "agency_page",
)
DASHBOARD = "dashboard.html.j2"
SCRIPT = "dashboard.js"
RULE_CHART_MAX = 30
DISMISSED_SHOWN = 500
CHART_MAX = 40
AGENCIES_OPEN = 50  # the agency list starts unfolded up to this many agencies
UNMATCHED_SHOWN = 200  # manifest rows without a file listed on the dashboard

UI: dict[str, dict[str, str]] = {
    "zh": {
        "html_lang": "zh-CN",
        "title": "政府信息公开工作年度报告审查汇总",
        "generated": "由 xxgk-lint {version} 生成 · 规则版本 {rules_version} · 运行 {run_id}",
        "totals": "总体情况",
        "reports": "报告数",
        "with_errors": "有错误的报告",
        "clean": "无错误的报告",
        "unreadable": "无法读取",
        "errors": "错误",
        "warnings": "警告",
        "infos": "提示",
        "dismissed": "已驳回",
        "on_time_rate": "按期发布率",
        "on_time_known": "({n} 份报告可判断)",
        "baseline": "与基线比较",
        "new": "新增",
        "known": "已知",
        "fixed": "已整改",
        "missing_reports": "基线中有、本次未审查的报告",
        "decisions": "复核意见",
        "confirmed": "已确认",
        "unused_decisions": "未匹配到问题的复核意见",
        "by_rule": "各规则问题分布(涉及报告数,错误与警告)",
        "by_region": "各地区有错误的报告占比",
        "by_kind": "各类主体有错误的报告占比",
        "indicators": "指标",
        "indicator": "指标",
        "overall": "总体",
        "definition": "口径",
        "cases": "样本数",
        "by_group_region": "按地区",
        "by_group_kind": "按主体类型",
        "rankings": "排名(样本数不少于 {n} 的地区)",
        "not_ranked": "样本不足,不参与排名",
        "rank": "名次",
        "group": "分组",
        "no_data": "无数据",
        "table": "报告列表",
        "filter": "筛选",
        "filter_hint": "文字,或 字段:值(region:某市;kind:department;rule:T201;on_time:no),用分号分隔",
        "shown": "显示 {n} / {total} 份",
        "path": "文件",
        "agency": "机关",
        "region": "地区",
        "kind": "主体类型",
        "year": "年度",
        "published_on": "发布日期",
        "deadline": "期限",
        "on_time": "按期",
        "yes": "是",
        "no": "否",
        "unknown": "未知",
        "department": "政府部门",
        "government": "人民政府",
        "disclosure_rate": "实质公开率",
        "fixed_list": "已整改的问题(前 {n} 条)",
        "dismissed_list": "已驳回的问题(前 {n} 条;不计入错误和警告总数)",
        "note": "说明",
        "reviewer": "复核人",
        "message": "问题",
        "rule": "规则",
        "fingerprint": "指纹",
        "sort_hint": "点击表头排序;排序和筛选状态保存在网址中(如 index.html?sort=-errors&filter=region:某市;rule:X101)",
        "agencies": "各机关历年报告",
        "agencies_summary": "{n} 个机关有两个以上年度的报告;相邻年度按连续性规则(X1xx)核对",
        "agency_years": "年度",
        "agency_breaks": "连续性问题(错误/警告)",
        "x_col": "连续性",
        "settings": "本次运行的设置",
        "settings_note": "汇总数字只包含下列设置启用的规则;与其他运行比较前请核对",
        "set_template": "模板",
        "set_select": "只检查规则",
        "set_ignore": "跳过规则",
        "set_severity": "级别调整",
        "set_config": "配置文件",
        "set_rules_version": "规则版本",
        "set_all": "全部",
        "set_none": "无",
        "set_no_config": "未使用(审查目录中的配置文件一律不读)",
        "unmatched": "清单中列出、但未找到的文件",
        "unmatched_note": "清单(--manifest)中的这些行在所给的目录中没有对应文件,未计入上面的任何数字",
        "decisions_help": "如何填写复核意见文件(--decisions)",
    },
    "en": {
        "html_lang": "en",
        "title": "Information-disclosure annual reports: audit summary",
        "generated": "generated by xxgk-lint {version} · rules version {rules_version} · run {run_id}",
        "totals": "Totals",
        "reports": "reports",
        "with_errors": "reports with errors",
        "clean": "reports without errors",
        "unreadable": "unreadable",
        "errors": "errors",
        "warnings": "warnings",
        "infos": "info",
        "dismissed": "dismissed",
        "on_time_rate": "on-time rate",
        "on_time_known": "({n} reports decidable)",
        "baseline": "Compared with the baseline",
        "new": "new",
        "known": "known",
        "fixed": "fixed",
        "missing_reports": "reports in the baseline not audited now",
        "decisions": "Review decisions",
        "confirmed": "confirmed",
        "unused_decisions": "decisions that matched no finding",
        "by_rule": "Findings by rule (reports affected, errors and warnings)",
        "by_region": "Share of reports with errors, by region",
        "by_kind": "Share of reports with errors, by kind",
        "indicators": "Indicators",
        "indicator": "indicator",
        "overall": "overall",
        "definition": "definition",
        "cases": "cases",
        "by_group_region": "by region",
        "by_group_kind": "by kind",
        "rankings": "Rankings (regions with at least {n} cases)",
        "not_ranked": "too few cases to rank",
        "rank": "rank",
        "group": "group",
        "no_data": "no data",
        "table": "Reports",
        "filter": "Filter",
        "filter_hint": "text, or field:value (region:X;kind:department;rule:T201;on_time:no), separated by semicolons",
        "shown": "showing {n} of {total}",
        "path": "file",
        "agency": "agency",
        "region": "region",
        "kind": "kind",
        "year": "year",
        "published_on": "published",
        "deadline": "deadline",
        "on_time": "on time",
        "yes": "yes",
        "no": "no",
        "unknown": "unknown",
        "department": "department",
        "government": "government",
        "disclosure_rate": "disclosure rate",
        "fixed_list": "Fixed findings (first {n})",
        "dismissed_list": "Dismissed findings (first {n}; not counted in error and warning totals)",
        "note": "note",
        "reviewer": "reviewer",
        "message": "finding",
        "rule": "rule",
        "fingerprint": "fingerprint",
        "sort_hint": "click a column to sort; sorting and filtering live in the address (e.g. index.html?sort=-errors&filter=region:X;rule:X101)",
        "agencies": "Agencies year by year",
        "agencies_summary": "{n} agencies with reports of two or more years; consecutive years checked by the continuity rules (X1xx)",
        "agency_years": "years",
        "agency_breaks": "continuity breaks (errors/warnings)",
        "x_col": "continuity",
        "settings": "Settings of this run",
        "settings_note": "the totals count only the rules these settings enable; check them before comparing runs",
        "set_template": "template",
        "set_select": "only rules",
        "set_ignore": "skipped rules",
        "set_severity": "severity overrides",
        "set_config": "config file",
        "set_rules_version": "rules version",
        "set_all": "all",
        "set_none": "none",
        "set_no_config": "none (config files inside the audited tree are never read)",
        "unmatched": "Listed in the manifest, not found",
        "unmatched_note": "these manifest (--manifest) rows name no file under the given paths; they are in none of the figures above",
        "decisions_help": "How to write the reviewer decisions file (--decisions)",
    },
}


# --- triage ---------------------------------------------------------------------------------------


def preload_triage(cfg: Any) -> tuple[dict[str, dict[str, str]] | None, Decisions | None]:
    """Read (and so validate) the baseline and decisions files; raises TriageFileError."""
    baseline = load_baseline(cfg.baseline) if cfg.baseline else None
    decisions = load_decisions(cfg.decisions) if cfg.decisions else None
    return baseline, decisions


# --- the pass over the records --------------------------------------------------------------------


def _yesno(v: bool | None) -> str:
    return "" if v is None else ("yes" if v else "no")


class Totals:
    def __init__(self) -> None:
        self.reports = 0
        self.parsed = 0
        self.read_errors = 0
        self.with_errors = 0
        self.sev: Counter[str] = Counter()
        self.dismissed = 0
        self.confirmed = 0
        self.new = 0
        self.known = 0
        self.rule_reports: Counter[str] = Counter()
        self.rule_findings: Counter[str] = Counter()
        self.rule_severity: dict[str, str] = {}
        self.region: dict[str, list[int]] = {}  # name -> [reports, with errors]
        self.kind: dict[str, list[int]] = {}

    def to_json(self) -> dict[str, Any]:
        return {
            "reports": self.reports,
            "parsed": self.parsed,
            "read_errors": self.read_errors,
            "reports_with_errors": self.with_errors,
            "errors": self.sev["error"],
            "warnings": self.sev["warning"],
            "infos": self.sev["info"],
            "dismissed": self.dismissed,
            "confirmed": self.confirmed,
            "by_rule": {k: {"reports": self.rule_reports[k], "findings": self.rule_findings[k]} for k in sorted(self.rule_reports)},
            "by_region": {k: {"reports": v[0], "with_errors": v[1]} for k, v in sorted(self.region.items())},
            "by_kind": {k: {"reports": v[0], "with_errors": v[1]} for k, v in sorted(self.kind.items())},
        }


def finalize(cfg: Any, run: dict[str, Any], order: list[str], iset: IndicatorSet) -> dict[str, Any]:
    from xxgk_lint.audit.runner import FINDINGS, INDEX, INDICATORS, SUMMARY

    out: Path = cfg.out
    lang = cfg.opts.lang if cfg.opts.lang in UI else "zh"
    min_cases = cfg.min_cases if cfg.min_cases is not None else iset.min_cases
    baseline, decisions = preload_triage(cfg)
    jsonl = out / FINDINGS
    index, _ = scan_jsonl(jsonl, repair=False)
    snap_path = out / SNAPSHOTS
    snaps, _ = scan_snapshots(snap_path, repair=False)
    rv = run["settings"]["rules_version"]
    # the run's pool is gone: the end of the run may use every core (in-process for --executor serial)
    jobs = 1 if cfg.executor == "serial" else (cfg.jobs or os.cpu_count() or 1)
    plan = plan_pairs(order, index, snaps, snap_path, rules_version=rv, opts=cfg.opts, jobs=jobs)
    to_patch: list[tuple[str, list[dict[str, Any]], str | None]] = []  # pages whose X findings changed
    members: dict[str, dict[str, Any]] = {}  # reports of agencies with a page: what the page shows of them
    x_of: dict[str, list[dict[str, Any]]] = {}  # their X findings, with decisions
    totals = Totals()
    agg = Aggregator(iset)
    new_baseline: dict[str, dict[str, str]] = {}
    fixed: list[dict[str, str]] = []
    dismissed_list: list[dict[str, str]] = []
    audited: set[str] = set()
    with open(jsonl, "rb") as src, atomic_writer(jsonl) as dst, atomic_writer(out / SUMMARY, newline="") as csv_fh:
        csv_fh.write("\ufeff")
        w = csv.writer(csv_fh)
        w.writerow([*SUMMARY_COLUMNS, *(ind.id for ind in iset.indicators)])
        for key in order:
            hit = index.get(key)
            if hit is None:
                continue
            rec = read_at(src, hit[0])
            audited.add(key)
            meta = rec.setdefault("audit", {})
            x_new = _merge_continuity(rec, meta, plan.pairs.get(key))
            page = meta.get("page")
            if cfg.pages and page and (x_new or key in plan.pairs or meta.get("had_x")):
                have = page_signature(out / page)
                if have is not None and have != x_signature(x_new):
                    to_patch.append((page, x_new, rec.get("template")))
            meta.pop("had_x", None)
            group = plan.group_of.get(key)
            if group is not None:
                x_of[key] = x_new
                members[key] = {"path": rec.get("path", ""), "page": page if cfg.pages else None, "agency": meta.get("agency")}
            known_fps = baseline.get(key, {}) if baseline is not None else None
            active: list[dict[str, Any]] = []
            counts: Counter[str] = Counter()
            fam: Counter[str] = Counter()
            n_new = n_known = n_dismissed = 0
            present: dict[str, str] = {}
            for f in rec.get("findings", []):
                fp = str(f.get("fingerprint", ""))
                present[fp] = str(f.get("rule", ""))
                f.pop("baseline", None)
                f.pop("decision", None)
                if known_fps is not None:
                    f["baseline"] = "known" if fp in known_fps else "new"
                    if fp in known_fps:
                        n_known += 1
                    else:
                        n_new += 1
                d = decisions.lookup(key, str(rec.get("path", "")), fp) if decisions is not None else None
                if d is not None:
                    f["decision"] = d.to_json()
                    if d.decision == "confirmed":
                        totals.confirmed += 1
                if d is not None and d.decision == "dismissed":
                    n_dismissed += 1
                    if len(dismissed_list) < DISMISSED_SHOWN:
                        dismissed_list.append({"key": key, "rule": str(f.get("rule", "")), "message": str(f.get("message", "")),
                                               "note": d.note, "reviewer": d.reviewer, "fingerprint": fp})
                    continue
                active.append(f)
                counts[f["severity"]] += 1
                fam[str(f["rule"])[:1]] += 1
            if known_fps is not None:
                for fp, rule in known_fps.items():
                    if fp not in present:
                        fixed.append({"key": key, "fingerprint": fp, "rule": rule})
            if cfg.write_baseline:
                new_baseline[key] = present
            dst.write(dumps(rec) + "\n")

            read_error = bool(meta.get("read_error"))
            agency = meta.get("agency") or rec.get("agency") or ""
            region = rec.get("region") or ""
            kind = meta.get("kind") or rec.get("kind") or ""
            view = {
                "cells": meta.get("cells") or {},
                "on_time": meta.get("on_time"),
                "parsed": rec.get("template") is not None and not read_error,
                "active": active,
                "region": region,
                "kind": kind,
                "agency": agency,
            }
            values = report_values(iset, view)
            agg.add(view)
            totals.reports += 1
            totals.parsed += 1 if view["parsed"] else 0
            totals.read_errors += 1 if read_error else 0
            totals.with_errors += 1 if counts["error"] else 0
            totals.sev.update(counts)
            totals.dismissed += n_dismissed
            totals.new += n_new
            totals.known += n_known
            rules_here = sorted({str(f["rule"]) for f in active})
            for code in {str(f["rule"]) for f in active if f["severity"] in ("error", "warning")}:
                totals.rule_reports[code] += 1
            for f in active:
                if f["severity"] in ("error", "warning"):
                    code = str(f["rule"])
                    totals.rule_findings[code] += 1
                    if totals.rule_severity.get(code) != "error":
                        totals.rule_severity[code] = f["severity"]
            for table, name in ((totals.region, region), (totals.kind, kind)):
                slot = table.setdefault(name, [0, 0])
                slot[0] += 1
                slot[1] += 1 if counts["error"] else 0
            row = {
                "path": rec.get("path", ""),
                "agency": agency,
                "region": region,
                "year": meta.get("year") if meta.get("year") is not None else (rec.get("report_year") or ""),
                "kind": kind,
                "template": rec.get("template") or "",
                "published_on": rec.get("published_on") or "",
                "deadline": meta.get("deadline") or "",
                "on_time": _yesno(meta.get("on_time")),
                "errors": counts["error"],
                "warnings": counts["warning"],
                "infos": counts["info"],
                **{k: fam[k] for k in FAMILIES},
                "dismissed": n_dismissed,
                "new": n_new if known_fps is not None else "",
                "known": n_known if known_fps is not None else "",
                "rules": " ".join(rules_here),
                "read_error": "yes" if read_error else "no",
                "url": rec.get("url") or "",
                "page": meta.get("page") or "",
                "key": key,
                "sha256": meta.get("sha256") or "",
                "agency_page": group.page if group is not None and cfg.pages else "",
            }
            w.writerow([*(row[c] for c in SUMMARY_COLUMNS), *(fmt_ratio(values[i.id]) for i in iset.indicators)])

    # after findings.jsonl is replaced: a page is reconciled with its record on every run
    patch_start = time.perf_counter()
    run_units(patch_pages, to_patch, (str(out), lang), jobs, PARALLEL_MIN)
    patch_s = time.perf_counter() - patch_start
    agencies, agency_stats = ([], {"pages": 0, "written": 0, "unchanged": 0, "removed": 0, "elapsed_s": 0.0})
    if cfg.pages:
        agencies, agency_stats = write_agency_pages(out, plan.groups, snaps, snap_path, members, x_of, lang=lang, rules_version=rv,
                                                    jobs=jobs)
    compact_snapshots(snap_path, snaps, order)
    missing_reports = sorted(set(baseline) - audited) if baseline is not None else []
    indicator_rows = _write_indicators_csv(out / INDICATORS, agg, iset, min_cases)
    result: dict[str, Any] = {
        "totals": totals.to_json(),
        "baseline": {
            "file": str(cfg.baseline),
            "new": totals.new,
            "known": totals.known,
            "fixed": fixed,
            "missing_reports": missing_reports,
        }
        if baseline is not None
        else None,
        "decisions": {
            "file": str(cfg.decisions),
            "entries": len(decisions),
            "dismissed": totals.dismissed,
            "confirmed": totals.confirmed,
            "unused": [{"fingerprint": d.fingerprint, "path": d.path, "decision": d.decision} for d in decisions.unused()],
            "dismissed_shown": dismissed_list,
        }
        if decisions is not None
        else None,
        "indicators": {
            "min_cases": min_cases,
            "overall": {
                i.id: {"value": to_jsonable(agg.total[i.id].value), "percent": fmt_pct(agg.total[i.id].value),
                       "numerator": to_jsonable(agg.total[i.id].num), "denominator": to_jsonable(agg.total[i.id].den),
                       "reports": agg.total[i.id].reports}
                for i in iset.indicators
            },
            "rankings": {g: to_jsonable(agg.rankings(g, min_cases)) for g in ("region", "agency")},
            "groups": indicator_rows,
        },
        "continuity": {
            "agencies": len(plan.groups),
            "pairs": len(plan.pairs),
            "pairs_computed": plan.computed,
            "pairs_reused": plan.reused,
            "pairs_elapsed_s": round(plan.elapsed_s, 3),
            "pages_patched": len(to_patch),
            "pages_patched_elapsed_s": round(patch_s, 3),
            "agency_pages": agency_stats,
        },
        "outputs": {"findings": FINDINGS, "summary": SUMMARY, "indicators": INDICATORS, "index": INDEX, "snapshots": SNAPSHOTS},
    }
    if cfg.write_baseline:
        doc = baseline_document(new_baseline, run["settings"]["rules_version"], __version__)
        write_atomic(Path(cfg.write_baseline), json.dumps(doc, ensure_ascii=False, indent=1) + "\n")
        result["baseline_written"] = str(cfg.write_baseline)
    render_dashboard(out / INDEX, out / SUMMARY, run, result, totals, agg, iset, lang, min_cases, agencies)
    return result


def _merge_continuity(rec: dict[str, Any], meta: dict[str, Any], pp: PairPlan | None) -> list[dict[str, Any]]:
    """Put the pair's X findings into THIS year's record (replacing the ones it had); returns them.

    ``meta["had_x"]`` is set, for the caller only, when the record had X findings before."""
    findings = rec.get("findings") or []
    old = [f for f in findings if is_continuity(f)]
    if pp is None:
        new: list[dict[str, Any]] = []
        meta.pop("continuity", None)
    else:
        new = old if pp.findings is None else pp.findings
        meta["continuity"] = {"last": pp.last_key, "sig": pp.sig}
    if old:
        meta["had_x"] = True
    rec["findings"] = [f for f in findings if not is_continuity(f)] + new
    return new


def _write_indicators_csv(path: Path, agg: Aggregator, iset: IndicatorSet, min_cases: int) -> int:
    n = 0
    with atomic_writer(path, newline="") as fh:
        fh.write("\ufeff")
        w = csv.writer(fh)
        w.writerow(["group_by", "group", "indicator", "value", "percent", "numerator", "denominator", "reports", "ranked", "rank"])
        for ind in iset.indicators:
            p = agg.total[ind.id]
            w.writerow(["all", "", ind.id, fmt_ratio(p.value), fmt_pct(p.value), p.num, p.den, p.reports, "", ""])
        for g in Aggregator.GROUPINGS:
            ranks = {iid: {r["group"]: r["rank"] for r in rows} for iid, rows in agg.rankings(g, min_cases).items()}
            for row in agg.table(g, min_cases):
                for ind in iset.indicators:
                    c = row["cells"][ind.id]
                    if not c["reports"]:
                        continue
                    w.writerow([g, row["group"], ind.id, fmt_ratio(c["value"]), fmt_pct(c["value"]), c["num"], c["den"], c["reports"],
                                "yes" if c["ranked"] else "no", ranks[ind.id].get(row["group"], "")])
                    n += 1
    return n


# --- the dashboard --------------------------------------------------------------------------------


@cache
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(str(data_root("reports"))),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


@cache
def dashboard_script() -> tuple[str, str]:
    """(script text, CSP source 'sha256-...') - the hash lets the CSP allow exactly this script."""
    text = (data_root("reports") / SCRIPT).read_text(encoding="utf-8")
    digest = base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")
    return text, f"'sha256-{digest}'"


def csp(script_source: str) -> str:
    return (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
        f"script-src {script_source}; base-uri 'none'; form-action 'none'"
    )


def _bars(items: list[tuple[str, float, str, str]], *, width: int = 420) -> list[dict[str, Any]]:
    """(label, value 0..max, text, css class) -> bar views with pixel widths."""
    top = max((v for _, v, _, _ in items), default=0) or 1
    return [{"label": lab, "w": round(width * v / top, 1), "text": text, "cls": cls, "y": i * 24} for i, (lab, v, text, cls) in enumerate(items)]


def _share_bars(groups: dict[str, list[int]], ui: dict[str, str], label_of: Any = None) -> list[dict[str, Any]]:
    items = []
    for name, (reports, bad) in sorted(groups.items(), key=lambda kv: (-(kv[1][1] / kv[1][0] if kv[1][0] else 0), kv[0]))[:CHART_MAX]:
        share = bad / reports if reports else 0.0
        label = (label_of(name) if label_of else name) or ui["unknown"]
        items.append((label, share, f"{bad}/{reports} ({round(100 * share)}%)", "error" if share >= 0.5 else "warning"))
    bars = _bars(items)
    top = max((v for _, v, _, _ in items), default=0) or 1
    for b, it in zip(bars, items, strict=True):  # shares are drawn against 100%, not the largest
        b["w"] = round(420 * it[1], 1) if top else 0
    return bars


def _rows(summary_csv: Path, ui: dict[str, str]) -> Iterator[dict[str, Any]]:
    with open(summary_csv, encoding="utf-8-sig", newline="") as fh:
        for n, row in enumerate(csv.DictReader(fh)):
            kind = row["kind"]
            on_time = row["on_time"]
            yield {
                "n": n,
                "path": row["path"],
                "page": row["page"],
                "agency": row["agency"],
                "region": row["region"],
                "kind": kind,
                "kind_label": ui.get(kind, kind) if kind else "",
                "year": row["year"],
                "published_on": row["published_on"],
                "deadline": row["deadline"],
                "on_time": on_time,
                "on_time_label": ui[on_time] if on_time in ("yes", "no") else "",
                "errors": row["errors"],
                "warnings": row["warnings"],
                "infos": row["infos"],
                "dismissed": row["dismissed"],
                "new": row["new"],
                "rules": row["rules"],
                "template": row["template"],
                "disclosure": row.get("disclosure_rate", ""),
                "disclosure_pct": fmt_pct(Decimal(row["disclosure_rate"])) if row.get("disclosure_rate") else "",
                "status": "unreadable" if row["read_error"] == "yes" else ("error" if row["errors"] != "0" else "clean"),
                "agency_page": row.get("agency_page", ""),
                "x": row.get("X", ""),
            }


def _settings_view(settings: dict[str, Any], ui: dict[str, str]) -> list[dict[str, str]]:
    """What the run counted: the header's settings list (select, ignore, severity, template, config)."""
    opts = settings.get("options") or {}
    sev = opts.get("severity") or {}
    cfg = settings.get("config") or None
    items = [
        ("template", ui["set_template"], str(opts.get("template") or "auto")),
        ("select", ui["set_select"], " ".join(opts.get("select") or []) or ui["set_all"]),
        ("ignore", ui["set_ignore"], " ".join(opts.get("ignore") or []) or ui["set_none"]),
        ("severity", ui["set_severity"], ", ".join(f"{k}={v}" for k, v in sorted(sev.items())) or ui["set_none"]),
        ("config", ui["set_config"], f"{cfg['path']} (sha256 {cfg.get('sha256') or '?'})" if cfg else ui["set_no_config"]),
        ("rules_version", ui["set_rules_version"], str(settings.get("rules_version") or "")),
    ]
    return [{"key": k, "label": label, "value": value} for k, label, value in items]


def render_dashboard(
    path: Path, summary_csv: Path, run: dict[str, Any], result: dict[str, Any], totals: Totals,
    agg: Aggregator, iset: IndicatorSet, lang: str, min_cases: int, agencies: list[AgencyRow] | None = None,
) -> None:
    from xxgk_lint.check.rules import builtin_rules

    ui = UI[lang]
    summaries = {r.code: r.text("summary", lang) for r in builtin_rules()}
    rule_items = sorted(totals.rule_reports.items(), key=lambda kv: (-kv[1], kv[0]))[:RULE_CHART_MAX]
    rule_bars = _bars([(code, n, f"{n} ({totals.rule_findings[code]})", totals.rule_severity.get(code, "warning")) for code, n in rule_items])
    for b, (code, _n) in zip(rule_bars, rule_items, strict=True):
        b["title"] = f"{code} {summaries.get(code, '')}"
    indicators = []
    for ind in iset.indicators:
        pool = agg.total[ind.id]
        indicators.append({"id": ind.id, "label": ind.label(lang), "doc": ind.text(lang), "pct": fmt_pct(pool.value) or "—",
                           "num": fmt_ratio(pool.num), "den": fmt_ratio(pool.den), "reports": pool.reports})
    group_tables = {}
    for g in ("region", "kind"):
        rows = []
        for row in agg.table(g, min_cases):
            cells = []
            for ind in iset.indicators:
                c = row["cells"][ind.id]
                cells.append({"pct": fmt_pct(c["value"]) or "—", "cases": fmt_ratio(c["den"]), "ranked": c["ranked"]})
            label = row["group"]
            if g == "kind":
                label = ui.get(label, label) if label else ui["unknown"]
            rows.append({"group": label or ui["unknown"], "cells": cells})
        group_tables[g] = rows
    rankings = []
    for ind in iset.indicators:
        ranked = agg.rankings("region", min_cases)[ind.id]
        rankings.append({"label": ind.label(lang), "rows": [{"rank": r["rank"], "group": r["group"], "pct": fmt_pct(r["value"]), "cases": fmt_ratio(r["den"])} for r in ranked]})
    on_time = agg.total.get("on_time_rate")
    script, script_src = dashboard_script()
    base = result.get("baseline")
    dec = result.get("decisions")
    ctx = {
        "lang": lang,
        "ui": ui,
        "csp": csp(script_src),
        "script": Markup(script),  # noqa: S704 - our own static file, hashed into the CSP
        "generated": ui["generated"].format(version=__version__, rules_version=run["settings"]["rules_version"], run_id=run["run_id"]),
        "totals": totals.to_json(),
        "on_time_pct": fmt_pct(on_time.value) if on_time and on_time.value is not None else "—",
        "on_time_known": on_time.reports if on_time else 0,
        "baseline": None if base is None else {"new": base["new"], "known": base["known"], "fixed": len(base["fixed"]),
                                                 "fixed_list": base["fixed"][:200], "missing": base["missing_reports"]},
        "decisions": None if dec is None else {"dismissed": dec["dismissed"], "confirmed": dec["confirmed"], "unused": len(dec["unused"]),
                                                 "dismissed_list": dec["dismissed_shown"]},
        "rule_bars": rule_bars,
        "region_bars": _share_bars(totals.region, ui),
        "kind_bars": _share_bars(totals.kind, ui, lambda k: ui.get(k, k)),
        "indicators": indicators,
        "group_tables": group_tables,
        "rankings": rankings,
        "min_cases": min_cases,
        "rows": _rows(summary_csv, ui),
        "n_reports": totals.reports,
        "agencies": agencies or [],
        "agencies_open": len(agencies or []) <= AGENCIES_OPEN,
    }
    ctx["settings"] = _settings_view(run["settings"], ui)
    manifest = run["settings"].get("manifest") or {}
    unmatched = list(manifest.get("unmatched") or [])
    ctx["unmatched"] = {"n": len(unmatched), "shown": unmatched[:UNMATCHED_SHOWN]}
    template = _environment().get_template(DASHBOARD)
    with atomic_writer(path) as fh:
        for chunk in template.generate(**ctx):
            fh.write(chunk)
