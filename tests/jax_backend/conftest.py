"""The JAX backend's tests, collected only in a process whose Keras runs on JAX: the main
suite runs them in one such process (``tests/test_jax_backend.py``); by hand,
``KERAS_BACKEND=jax pytest tests/jax_backend``."""

import os

if os.environ.get("KERAS_BACKEND") != "jax":
    collect_ignore_glob = ["test_*.py"]
