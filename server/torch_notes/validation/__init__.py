"""Execution of every example, hover block and snippet under torch, in sandboxed workers.

- :mod:`runner` holds the one entry point, :func:`runner.validate_jobs`.
- :mod:`jobs` turns notes into jobs (example; hover block; each snippet expansion)
  with line maps.
- :mod:`pool` runs jobs on workers started by :mod:`containment` (bubblewrap, or the
  Landlock fallback; cgroup v2 or rlimits), speaking :mod:`wire` over pipes; each
  worker is a :mod:`forkserver` that forks one fresh process per job.
- :mod:`results`, :mod:`tracebacks`, :mod:`render` and :mod:`report` present the outcome.
- Only :mod:`forkserver`, :mod:`tags` and :mod:`hover_check` run in workers; the
  validator's own process never imports torch.
"""
