"""Note-driven diagnostics: rules that find, in Python source, the mistakes the notes describe.

Every rule is a pure function over a parsed document (its tree-sitter tree and import
bindings), the corpus index and the shipped API inventory; it returns frozen
:class:`~torch_notes.diagnostics.model.Diagnostic` values located by tree-sitter points.
Conversion to LSP types happens at the edge (:mod:`torch_notes.diagnostics.lsp_convert`).
"""
