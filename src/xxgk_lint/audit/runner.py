"""The audit run: plan (what to check, what to reuse), execute, write, finalize.

Resuming: every record in ``findings.jsonl`` carries the file's sha256, the rules version and a
hash of the run settings that affect it (options, the manifest row, the config file).  A restarted
audit with the same ``--out`` reuses a record when all three are unchanged (and its page exists, and
``snapshots.jsonl`` holds the report's snapshot for the same three); everything else is checked
again.  The continuity rules (X1xx) over an agency's consecutive years run at the end, from the
snapshots (audit.yoy).  The rules version is a hash over the built-in rule files, the
templates and grammars (``rules/``, ``grammars/``), the HTML templates (``reports/``), the package's
own source and the tool version, so an upgrade re-checks everything.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from xxgk_lint import __version__
from xxgk_lint.audit.indicators import builtin_indicators
from xxgk_lint.audit.manifest import ManifestRow, load_manifest, real
from xxgk_lint.audit.progress import Progress
from xxgk_lint.audit.store import JsonlAppender, dumps, scan_jsonl, write_atomic
from xxgk_lint.audit.worker import PAGE_DIR, Result, Task, audit_file, file_sha256, page_name
from xxgk_lint.audit.yoy import SNAPSHOTS, scan_snapshots, snapshot_line
from xxgk_lint.data import data_root
from xxgk_lint.pipeline import Options, iter_inputs

FINDINGS = "findings.jsonl"
SUMMARY = "summary.csv"
INDEX = "index.html"
RUN = "run.json"
INDICATORS = "indicators.csv"
LOCK = ".audit.lock"


class AuditError(Exception):
    """A usage problem found before any file is checked (exit code 2)."""


@dataclass(slots=True)
class AuditConfig:
    paths: list[Path]
    out: Path
    manifest: Path | None = None
    opts: Options = field(default_factory=Options)
    jobs: int | None = None  # None = every core
    executor: str = "local"  # local | serial | dask
    scheduler: str | None = None
    config: Path | None = None
    baseline: Path | None = None
    write_baseline: Path | None = None
    decisions: Path | None = None
    min_cases: int | None = None  # None = grammars/indicators.yaml's min_cases
    timeout: float | None = 300.0
    pages: bool = True
    progress: str = "auto"  # auto | bar | lines | none
    fsync: bool = True
    argv: list[str] = field(default_factory=list)


@dataclass(slots=True)
class AuditOutcome:
    run: dict[str, Any]
    out: Path

    @property
    def counts(self) -> dict[str, int]:
        return self.run["counts"]


# --- versions and settings ------------------------------------------------------------------------


def _hash_tree(h: Any, root: Path, suffixes: tuple[str, ...]) -> None:
    for p in sorted(root.rglob("*")):
        if p.is_file() and p.suffix in suffixes and "__pycache__" not in p.parts:
            h.update(p.relative_to(root).as_posix().encode("utf-8") + b"\0")
            h.update(p.read_bytes())
            h.update(b"\0")


def rules_version() -> str:
    """A hash over rules/, grammars/ (templates, grammars, indicators), reports/, the package source
    and the tool version: anything that can change a report's findings or page."""
    h = hashlib.sha256(f"xxgk-lint {__version__}\0".encode())
    for name in ("rules", "grammars", "reports"):
        h.update(name.encode() + b"\0")
        _hash_tree(h, data_root(name), (".yaml", ".yml", ".lark", ".j2", ".css", ".js"))
    _hash_tree(h, Path(__file__).resolve().parents[1], (".py",))
    return h.hexdigest()[:16]


def options_json(opts: Options) -> dict[str, Any]:
    return {
        "template": opts.template,
        "lang": opts.lang,
        "select": list(opts.select),
        "ignore": list(opts.ignore),
        "kind": opts.kind,
        "published_on": opts.published_on.isoformat() if opts.published_on else None,
        "severity": dict(sorted(opts.severity.items())),
        "extra": {k: v for k, v in sorted(opts.extra.items()) if isinstance(v, (str, int, float, bool, type(None)))},
        # extra rule folders from --config: a digest of the loaded rules, so editing them re-checks
        "custom_rules": hashlib.sha256(repr(opts.rules).encode("utf-8")).hexdigest()[:16] if opts.rules is not None else None,
    }


