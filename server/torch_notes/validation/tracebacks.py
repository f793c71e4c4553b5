"""Rewrite worker tracebacks so they point at the note file instead of the job's pseudo file."""

from __future__ import annotations

import re

from torch_notes.validation.jobs import Job

_NOISE = re.compile(r"^\s*Extension modules:.*$\n?", re.MULTILINE)


def _pattern(job: Job) -> re.Pattern[str]:
    # Python tracebacks: 'File "<f>", line 3, in <module>'; faulthandler: '... line 3 in <module>'
    return re.compile(r'File "' + re.escape(job.filename) + r'", line (\d+)')


def map_traceback(text: str, job: Job) -> str:
    """``File "<torch-notes id:example>", line 4`` → ``snippets/x.yaml:57 (example line 4)``."""
    mapped = _pattern(job).sub(lambda m: job.line_map.describe(int(m.group(1))), text)
    return _NOISE.sub("", mapped)


def first_job_line(text: str, job: Job) -> int:
    """The first job line named in ``text`` (a faulthandler dump lists the deepest frame first)."""
    match = _pattern(job).search(text)
    return int(match.group(1)) if match else 0
