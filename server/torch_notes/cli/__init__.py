"""The ``torch-notes`` command line."""
