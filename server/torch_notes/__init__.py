"""torch-notes: a validated PyTorch knowledge base served to editors over LSP."""

__version__ = "0.1.0"
