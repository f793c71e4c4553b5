"""Execution of every example and snippet under torch, in isolated workers.

- :mod:`jobs` turns notes into jobs (example; each snippet expansion) with line maps.
- :mod:`pool` runs jobs on long-lived worker processes (:mod:`worker`) with a
  timeout and a memory limit, speaking :mod:`protocol` over pipes.
- :mod:`runner` ties them together; :mod:`results`, :mod:`tracebacks`,
  :mod:`render` and :mod:`report` present the outcome.
- :mod:`record` reads and writes ``verified.json``; it never imports torch
  (nor does anything here except :mod:`worker` and :mod:`requirements`).
"""
