"""Running the per-file function over many files: a local process pool, in-process, or Dask.

Every executor takes an iterable of tasks, a worker function ``task -> (record, page_html, snapshot)`` and a
``handle`` callback that the results are passed to, in the parent process, one at a time and in
completion order.  Submission is bounded (a few tasks per worker in flight), so memory does not
grow with the number of files.

Local pool (``--executor local``, the default): a :class:`concurrent.futures.ProcessPoolExecutor`.
A worker that dies (segfault, ``os._exit``, the OOM killer) breaks the whole pool; the files that
were in flight are then re-run one at a time in a fresh single-worker pool, so the one that kills
its worker again is identified, recorded with an E100 finding, and the batch goes on with a new pool.
A file that runs longer than ``timeout`` seconds is recorded the same way and its pool replaced.

Dask (``--executor dask --scheduler ADDRESS``): the same worker function is submitted to a Dask
distributed cluster with ``client.submit`` and collected with ``as_completed``.  The workers need
the same ``xxgk-lint`` version installed (``pip install "xxgk-lint[dask]"``) and read access to the
report files under the same paths (a shared file system); results come back to the client, which
writes every output.  Start a cluster with ``dask scheduler`` on one host and ``dask worker
tcp://HOST:8786 --nthreads 1 --nworkers N`` on each worker host (one thread per process: the check is
CPU-bound Python), then ``xxgk-lint audit --executor dask --scheduler tcp://HOST:8786 ...``.
Dask retries a task whose worker died (``distributed.scheduler.allowed-failures``); a task that
still fails is recorded with an E100 finding.

Every local pool process is started with :func:`worker_init`: it dies with the audit's main process
(``PR_SET_PDEATHSIG`` on Linux, and a watchdog thread that exits when the parent pid changes, for
other systems), so a ``kill PID`` or the OOM killer never leaves orphaned workers behind.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from xxgk_lint.audit.store import dumps, write_atomic
from xxgk_lint.audit.worker import Result, Task, error_record

# (small record: {"audit": {"page"}}, page html or None, None, (snapshots.jsonl line, findings.jsonl line))
Prepared = tuple[dict[str, Any], str | None, None, tuple[str, str]]
Worker = Callable[[Task], Result]
Handler = Callable[[Result | Prepared], None]

IN_FLIGHT_PER_WORKER = 2
WATCHDOG_S = 1.0  # how often a pool process checks that its parent is alive
PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def _parent_death_signal(sig: int) -> bool:
    """Ask the kernel to send ``sig`` to this process when its parent dies (Linux only)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, sig, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _watchdog(parent: int) -> None:
    while True:
        time.sleep(WATCHDOG_S)
        if os.getppid() != parent:  # re-parented: the audit is gone
            os._exit(1)


def worker_init(parent: int) -> None:
    """Pool process initializer: die with the parent ``parent`` (its pid when the pool was made).

    SIGTERM gets its default action back (the parent's handler, inherited by fork, would turn it
    into an interrupt inside a task); the parent's death kills the process (PR_SET_PDEATHSIG, SIGKILL)
    and a daemon thread checks ``os.getppid()`` as a fallback (other OSes; a parent that died
    before prctl took effect)."""
    with contextlib.suppress(ValueError, OSError):  # not the main thread / no such signal
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _parent_death_signal(int(signal.SIGKILL))
    if os.getppid() != parent:
        os._exit(1)
    threading.Thread(target=_watchdog, args=(parent,), name="xxgk-lint-watchdog", daemon=True).start()


def new_pool(workers: int) -> ProcessPoolExecutor:
    """A process pool whose processes die with this one (:func:`worker_init`)."""
    return ProcessPoolExecutor(max_workers=max(1, workers), initializer=worker_init, initargs=(os.getpid(),))


