"""``xxgk-lint compare LAST THIS``: one agency's report against its previous year's.

Top-level imports: click only (the command is registered on the main CLI at import time).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click


@click.command("compare")
@click.argument("last", type=click.Path(path_type=Path))
@click.argument("this", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json", "html"]), default="text", show_default=True, help="Output format.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write the output to FILE instead of stdout.")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True, help="Message language.")
@click.option("--template", default="auto", show_default=True, help="Template version of both reports: auto or a template id.")
@click.option("--fail-on", type=click.Choice(["error", "warning", "info", "never"]), default="error", show_default=True, help="Lowest severity that makes the exit code 1.")
@click.option("--min-passage", type=click.IntRange(5, 10_000), default=20, show_default=True, help="Shortest copied passage shown (normalised characters).")
@click.option("--all-cells/--changed-cells", default=True, show_default=True, help="Text output: every cell, or only cells whose value changed.")
def compare(
    last: Path, this: Path, fmt: str, output: Path | None, lang: str, template: str, fail_on: str, min_passage: int, all_cells: bool
) -> None:
    """Compare LAST year's report with THIS year's (txt, md, html, docx, pdf).

    Every template cell (last year, this year, change; mapped by meaning across the 2019 -> 2021
    format change), the sections added, removed or reworded with the share of prose carried over and
    the copied passages, and the continuity rules X1xx.  Exit 0/1 as `check --fail-on`; 2 when a file
    cannot be read.
    """
    from xxgk_lint.check.findings import SEVERITY_RANK
    from xxgk_lint.check.rules import RuleFileError
    from xxgk_lint.compare.continuity import compare as run_compare
    from xxgk_lint.compare.render import render_compare, render_read_errors
    from xxgk_lint.parse.template import load_templates
    from xxgk_lint.pipeline import Options, lint_path

    if template != "auto" and template not in load_templates():
        raise click.BadParameter(f"unknown template '{template}' (choose from auto, {', '.join(sorted(load_templates()))})", param_hint="--template")
    opts = Options(template=template, lang=lang)
    try:
        # parse only: compare is about the two years; `xxgk-lint check` lints each report
        results = [lint_path(p, opts, rules=[]) for p in (last, this)]
    except RuleFileError as exc:
        click.echo(f"xxgk-lint: {exc}", err=True)
        sys.exit(2)
    bad = [r for r in results if r.read_error or r.report is None]
    if bad:
        click.echo(render_read_errors(bad, lang=lang), err=True, nl=False)
        sys.exit(2)
    comparison = run_compare(results[0], results[1], lang=lang, min_passage=min_passage)
    text = render_compare(comparison, fmt=fmt, lang=lang, all_cells=all_cells)
    if output is not None:
        output.write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)
    if fail_on == "never":
        sys.exit(0)
    worst = max((SEVERITY_RANK[f.severity] for f in comparison.findings), default=0)
    sys.exit(1 if worst >= SEVERITY_RANK[fail_on] else 0)
