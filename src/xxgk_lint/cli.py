"""Command line: ``xxgk-lint check|rules|explain``.

Exit codes: 0 nothing at or above --fail-on; 1 findings at or above it; 2 usage error or an
unreadable input.
"""

from __future__ import annotations

import os
import sys
from datetime import date
from pathlib import Path

import click

from xxgk_lint import __version__
from xxgk_lint.check.findings import SEVERITY_RANK

LANGS = ["zh", "en"]


def _split_codes(values: tuple[str, ...]) -> tuple[str, ...]:
    out: list[str] = []
    for v in values:
        out.extend(x.strip() for x in v.replace(" ", ",").split(",") if x.strip())
    return tuple(out)


def unknown_codes(codes: tuple[str, ...], known: list[str]) -> list[str]:
    """The codes or prefixes (``S99``, ``T9``) of ``--select`` / ``--ignore`` that match no rule."""
    return [c for c in codes if c.strip().upper() != "ALL" and not any(k.startswith(c.strip().upper()) for k in known)]


def _check_codes(opts: object, cli: dict, cfg: object) -> None:  # type: ignore[type-arg]
    """A --select / --ignore code that names no rule is a usage error, not an empty selection; in a
    configuration file it is a configuration error."""
    from xxgk_lint.check.rules import builtin_rules
    from xxgk_lint.config import Config, ConfigError

    rules = getattr(opts, "rules", None)
    known = [r.code for r in (rules if rules is not None else builtin_rules())]
    for name in ("select", "ignore"):
        bad = unknown_codes(getattr(opts, name), known)
        if not bad:
            continue
        what = f"unknown rule code or prefix {', '.join(repr(c) for c in bad)}: it matches no rule"
        if cli[name] is not None:
            raise click.BadParameter(f"{what} (see `xxgk-lint rules` for the codes)", param_hint=f"--{name}")
        assert isinstance(cfg, Config)
        raise ConfigError(cfg.path or Path("config"), f"'{name}': {what} (see `xxgk-lint rules`)")


def _check_output(output: Path | None) -> None:
    """Fail before any work when --output cannot be written (missing folder, a folder itself)."""
    if output is None:
        return
    parent = output.parent if str(output.parent) else Path(".")
    if output.is_dir():
        raise click.BadParameter(f"'{output}' is a folder, not a file", param_hint="--output")
    if not parent.is_dir():
        raise click.BadParameter(
            f"cannot write '{output}': the folder '{parent}' does not exist or is not a folder", param_hint="--output"
        )


def use_color(mode: str, stream: object) -> bool:
    if mode == "always":
        return True
    if mode == "never":
        return False
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def _template_choices() -> list[str]:
    from xxgk_lint.parse.template import load_templates

    return ["auto", *sorted(load_templates())]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="xxgk-lint")
