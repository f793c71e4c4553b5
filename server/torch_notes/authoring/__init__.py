"""Writing notes in the editor: checks, completion, hovers, scaffolds and previews of note files.

Pure functions over a note file's *text* (the open document, never re-read from disk)
and the loaded corpus. The LSP layer wires them (``lsp/note_files.py``,
``lsp/note_validation.py``) and the command line uses the scaffold (``torch-notes new``).

- :mod:`checks`: every problem of a note file as located :class:`~findings.Finding`\\ s
  (the loader's errors, symbols torch lacks, unknown ``related`` ids, budgets).
- :mod:`context`, :mod:`completion`, :mod:`hover`: where the cursor is in the YAML,
  what to complete there, what to show on a symbol, an id or a related id.
- :mod:`scaffold`: a new note for an API symbol, and where it goes.
- :mod:`preview`: the hover card a Python file would show for a note.
- :mod:`outcomes`: validation results as findings on the failing lines.
"""
