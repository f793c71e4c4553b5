"""Editor features as plain functions over documents and the corpus."""
