"""Reusable network builders (Keras layers only, so any Keras backend runs them)."""
