"""Building the VS Code extension: one .vsix per VS Code target, from one table of targets.

``targets``  the table: VS Code target → pip platform tags, marker environment, binary format
``wheels``   wheel file names, tags, and the headers of compiled modules (ELF, Mach-O, PE)
``lock``     ``requirements/bundle.lock``: generating it from pyproject.toml, reading it
``build``    one target's ``bundled/libs`` installed from the lock, and its .vsix
``inspect``  what a built .vsix holds, checked against its target
"""
