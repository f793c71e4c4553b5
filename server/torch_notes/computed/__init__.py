"""Hovers computed from the code under the cursor (filled-in formulas), beside the notes."""