def main() -> None:
    """xxgk-lint: 政府信息公开工作年度报告合规检查 (compliance linter for annual reports)."""


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "sarif", "html"]),
    default="text",
    show_default=True,
    help="Output format.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the output to FILE instead of stdout.",
)
@click.option("--select", multiple=True, help="Only these rule codes or prefixes (e.g. S,T1,N101).")
@click.option("--ignore", multiple=True, help="Skip these rule codes or prefixes.")
@click.option("--lang", type=click.Choice(LANGS), default="zh", show_default=True, help="Message language.")
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning", "info", "never"]),
    default="error",
    show_default=True,
    help="Lowest severity that makes the exit code 1.",
)
@click.option(
    "--template",
    default="auto",
    show_default=True,
    help="Template version: auto or a template id (see `xxgk-lint rules --templates`).",
)
@click.option(
    "--kind",
    type=click.Choice(["department", "government"]),
    help="Override the entity kind read from the report.",
)
@click.option(
    "--published-on", "published_on", help="Publication date YYYY-MM-DD (overrides what the report says)."
)
@click.option(
    "--color",
    type=click.Choice(["auto", "always", "never"]),
    default="auto",
    show_default=True,
    help="Colour output (honours NO_COLOR / FORCE_COLOR).",
)
@click.option(
    "--fix",
    is_flag=True,
    help="Rewrite derivable totals (T202/T203/T204) in txt/md/docx files in place, then check.",
)
@click.option("--fix-unsafe", is_flag=True, help="Also write 0 for '/' or blank count cells (implies --fix).")
@click.option(
    "--config",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="Use this configuration file for every input (no discovery).",
)
@click.option("--no-config", is_flag=True, help="Ignore configuration files.")
@click.option(
    "--deadline-rollover",
    type=click.Choice(["none", "next-workday"]),
    default="none",
    show_default=True,
    help="Roll a deadline that falls on a public holiday to the next working day (a policy choice).",
)
def check(
    paths: tuple[Path, ...],
    fmt: str,
    output: Path | None,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    lang: str,
    fail_on: str,
    template: str,
    kind: str | None,
    published_on: str | None,
    color: str,
    deadline_rollover: str,
    fix: bool,
    fix_unsafe: bool,
    config: Path | None,
    no_config: bool,
) -> None:
    """Check report files or folders (txt, md, html, docx, pdf)."""
    from click.core import ParameterSource

    from xxgk_lint.check.rules import RuleFileError
    from xxgk_lint.config import ConfigError
    from xxgk_lint.pipeline import iter_inputs, lint_path, settle
    from xxgk_lint.read import SUPPORTED_SUFFIXES

    ctx = click.get_current_context()

    def explicit(name: str) -> bool:
        return ctx.get_parameter_source(name) in (ParameterSource.COMMANDLINE, ParameterSource.ENVIRONMENT)

    _check_output(output)
    pub: date | None = None
    if published_on:
        try:
            pub = date.fromisoformat(published_on)
        except ValueError:
            raise click.BadParameter("expected YYYY-MM-DD", param_hint="--published-on") from None
    cli = {
        "template": template if explicit("template") else None,
        "lang": lang if explicit("lang") else None,
        "select": _split_codes(select) if select else None,
        "ignore": _split_codes(ignore) if ignore else None,
        "kind": kind,
        "fail_on": fail_on if explicit("fail_on") else None,
        "deadline_rollover": deadline_rollover if explicit("deadline_rollover") else None,
    }
    results = []
    thresholds: list[str] = []
    out_lang = cli["lang"] or "zh"
    inputs = list(iter_inputs(paths))
    if not inputs:
        shown = ", ".join(str(p) for p in paths)
        click.echo(
            f"xxgk-lint: {shown}: no report files found (looked for {', '.join(sorted(SUPPORTED_SUFFIXES))})"
            if out_lang == "en"
            else f"xxgk-lint: {shown}:未找到报告文件(查找的格式:{' '.join(sorted(SUPPORTED_SUFFIXES))})",
            err=True,
        )
        sys.exit(2)
    try:
        for cfg, files in group_by_config(inputs, config, no_config):
            opts, file_fail_on = options_for(cfg, cli, pub)
            if opts.template not in _template_choices():
                raise click.BadParameter(
                    f"unknown template '{opts.template}' (choose from {', '.join(_template_choices())})",
                    param_hint="--template",
                )
            _check_codes(opts, cli, cfg)
            rules = opts.active_rules()
            out_lang = cli["lang"] or opts.lang
            if fix or fix_unsafe:
                from xxgk_lint.fix.apply import fix_paths

                # messages to stderr, so JSON/SARIF on stdout stay clean
                fix_paths(files, opts, unsafe=fix_unsafe, echo=lambda s: click.echo(s, err=True))
            for f in files:
                results.append(lint_path(f, opts, rules))
                thresholds.append(file_fail_on)
                settle()
    except (ConfigError, RuleFileError) as exc:
        click.echo(f"xxgk-lint: {exc}", err=True)
        sys.exit(2)
    lang = out_lang
    colored = False
    if fmt == "json":
        from xxgk_lint.render.json_out import render_json

        text = render_json(results)
    elif fmt == "sarif":
        from xxgk_lint.render.sarif import render_sarif

        text = render_sarif(results, lang=lang)
    elif fmt == "html":
        from xxgk_lint.render.html import render_html

        text = render_html(results, lang=lang)
    else:
        from xxgk_lint.render.text import render_text

        colored = output is None and use_color(color, sys.stdout)
        text = render_text(results, lang=lang, color=colored)
    if output is not None:
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            click.echo(f"xxgk-lint: cannot write --output '{output}': {exc.strerror or exc}", err=True)
            sys.exit(2)
    else:
        if colored and sys.platform == "win32":  # pragma: no cover
            import colorama

            colorama.just_fix_windows_console()
        click.echo(text, nl=False, color=colored)
    sys.exit(exit_code(results, thresholds))


def exit_code(results: list, thresholds: list[str] | str) -> int:  # type: ignore[type-arg]
    """2 for an unreadable input, else 1 when any file has a finding at or above its threshold."""
    if any(r.read_error for r in results):
        return 2
    if isinstance(thresholds, str):
        thresholds = [thresholds] * len(results)
    for r, fail_on in zip(results, thresholds, strict=True):
        if fail_on == "never":
            continue
        if any(SEVERITY_RANK[f.severity] >= SEVERITY_RANK[fail_on] for f in r.findings):
            return 1
    return 0


