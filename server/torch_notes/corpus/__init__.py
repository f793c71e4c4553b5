"""The note corpus: data model, YAML loading, lookup and search."""
