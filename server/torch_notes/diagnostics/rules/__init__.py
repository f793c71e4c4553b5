"""The rules, one module each; :mod:`torch_notes.diagnostics.registry` lists them."""
