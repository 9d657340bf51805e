"""The ``new`` command: write a blank report skeleton for a report year.

Only click is imported at module level, so registering the command keeps ``xxgk-lint`` quick to start.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click


def _msg(lang: str, zh: str, en: str) -> str:
    return en if lang == "en" else zh


@click.command("new")
@click.option("--year", type=int, required=True, help="Report year (2019 and later).")
@click.option("--kind", type=click.Choice(["department", "government"]), default="department", show_default=True, help="A department's report or a government's own report.")
@click.option("--format", "fmt", type=click.Choice(["md", "docx"]), default="md", show_default=True, help="Output format.")
@click.option("--agency", help="Agency name for the title and the signature (default: a placeholder).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write to FILE (md: default stdout; docx: default xxgk-report-YEAR.docx).")
@click.option("--force", is_flag=True, help="Overwrite an existing output file.")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True, help="Message language.")
def new(year: int, kind: str, fmt: str, agency: str | None, output: Path | None, force: bool, lang: str) -> None:
    """Write a blank report skeleton (all sections and tables, 0 in every cell) for YEAR's format.

    \b
    xxgk-lint new --year 2024 --kind department --format docx --agency 某某市某某局 -o report.docx
    xxgk-lint new --year 2020 --format md > report.md
    """
    from xxgk_lint.fix.skeleton import SkeletonError, build_skeleton, write_skeleton
    from xxgk_lint.parse.template import get_template

    try:
        sk = build_skeleton(year, kind, agency)
    except SkeletonError as exc:
        click.echo(f"xxgk-lint: {exc.en if lang == 'en' else exc.zh}", err=True)
        sys.exit(2)
    if fmt == "docx" and output is None:
        output = Path(f"xxgk-report-{year}.docx")
    if output is not None and output.exists() and not force:
        click.echo(
            "xxgk-lint: " + _msg(lang, f"{output} 已存在(用 --force 覆盖)", f"{output} exists (use --force to overwrite)"),
            err=True,
        )
        sys.exit(2)
    try:
        text = write_skeleton(sk, fmt, output)
    except OSError as exc:
        click.echo("xxgk-lint: " + _msg(lang, f"无法写入 {output}:{exc}", f"cannot write {output}: {exc}"), err=True)
        sys.exit(2)
    if text is not None:
        click.echo(text, nl=False)
        return
    t = get_template(sk.template)
    click.echo(
        _msg(
            lang,
            f"已写入 {output}({t.name_zh};{year}年度;{'政府' if kind == 'government' else '部门'}报告)",
            f"wrote {output} ({t.name_en}; report year {year}; {kind} report)",
        ),
        err=True,
    )
