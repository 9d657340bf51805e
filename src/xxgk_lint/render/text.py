"""Compiler-style text output: ``path:line:col: CODE severity message`` plus expected/actual."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from xxgk_lint.pipeline import FileResult
from xxgk_lint.render.json_out import summary

_STYLE = {
    "error": "\x1b[1;31m",
    "warning": "\x1b[1;33m",
    "info": "\x1b[1;36m",
    "path": "\x1b[1m",
    "code": "\x1b[35m",
    "dim": "\x1b[2m",
    "reset": "\x1b[0m",
}
_SEV = {
    "zh": {"error": "错误", "warning": "警告", "info": "提示"},
    "en": {"error": "error", "warning": "warning", "info": "info"},
}
_LABELS = {
    "zh": {
        "expected": "应为",
        "actual": "实际",
        "context": "原文",
        "where": "位置",
        "summary": "共检查 {files} 个文件:{errors} 个错误,{warnings} 个警告,{infos} 个提示",
        "clean": "未发现问题",
    },
    "en": {
        "expected": "expected",
        "actual": "found",
        "context": "source",
        "where": "at",
        "summary": "{files} file(s) checked: {errors} error(s), {warnings} warning(s), {infos} info",
        "clean": "no findings",
    },
}
_TABLES = {
    "zh": {"active": "表二", "requests": "表三", "reviews": "表四", "stats": "统计表"},
    "en": {"active": "table 二", "requests": "table 三", "reviews": "table 四", "stats": "statistics table"},
}


def _fmt(v: Any) -> str:
    if v is None:
        return "—"
    if isinstance(v, str):
        return v
    return json.dumps(v, ensure_ascii=False, default=str)


def render_text(results: Sequence[FileResult], *, lang: str = "zh", color: bool = False) -> str:
    def c(style: str, s: str) -> str:
        return f"{_STYLE[style]}{s}{_STYLE['reset']}" if color else s

    labels = _LABELS[lang]
    out: list[str] = []
    for r in results:
        for f in r.findings:
            loc = r.path
            if f.line is not None:
                loc += f":{f.line}"
                if f.column is not None:
                    loc += f":{f.column}"
            out.append(
                f"{c('path', loc)}: {c('code', f.rule)} {c(f.severity, _SEV[lang][f.severity])} {f.message}"
            )
            where = []
            if f.section:
                where.append(f"§{f.section}" if lang == "en" else f"第{f.section}部分")
            if f.table:
                where.append(_TABLES[lang].get(f.table, f.table))
            if f.cell:
                where.append(f.cell)
            if f.page:
                where.append(f"p.{f.page}" if lang == "en" else f"第{f.page}页")
            if where:
                out.append(c("dim", f"    {labels['where']}: {' · '.join(where)}"))
            if f.expected is not None or f.actual is not None:
                out.append(
                    c(
                        "dim",
                        f"    {labels['expected']}: {_fmt(f.expected)}    {labels['actual']}: {_fmt(f.actual)}",
                    )
                )
            if f.context:
                out.append(c("dim", f"    {labels['context']}: {f.context}"))
    s = summary(results)
    line = labels["summary"].format(**s)
    if not any(r.findings for r in results):
        line += f" — {labels['clean']}"
    out.append(line)
    return "\n".join(out) + "\n"
