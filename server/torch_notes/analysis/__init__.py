"""Document analysis: error-tolerant parsing and resolution of names to torch APIs."""
