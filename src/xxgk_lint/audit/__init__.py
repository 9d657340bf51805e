"""Bulk audit for oversight offices (``xxgk-lint audit``).

- :mod:`.runner` plans a run (what to check, what to reuse from a previous run) and drives it;
- :mod:`.worker` is the per-file function (a pool process or a Dask worker runs it);
- :mod:`.executors` runs it: local process pool (crash- and hang-tolerant), serial, or Dask;
- :mod:`.store` writes crash-safe files; :mod:`.outputs` builds summary.csv, indicators.csv,
  index.html and run.json from findings.jsonl;
- :mod:`.manifest`, :mod:`.baseline` (baseline and reviewer decisions) and :mod:`.indicators`
  (definitions in ``grammars/indicators.yaml``).
"""
