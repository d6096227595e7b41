"""Consuming registered generators: ``load_generator``, the pyfunc model, the CLI's engine.

``load_generator`` and the rest load Keras on first use, not on ``import ganops.serving``:
``ganops serve`` starts a server through ``ganops.serving.rest`` without loading it first.
"""

from __future__ import annotations

from typing import Any

__all__ = ["Generator", "load_generator", "model_uri"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from ganops.serving import load

        return getattr(load, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
