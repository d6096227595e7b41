"""Consuming registered generators: the pyfunc model (and, next, loading and the CLI)."""
