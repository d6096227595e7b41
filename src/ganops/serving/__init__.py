"""Consuming registered generators: ``load_generator``, the pyfunc model, the CLI's engine."""

from ganops.serving.load import Generator, load_generator, model_uri

__all__ = ["Generator", "load_generator", "model_uri"]
