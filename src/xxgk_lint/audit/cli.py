"""``xxgk-lint audit``: bulk audit of a tree of reports for an oversight office.

Only click is imported at module level so that ``xxgk-lint check`` starts as fast as before.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

HELP = """Audit every report under PATHS (folders are walked; txt, md, html, docx, pdf) in parallel
and write to --out DIR: findings.jsonl (one line per report: the `check` JSON file object plus
region, url and audit data), summary.csv (one row per report), indicators.csv, index.html (a
self-contained dashboard linking to one findings page per report under DIR/reports/) and run.json
(the run's settings, rules version, counts, baseline comparison and indicators).

\b
Restarting an interrupted audit with the same --out checks only what is new or changed (content
sha256, rules version and settings); findings.jsonl is appended line by line (fsync'd at least
every second), other files are replaced atomically.  SIGTERM (kill PID) stops the pool like Ctrl-C;
the pool's processes die with the audit, and the lock of a killed audit is taken over.

\b
Manifest CSV columns (header row; all but path optional): path, agency, kind
(department|government), region, year, published_on (YYYY-MM-DD), url, id (the agency's stable id:
pairs its consecutive years for the continuity rules X1xx; else normalised names pair).  Relative paths are taken
from the manifest's folder.  A manifest's published_on and kind are checked as if given with
--published-on/--kind (source "manifest"); agency, year and region replace what the report says in
the summary.  With a manifest, PATHS may be omitted.

\b
Config files inside the audited tree are never read (a submitter cannot switch rules off); only
the file named with --config is used (the keys `check` reads from xxgk-lint.yaml; command-line
options win over it), and it is recorded with its sha256 in run.json.

\b
Scale-out: --executor dask --scheduler tcp://HOST:8786 runs the same per-file function on a Dask
cluster (pip install "xxgk-lint[dask]" on the client and every worker; same xxgk-lint version; the
report paths must be readable by the workers, e.g. a shared file system).  Start it with
`dask scheduler` and, on each host, `dask worker tcp://HOST:8786 --nworkers N --nthreads 1`.

\b
Exit codes: 0 done; 1 findings at or above --fail-on; 2 usage error; 130 interrupted (Ctrl-C), 143
terminated (SIGTERM; the pool is stopped): restart to resume.
"""


@click.command(help=HELP, short_help="Audit a tree of reports: parallel, resumable, with a dashboard.")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--out", "out", required=True, type=click.Path(file_okay=False, path_type=Path), help="Output folder (created; reused to resume).")
@click.option("--manifest", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="CSV with per-file agency, kind, region, year, published_on, url.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), help="Worker processes (default: every core).")
@click.option("--executor", type=click.Choice(["local", "serial", "dask"]), default="local", show_default=True, help="local process pool, in-process (serial), or a Dask cluster.")
@click.option("--scheduler", help="Dask scheduler address for --executor dask (e.g. tcp://10.0.0.5:8786).")
@click.option("--config", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="The only config file the audit uses (recorded in run.json).")
@click.option("--baseline", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Mark findings new/known against this baseline and list the fixed ones.")
@click.option("--write-baseline", type=click.Path(dir_okay=False, path_type=Path), help="Write this run's findings as a baseline file.")
@click.option("--decisions", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Reviewer decisions (YAML or CSV: fingerprint, decision confirmed|dismissed, note, reviewer[, path]).")
@click.option("--min-cases", type=click.IntRange(min=1), help="Fewest cases for a group to be ranked on an indicator (default 30, grammars/indicators.yaml).")
@click.option("--select", multiple=True, help="Only these rule codes or prefixes.")
@click.option("--ignore", multiple=True, help="Skip these rule codes or prefixes.")
@click.option("--template", default="auto", show_default=True, help="Template version: auto or a template id.")
@click.option("--deadline-rollover", type=click.Choice(["none", "next-workday"]), default="none", show_default=True, help="Roll a deadline on a public holiday to the next working day.")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True, help="Language of messages and pages.")
@click.option("--timeout", type=click.FloatRange(min=0), default=300.0, show_default=True, help="Seconds one file may take before its worker is stopped (0 = no limit; local executor).")
@click.option("--pages/--no-pages", default=True, show_default=True, help="Write one HTML findings page per report under DIR/reports/.")
@click.option("--progress", type=click.Choice(["auto", "bar", "lines", "none"]), default="auto", show_default=True, help="Progress on stderr: a bar on a terminal, lines otherwise.")
@click.option("--fail-on", type=click.Choice(["error", "warning", "info", "never"]), default="never", show_default=True, help="Lowest severity (not dismissed) that makes the exit code 1.")
def audit(
    paths: tuple[Path, ...],
    out: Path,
    manifest: Path | None,
    jobs: int | None,
    executor: str,
    scheduler: str | None,
    config: Path | None,
    baseline: Path | None,
    write_baseline: Path | None,
    decisions: Path | None,
    min_cases: int | None,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    template: str,
    deadline_rollover: str,
    lang: str,
    timeout: float,
    pages: bool,
    progress: str,
    fail_on: str,
) -> None:
    from click.core import ParameterSource

    from xxgk_lint.audit.baseline import TriageFileError
    from xxgk_lint.audit.indicators import IndicatorFileError
    from xxgk_lint.audit.manifest import ManifestError
    from xxgk_lint.audit.runner import AuditConfig, AuditError, Terminated, run_audit
    from xxgk_lint.check.rules import RuleFileError
    from xxgk_lint.cli import _split_codes, _template_choices, options_for
    from xxgk_lint.config import Config, ConfigError, load_config

    ctx = click.get_current_context()

    def explicit(name: str) -> bool:
        return ctx.get_parameter_source(name) in (ParameterSource.COMMANDLINE, ParameterSource.ENVIRONMENT)

    if not paths and manifest is None:
        raise click.UsageError("give report folders/files, or a --manifest listing them")
    if executor == "dask" and not scheduler:
        raise click.UsageError("--executor dask needs --scheduler ADDRESS (e.g. tcp://scheduler:8786)")
    # settings: the command line, then --config (never a file found in the audited tree), then defaults
    cli = {
        "template": template if explicit("template") else None,
        "lang": lang if explicit("lang") else None,
        "select": _split_codes(select) if select else None,
        "ignore": _split_codes(ignore) if ignore else None,
        "kind": None,
        "fail_on": fail_on if explicit("fail_on") else None,
        "deadline_rollover": deadline_rollover if explicit("deadline_rollover") else None,
    }
    try:
        office = load_config(config) if config is not None else Config()
        opts, _ = options_for(office, cli, None)
    except (ConfigError, RuleFileError) as exc:
        click.echo(f"xxgk-lint audit: {exc}", err=True)
        sys.exit(2)
    fail_on = cli["fail_on"] or (office.fail_on if config is not None and office.fail_on else "never")
    if opts.template not in _template_choices():  # type: ignore[attr-defined]
        raise click.BadParameter(f"unknown template '{opts.template}' (choose from {', '.join(_template_choices())})", param_hint="--template")  # type: ignore[attr-defined]
    cfg = AuditConfig(
        paths=list(paths), out=out, manifest=manifest, opts=opts, jobs=jobs, executor=executor, scheduler=scheduler,
        config=config, baseline=baseline, write_baseline=write_baseline, decisions=decisions, min_cases=min_cases,
        timeout=timeout or None, pages=pages, progress=progress, argv=sys.argv[1:],
    )
    try:
        opts.active_rules()  # type: ignore[attr-defined]
        outcome = run_audit(cfg)
    except (AuditError, ManifestError, TriageFileError, IndicatorFileError, RuleFileError) as exc:
        click.echo(f"xxgk-lint audit: {exc}", err=True)
        sys.exit(2)
    except KeyboardInterrupt as exc:
        why = "terminated (SIGTERM)" if isinstance(exc, Terminated) else "interrupted"
        click.echo(f"\nxxgk-lint audit: {why}; run the same command again to resume ({out})", err=True)
        sys.exit(143 if isinstance(exc, Terminated) else 130)
    t = outcome.run["totals"]
    c = outcome.counts
    msg = (
        f"{t['reports']} report(s): {c['checked']} checked, {c['reused']} reused; "
        f"{t['reports_with_errors']} with errors; {t['errors']} error(s), {t['warnings']} warning(s), {t['infos']} info"
    )
    if t.get("dismissed"):
        msg += f", {t['dismissed']} dismissed"
    click.echo(f"{msg}\n{out / 'index.html'}", err=True)
    if fail_on != "never":
        worst = {"error": t["errors"], "warning": t["errors"] + t["warnings"], "info": t["errors"] + t["warnings"] + t["infos"]}[fail_on]
        sys.exit(1 if worst else 0)
