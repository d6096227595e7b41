"""Data sources (one function per format) and deterministic transforms."""