def group_by_config(
    files: list[Path], config: Path | None, no_config: bool
) -> list[tuple[object, list[Path]]]:
    """Files grouped by the configuration that applies to each (closest upwards wins)."""
    from xxgk_lint.config import Config, find_config, load_config

    if config is not None:
        return [(load_config(config), files)]
    groups: dict[Path | None, list[Path]] = {}
    for f in files:
        where = f.parent if f.parent.is_dir() else Path.cwd()
        groups.setdefault(None if no_config else find_config(where), []).append(f)
    return [(load_config(p) if p else Config(), fs) for p, fs in groups.items()]


def options_for(cfg: object, cli: dict, published_on: date | None) -> tuple[object, str]:  # type: ignore[type-arg]
    """Options for one configuration: command-line values win over the file, the file over defaults."""
    from xxgk_lint.check.kinds import CHECKS
    from xxgk_lint.check.rules import load_rule_dirs
    from xxgk_lint.config import Config
    from xxgk_lint.data import data_root
    from xxgk_lint.pipeline import Options

    assert isinstance(cfg, Config)
    rules = tuple(load_rule_dirs([data_root("rules"), *cfg.rule_dirs], CHECKS)) if cfg.rule_dirs else None
    opts = Options(
        template=cli["template"] or cfg.template or "auto",
        lang=cli["lang"] or cfg.lang or "zh",
        select=cli["select"] if cli["select"] is not None else cfg.select,
        ignore=cli["ignore"] if cli["ignore"] is not None else cfg.ignore,
        kind=cli["kind"] or cfg.kind,
        published_on=published_on,
        severity=dict(cfg.severity),
        rules=rules,
        extra={"deadline_rollover": cli["deadline_rollover"] or cfg.deadline_rollover or "none"},
    )
    return opts, cli["fail_on"] or cfg.fail_on or "error"


@main.command("rules")
@click.option("--lang", type=click.Choice(LANGS), default="zh", show_default=True)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True
)
@click.option("--templates", "show_templates", is_flag=True, help="List the template versions instead.")
def rules_cmd(lang: str, fmt: str, show_templates: bool) -> None:
    """List every rule (code, severity, name, summary)."""
    from xxgk_lint.check.rules import builtin_rules

    if show_templates:
        from xxgk_lint.parse.template import load_templates

        for t in load_templates().values():
            click.echo(f"{t.id:10} {t.name_en if lang == 'en' else t.name_zh}")
        return
    rules = builtin_rules()
    if fmt == "json":
        import json

        data = [
            {
                "code": r.code,
                "name": r.name,
                "severity": r.severity,
                "summary": r.text("summary", lang),
                "templates": list(r.templates),
            }
            for r in rules
        ]
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    elif fmt == "markdown":
        click.echo("| code | name | severity | summary |\n|---|---|---|---|")
        for r in rules:
            click.echo(f"| {r.code} | {r.name} | {r.severity} | {r.text('summary', lang)} |")
    else:
        for r in rules:
            click.echo(f"{r.code}  {r.severity:7}  {r.name:24}  {r.text('summary', lang)}")


@main.command()
@click.argument("code")
@click.option("--lang", type=click.Choice(LANGS), default="zh", show_default=True)
def explain(code: str, lang: str) -> None:
    """Print a rule's documentation with a wrong and a right example."""
    from xxgk_lint.check.rules import builtin_rules

    want = code.strip().upper()
    for r in builtin_rules():
        if r.code == want or r.name == code.strip():
            heads = {
                "zh": ("严重程度", "适用格式", "错误示例", "正确示例", "全部"),
                "en": ("severity", "templates", "wrong", "right", "all"),
            }[lang]
            click.echo(f"{r.code} {r.name}: {r.text('summary', lang)}")
            click.echo(f"{heads[0]}: {r.severity}    {heads[1]}: {', '.join(r.templates) or heads[4]}\n")
            if r.text("doc", lang):
                click.echo(r.text("doc", lang).rstrip() + "\n")
            if r.wrong:
                click.echo(f"{heads[2]}:\n" + "\n".join("    " + x for x in r.wrong.rstrip().splitlines()))
            if r.right:
                click.echo(f"{heads[3]}:\n" + "\n".join("    " + x for x in r.right.rstrip().splitlines()))
            return
    click.echo(f"xxgk-lint: unknown rule '{code}' (see `xxgk-lint rules`)", err=True)
    sys.exit(2)


# sub-commands defined in their own packages (whose modules import only click at top level)
from xxgk_lint.audit.cli import audit  # noqa: E402
from xxgk_lint.compare.cli import compare  # noqa: E402
from xxgk_lint.fix.cli import new  # noqa: E402

for _command in (audit, compare, new):
    main.add_command(_command)


if __name__ == "__main__":  # pragma: no cover - after every command above is registered
    main()
