"""A quiet start: no framework start-up lines or third-party deprecation notes before ours.

TensorFlow ≥ 2.19 writes its C++ start-up lines (oneDNN, CUDA drivers, absl) to file
descriptor 2 while it is imported, before ``TF_CPP_MIN_LOG_LEVEL`` is read
(tensorflow/tensorflow#100442), so the import itself runs with that descriptor muted.
``TF_CPP_MIN_LOG_LEVEL=0`` shows them again.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import sys
import warnings
from collections.abc import Iterator
from importlib.util import find_spec

#: Warnings about other packages' code that a user of ganops can do nothing about.
THIRD_PARTY_NOTES = re.compile(
    r"register_new_resolver\(\) is deprecated"  # kedro, kedro-mlflow (OmegaConf)
    r"|Add type hints to the `predict` method"  # mlflow, for kedro-mlflow's PythonModel
)


class NoThirdPartyNotes(logging.Filter):
    """Drops the notes from ``py.warnings``, where Kedro's logging sends warnings (mlflow
    raises its note inside its own ``catch_warnings``, past any warnings filter)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not THIRD_PARTY_NOTES.search(record.getMessage())


NO_NOTES = NoThirdPartyNotes()


@contextlib.contextmanager
def muted_stderr() -> Iterator[None]:
    """File descriptor 2 goes to /dev/null inside the block (C++ writes included)."""
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


#: The Keras backends ganops trains on, and the package each needs.
BACKEND_PACKAGES = {"tensorflow": "tensorflow", "jax": "jax"}


def backend_problem() -> str | None:
    """Why ``KERAS_BACKEND`` cannot be used (unknown, or not installed), or None."""
    wanted = os.environ.get("KERAS_BACKEND", "tensorflow")
    if wanted not in BACKEND_PACKAGES:
        return f"KERAS_BACKEND={wanted}: ganops trains on " + " or ".join(BACKEND_PACKAGES)
    if find_spec(BACKEND_PACKAGES[wanted]) is None:
        extra = " ('jax[cpu]', or 'jax[cuda12]' on an NVIDIA GPU)" if wanted == "jax" else ""
        return f"KERAS_BACKEND={wanted}, but {wanted} is not installed: pip install it{extra}"
    return None


def hide_notes() -> None:
    """Hide the third-party notes (what a command that never loads Keras needs)."""
    warnings.filterwarnings("ignore", message=THIRD_PARTY_NOTES.pattern)
    logging.getLogger("py.warnings").addFilter(NO_NOTES)  # once: the same filter object


def quiet_start() -> None:
    """Hide the third-party notes and import Keras (and its backend) without start-up lines;
    an unusable ``KERAS_BACKEND`` ends the process with one line (status 2)."""
    problem = backend_problem()
    if problem:
        print(f"ganops: ConfigError: {problem}", file=sys.stderr)
        sys.exit(2)
    hide_notes()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    if "keras" in sys.modules or os.environ["TF_CPP_MIN_LOG_LEVEL"] == "0":
        return
    with muted_stderr():
        import keras  # imports the backend: TensorFlow by default

        if keras.backend.backend() != "tensorflow" and find_spec("tensorflow"):
            import tensorflow  # noqa: F401  (keras.utils.set_random_seed seeds it, when there)
