"""The budgets of a hover card (issue 10): one source of truth for the tests and the editor.

``tests/test_note_budgets.py`` holds every built-in note to them; the note-file checks
(:mod:`torch_notes.authoring.checks`) warn about a user's note that exceeds one.
"""

from __future__ import annotations

SUMMARY_MAX = 160
"""Characters of a summary, per language."""
PITFALL_MAX = 320
"""Characters of a pitfall, per language."""
HOVER_LINES_MAX = 10
"""Lines of the ``hover`` block."""
CARD_MAX = 1400
"""Characters of a rendered card (``card_markdown``), per language."""
CARD_MEDIAN_MAX = 900
"""The median card of the built-in corpus, per language."""
VERIFIED_SAMPLE = "2.14.1"
"""The version a card is measured with, as if verified (the verified-on line counts)."""