def prepared(worker: Worker, task: Task, out: str | None) -> Prepared:
    """Run ``worker`` and do, in the pool process, what the parent would do with its result: write
    the report's page under ``out`` (None: the parent writes it, e.g. a Dask client without a shared
    file system) and serialise the snapshot and record lines.  The parent, which would otherwise
    compete with the workers for the cores, then only appends two strings."""
    from xxgk_lint.audit.yoy import snapshot_line

    result = worker(task)
    rec, html = result[0], result[1]
    snap = result[2] if len(result) > 2 else None
    meta = rec.get("audit", {})
    page = meta.get("page")
    if out is not None and html is not None and page:
        try:
            write_atomic(Path(out) / page, html, sync=False)
        except OSError as exc:  # the record matters more than the page
            meta["page"] = page = None
            meta["page_error"] = f"{type(exc).__name__}: {exc}"
        html = None
    return {"audit": {"page": page}}, html, None, (dumps(snapshot_line(meta, snap)), dumps(rec))


def run_serial(tasks: Iterable[Task], worker: Worker, handle: Handler) -> dict[str, int]:
    for t in tasks:
        handle(worker(t))
    return {"crashed": 0, "timed_out": 0, "pool_restarts": 0}


def _kill_pool(ex: ProcessPoolExecutor) -> None:
    """Stop a pool's processes now (a hung or broken pool cannot be shut down politely)."""
    procs = list(getattr(ex, "_processes", None) or {})
    results = getattr(ex, "_result_queue", None)  # (shutdown forgets it)
    for pid in procs:
        proc = ex._processes.get(pid) if getattr(ex, "_processes", None) else None  # type: ignore[union-attr]
        if proc is not None:
            with contextlib.suppress(Exception):
                proc.kill()
    with contextlib.suppress(Exception):
        ex.shutdown(wait=False, cancel_futures=True)
    # A worker killed while sending its result leaves the pool's manager thread waiting for the rest
    # of that message, and the interpreter's exit waits for that thread: a hang after Ctrl-C, SIGTERM
    # or a timeout.  Besides the (now dead) workers, this process holds the only write end of the
    # result pipe: closing it turns that wait into EOF, which the thread handles as a broken pool.
    if procs and results is not None:
        with contextlib.suppress(Exception):
            results._writer.close()


def run_local(
    tasks: Iterable[Task], worker: Worker, handle: Handler, *, jobs: int, timeout: float | None = None, out: Path | None = None
) -> dict[str, int]:
    """With ``out`` the pool processes write the pages there and serialise the lines (:func:`prepared`);
    without it ``handle`` gets the worker's own results."""
    def submit(ex: ProcessPoolExecutor, t: Task) -> Future[Any]:
        return ex.submit(prepared, worker, t, str(out)) if out is not None else ex.submit(worker, t)

    stats = {"crashed": 0, "timed_out": 0, "pool_restarts": 0}
    source = iter(tasks)
    retry: deque[Task] = deque()  # innocent tasks of a pool that was killed
    suspects: list[Task] = []  # in flight when a worker died
    limit = max(1, jobs) * IN_FLIGHT_PER_WORKER
    exhausted = False

    def next_task() -> Task | None:
        nonlocal exhausted
        if retry:
            return retry.popleft()
        if exhausted:
            return None
        t = next(source, None)
        if t is None:
            exhausted = True
        return t

    while True:
        ex = new_pool(jobs)
        inflight: dict[Future[Any], Task] = {}
        started: dict[Future[Any], float] = {}
        broken = killed = False
        try:
            while True:
                while len(inflight) < limit and not broken:
                    t = next_task()
                    if t is None:
                        break
                    try:
                        inflight[submit(ex, t)] = t
                    except BrokenProcessPool:  # a worker died since the last wait
                        retry.appendleft(t)
                        broken = True
                if broken:
                    break
                if not inflight:
                    break
                done, _ = wait(inflight, timeout=0.5 if timeout else None, return_when=FIRST_COMPLETED)
                for f in done:
                    t = inflight.pop(f)
                    started.pop(f, None)
                    try:
                        handle(f.result())
                    except BrokenProcessPool:
                        suspects.append(t)
                        broken = True
                    except Exception as exc:  # noqa: BLE001 - e.g. an unpicklable result
                        handle((error_record(t, f"audit: {type(exc).__name__}: {exc}"), None, None))
                if broken:
                    break
                if timeout:
                    now = time.monotonic()
                    for f in inflight:
                        if f.running() and f not in started:
                            started[f] = now
                    if started:
                        oldest = min(started, key=started.__getitem__)
                        if now - started[oldest] > timeout:
                            t = inflight.pop(oldest)
                            stats["timed_out"] += 1
                            handle((error_record(t, f"audit: timed out after {timeout:g} s; the worker was stopped"), None, None))
                            retry.extendleft(reversed(list(inflight.values())))
                            inflight.clear()
                            _kill_pool(ex)
                            killed = True
                            stats["pool_restarts"] += 1
                            break
        except BaseException:
            _kill_pool(ex)
            raise
        if broken:
            # every other in-flight task failed with the pool; those that finished before it broke are kept
            for f, t in inflight.items():
                if f.done() and not f.cancelled() and f.exception() is None:
                    handle(f.result())
                else:
                    suspects.append(t)
            _kill_pool(ex)
            stats["pool_restarts"] += 1
            _isolate(suspects, submit, handle, stats, timeout)
            suspects.clear()
            continue
        if not killed:
            ex.shutdown(wait=True)
        if not retry and exhausted:
            break
    return stats


