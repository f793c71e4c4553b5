"""``python -m torch_notes`` runs the command-line interface."""

import sys

from torch_notes.cli.main import main

sys.exit(main())