def settings_hash(opts: Options, overrides: dict[str, Any], config_sha: str | None, pages: bool, refs: tuple[str, ...]) -> str:
    blob = json.dumps([options_json(opts), overrides, config_sha, pages, list(refs)], ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


# --- the output folder's lock ---------------------------------------------------------------------


_HELD: set[str] = set()  # output folders locked by this process (POSIX locks do not exclude ourselves)


@contextlib.contextmanager
def _locked(out: Path) -> Iterator[None]:
    """One audit per output folder at a time.

    A POSIX record lock (``fcntl.lockf``) on ``.audit.lock``, which holds the owner's pid: such a lock
    belongs to the process, is not inherited by the pool processes it forks (an ``flock`` on the
    inherited descriptor was, so orphaned workers kept a dead audit's folder locked) and is released
    by the kernel when the owner dies, so the lock of a killed audit is taken over by the next one."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no lock
        yield
        return
    where = real(out)
    if where in _HELD:
        raise AuditError(f"another audit is writing to {out} (lock {LOCK}, this process)")
    fd = os.open(out / LOCK, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
    try:
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            owner = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
            who = f", pid {owner}" if owner.isdigit() else ""
            raise AuditError(f"another audit is writing to {out} (lock {LOCK}{who})") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        _HELD.add(where)
        try:
            yield
        finally:
            _HELD.discard(where)
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)
    finally:
        os.close(fd)  # releases the lock


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised in the main thread so that it takes the interrupt path (exit code 143)."""


@contextlib.contextmanager
def _sigterm_interrupts() -> Iterator[None]:
    """While the audit runs, SIGTERM (``kill PID``, systemd, a batch system) interrupts it like
    Ctrl-C: the pool is shut down, run.json says "interrupted" and a rerun resumes."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_term(signum: int, frame: Any) -> None:
        raise Terminated()

    old = signal.signal(signal.SIGTERM, on_term)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, old)


# --- planning -------------------------------------------------------------------------------------


@dataclass(slots=True)
class Input:
    path: str
    key: str
    row: ManifestRow | None


def collect_inputs(
    paths: list[Path], manifest: dict[str, ManifestRow] | None, exclude: Path | None = None
) -> tuple[list[Input], str, list[str]]:
    """(inputs in order, audit root, manifest paths that matched no input).  Files under
    ``exclude`` (the output folder, whose pages are HTML) are never inputs."""
    files: list[Path] = list(iter_inputs(paths)) if paths else [Path(p) for p in (manifest or {})]
    if exclude is not None:
        skip = real(exclude) + os.sep
        files = [f for f in files if not real(f).startswith(skip)]
    anchors = [os.path.abspath(p) if Path(p).is_dir() else os.path.dirname(os.path.abspath(p)) for p in (paths or files)]
    root = os.path.commonpath(anchors) if anchors else os.getcwd()
    rows = manifest or {}
    used: set[str] = set()
    out: list[Input] = []
    seen: set[str] = set()
    for f in files:
        rp = real(f)
        key = Path(os.path.relpath(os.path.abspath(f), root)).as_posix()
        if key in seen:
            continue
        seen.add(key)
        row = rows.get(rp)
        if row is not None:
            used.add(rp)
        out.append(Input(str(f), key, row))
    unmatched = sorted(set(rows) - used)
    return out, root, unmatched


UNMATCHED_SHOWN = 5


def unmatched_message(unmatched: list[str], shown: int = UNMATCHED_SHOWN) -> str:
    """The stderr warning for manifest rows that name no audited file."""
    head = ", ".join(unmatched[:shown]) + (f", ... (+{len(unmatched) - shown})" if len(unmatched) > shown else "")
    return (
        f"xxgk-lint audit: {len(unmatched)} manifest row(s) name no file under the given paths "
        f"(not audited; listed in run.json settings.manifest.unmatched and on the dashboard): {head}"
    )


def _overrides(row: ManifestRow | None) -> dict[str, Any]:
    return {k: v for k, v in (row.overrides() if row else {}).items() if v is not None}


# --- running --------------------------------------------------------------------------------------


def run_audit(
    cfg: AuditConfig,
    *,
    worker: Callable[[Task], Result] = audit_file,
    stderr: IO[str] | None = None,
) -> AuditOutcome:
    from xxgk_lint.audit import outputs
    from xxgk_lint.audit.executors import Prepared, run_dask, run_local, run_serial

    stderr = stderr if stderr is not None else sys.stderr
    out = cfg.out
    out.mkdir(parents=True, exist_ok=True)
    if cfg.executor == "dask":
        if not cfg.scheduler:
            raise AuditError("--executor dask needs --scheduler ADDRESS (e.g. tcp://scheduler:8786)")
        import importlib.util

        if importlib.util.find_spec("distributed") is None:
            raise AuditError('--executor dask needs the optional extra: pip install "xxgk-lint[dask]"')
    manifest = load_manifest(cfg.manifest) if cfg.manifest else None
    if not cfg.paths and not manifest:
        raise AuditError("give report folders/files, or a --manifest listing them")
    config_sha = file_sha256(cfg.config) if cfg.config else None
    if cfg.config and config_sha is None:
        raise AuditError(f"cannot read --config {cfg.config}")
    # fail on a bad baseline/decisions file before spending hours on the files
    outputs.preload_triage(cfg)

    iset = builtin_indicators()
    refs = iset.refs()
    rv = rules_version()
    run_id = uuid.uuid4().hex[:12]
    started = time.monotonic()
    with _sigterm_interrupts(), _locked(out):
        inputs, root, unmatched = collect_inputs(cfg.paths, manifest, exclude=out)
        if unmatched:
            stderr.write(unmatched_message(unmatched) + "\n")
        jsonl = out / FINDINGS
        index, bad_lines = scan_jsonl(jsonl)
        snaps, bad_snaps = scan_snapshots(out / SNAPSHOTS)
        previous = _read_json(out / RUN)
        tasks: list[Task] = []
        reused = 0
        for i, inp in enumerate(inputs):
            ov = _overrides(inp.row)
            opts = cfg.opts
            if "kind" in ov or "published_on" in ov:
                from datetime import date

                opts = dataclasses.replace(
                    opts,
                    kind=ov.get("kind", opts.kind),
                    published_on=date.fromisoformat(ov["published_on"]) if "published_on" in ov else opts.published_on,
                )
            settings = settings_hash(opts, ov, config_sha, cfg.pages, refs)
            prev = index.get(inp.key)
            if prev is not None:
                done = prev[1]
                page_ok = not cfg.pages or done.page is None or _nonempty(out / done.page)
                snap = snaps.get(inp.key)
                snap_ok = snap is not None and snap.matches(done)
                if done.rules_version == rv and done.settings == settings and page_ok and snap_ok and done.sha256 == file_sha256(inp.path):
                    reused += 1
                    continue
            tasks.append(
                Task(
                    index=i, path=inp.path, key=inp.key, opts=opts, settings=settings, rules_version=rv, refs=refs,
                    overrides=ov, page=page_name(inp.key) if cfg.pages else None, run_id=run_id,
                )
            )
        jobs = cfg.jobs or os.cpu_count() or 1
        run: dict[str, Any] = {
            "tool": "xxgk-lint",
            "kind": "audit-run",
            "version": __version__,
            "schema": 1,
            "run_id": run_id,
            "status": "running",
            "started_at": _now(),
            "finished_at": None,
            "settings": {
                "rules_version": rv,
                "tool_version": __version__,
                "python": sys.version.split()[0],
                "options": options_json(cfg.opts),
                "executor": cfg.executor,
                "scheduler": cfg.scheduler,
                "jobs": jobs if cfg.executor == "local" else None,
                "timeout": cfg.timeout,
                "pages": cfg.pages,
                "root": root,
                "paths": [str(p) for p in cfg.paths],
                "manifest": {"path": str(cfg.manifest), "sha256": file_sha256(cfg.manifest), "rows": len(manifest or {}), "unmatched": unmatched}
                if cfg.manifest
                else None,
                # config files inside the audited tree are never read; only this one would be
                "config": {"path": str(cfg.config), "sha256": config_sha} if cfg.config else None,
                "config_discovery": False,
                "baseline": str(cfg.baseline) if cfg.baseline else None,
                "decisions": str(cfg.decisions) if cfg.decisions else None,
                "min_cases": cfg.min_cases if cfg.min_cases is not None else iset.min_cases,
                "argv": cfg.argv,
            },
            "counts": {"inputs": len(inputs), "to_check": len(tasks), "checked": 0, "reused": reused, "crashed": 0, "timed_out": 0,
                       "pool_restarts": 0, "bad_lines_dropped": bad_lines, "bad_snapshot_lines_dropped": bad_snaps},
            "history": _history(previous),
        }
        write_atomic(out / RUN, json.dumps(run, ensure_ascii=False, indent=2) + "\n")
        if cfg.pages:
            (out / PAGE_DIR).mkdir(exist_ok=True)
        progress = Progress(len(tasks), stderr, mode=cfg.progress, reused=reused)
        checked = 0

        # exited in reverse: snapshots.jsonl is synced before findings.jsonl
        with JsonlAppender(jsonl, fsync=cfg.fsync) as app, JsonlAppender(out / SNAPSHOTS, fsync=cfg.fsync) as snap_app:

            def handle(result: Result | Prepared | tuple[dict[str, Any], str | None]) -> None:
                nonlocal checked
                rec, html = result[0], result[1]
                page = rec.get("audit", {}).get("page")
                if html is not None and page:
                    write_atomic(out / page, html, sync=False)
                if len(result) == 4:  # serialised by the pool process (executors.prepared)
                    snap_line, rec_line = result[3]  # type: ignore[misc]
                else:
                    snap = result[2] if len(result) > 2 else None
                    snap_line, rec_line = dumps(snapshot_line(rec.get("audit", {}), snap)), dumps(rec)
                # the snapshot first: a record in findings.jsonl always has its snapshot (on disk
                # too: the batched fsyncs do snapshots.jsonl first)
                snap_app.append_line(snap_line)
                app.append_line(rec_line)
                if app.due() or snap_app.due():
                    snap_app.sync()
                    app.sync()
                checked += 1
                progress.update()

            status = "complete"
            stats: dict[str, int] = {}
            try:
                if not tasks:
                    stats = {}
                elif cfg.executor == "serial":
                    stats = run_serial(tasks, worker, handle)
                elif cfg.executor == "dask":
                    stats = run_dask(tasks, worker, handle, scheduler=str(cfg.scheduler), jobs=cfg.jobs)
                else:
                    stats = run_local(tasks, worker, handle, jobs=jobs, timeout=cfg.timeout, out=out)
            except KeyboardInterrupt:
                status = "interrupted"
                raise
            finally:
                progress.close()
                run["counts"]["checked"] = checked
                run["counts"].update({k: v for k, v in stats.items() if k in run["counts"]})
                run["elapsed_s"] = round(time.monotonic() - started, 3)
                if status != "complete" or sys.exc_info()[0] is not None:
                    run["status"] = "interrupted"
                    run["finished_at"] = _now()
                    write_atomic(out / RUN, json.dumps(run, ensure_ascii=False, indent=2) + "\n")
        try:
            final = outputs.finalize(cfg, run, [i.key for i in inputs], iset)
        except KeyboardInterrupt:  # every record is in; a rerun only rebuilds the outputs
            run["status"] = "interrupted"
            run["finished_at"] = _now()
            write_atomic(out / RUN, json.dumps(run, ensure_ascii=False, indent=2) + "\n")
            raise
        run.update(final)
        run["status"] = "complete"
        run["finished_at"] = _now()
        run["elapsed_s"] = round(time.monotonic() - started, 3)
        write_atomic(out / RUN, json.dumps(run, ensure_ascii=False, indent=2) + "\n")
    return AuditOutcome(run, out)


def _nonempty(p: Path) -> bool:
    try:
        return p.stat().st_size > 0
    except OSError:
        return False


def _read_json(p: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _history(previous: dict[str, Any] | None, keep: int = 20) -> list[dict[str, Any]]:
    if not previous:
        return []
    hist = list(previous.get("history") or [])
    hist.append({k: previous.get(k) for k in ("run_id", "status", "started_at", "finished_at", "counts")})
    return hist[-keep:]
