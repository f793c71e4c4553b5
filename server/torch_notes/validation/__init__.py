"""Execution of every example and snippet under torch, in isolated workers."""