def _isolate(
    suspects: list[Task], submit: Callable[[ProcessPoolExecutor, Task], Future[Any]], handle: Handler, stats: dict[str, int],
    timeout: float | None,
) -> None:
    """Run each task that was in flight when a worker died alone; the one that dies again is recorded."""
    for t in suspects:
        ex = new_pool(1)
        try:
            f = submit(ex, t)
            try:
                handle(f.result(timeout=timeout))
            except BrokenProcessPool:
                stats["crashed"] += 1
                handle((error_record(t, "audit: the worker process died while checking this file"), None, None))
            except TimeoutError:
                stats["timed_out"] += 1
                handle((error_record(t, f"audit: timed out after {timeout:g} s; the worker was stopped"), None, None))
            except Exception as exc:  # noqa: BLE001
                handle((error_record(t, f"audit: {type(exc).__name__}: {exc}"), None, None))
        finally:
            _kill_pool(ex)


def run_dask(tasks: Iterable[Task], worker: Worker, handle: Handler, *, scheduler: str, jobs: int | None = None) -> dict[str, int]:
    """Run on a Dask distributed cluster (``pip install "xxgk-lint[dask]"``)."""
    try:
        from distributed import Client, as_completed
    except ImportError as exc:  # pragma: no cover - exercised by the CLI's message
        raise RuntimeError('the dask executor needs the optional extra: pip install "xxgk-lint[dask]"') from exc
    stats = {"crashed": 0, "timed_out": 0, "pool_restarts": 0}
    with Client(scheduler) as client:
        nthreads = sum(client.nthreads().values()) or 1
        limit = max(4, (jobs or nthreads) * 4)
        source = iter(tasks)
        meta: dict[str, Task] = {}
        ac = as_completed()

        def submit_one() -> bool:
            t = next(source, None)
            if t is None:
                return False
            fut = client.submit(prepared, worker, t, None, pure=False)
            meta[fut.key] = t
            ac.add(fut)
            return True

        for _ in range(limit):
            if not submit_one():
                break
        for fut in ac:
            t = meta.pop(fut.key)
            try:
                result = fut.result()
            except Exception as exc:  # noqa: BLE001 - KilledWorker, a lost worker, ...
                stats["crashed"] += 1
                result = (error_record(t, f"audit (dask): {type(exc).__name__}: {exc}"), None, None)
            fut.release()
            handle(result)
            submit_one()
    return stats
