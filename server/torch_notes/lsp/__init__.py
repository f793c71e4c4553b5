"""The pygls wiring: server, settings and protocol handlers."""
