"""A generator as an MLflow pyfunc: a table of requests in, images out.

Input: one row per request with ``n`` (images, 1..MAX_IMAGES) and ``seed``. Output: the
images of every request in order, float32 in [0, 1] (2-D points: the coordinates). The same
``seed`` gives the same images as the evaluation's seeded latents.
"""

from __future__ import annotations

from typing import Any

import mlflow
import numpy as np
import pandas as pd
from mlflow.exceptions import MlflowException
from mlflow.models import ModelSignature
from mlflow.protos.databricks_pb2 import INVALID_PARAMETER_VALUE
from mlflow.types import ColSpec, Schema, TensorSpec

MAX_IMAGES = 256  # per request row and per call: a bound on memory and response size
COLUMNS = ("n", "seed")


def invalid(message: str) -> MlflowException:
    """A request error: MLflow's scoring server answers it with HTTP 400."""
    return MlflowException(message, error_code=INVALID_PARAMETER_VALUE)


def parse_requests(table: pd.DataFrame) -> list[tuple[int, int]]:
    """Validated ``(n, seed)`` pairs; anything else is a clear 400-style error."""
    missing = [c for c in COLUMNS if c not in table.columns]
    if missing:
        raise invalid(f"missing column(s) {missing}; expected columns {list(COLUMNS)}")
    requests = []
    for i, row in table.reset_index(drop=True).iterrows():
        for column in COLUMNS:
            value = row[column]
            if isinstance(value, bool) or not float(value).is_integer():
                raise invalid(f"row {i}: '{column}' must be an integer, got {value!r}")
        n, seed = int(row["n"]), int(row["seed"])
        if not 1 <= n <= MAX_IMAGES:
            raise invalid(f"row {i}: n must be between 1 and {MAX_IMAGES}, got {n}")
        requests.append((n, seed))
    if sum(n for n, _ in requests) > MAX_IMAGES:
        raise invalid(
            f"at most {MAX_IMAGES} images per call, asked for {sum(n for n, _ in requests)}"
        )
    return requests


def to_output(samples: np.ndarray) -> np.ndarray:
    """Images in [-1, 1] -> float32 in [0, 1]; 2-D points unchanged."""
    if samples.ndim == 2:
        return samples.astype(np.float32)
    return np.clip((samples + 1.0) / 2.0, 0.0, 1.0).astype(np.float32)


def signature(sample_shape: tuple[int, ...]) -> ModelSignature:
    """Requests table in, a batch of samples out."""
    inputs = Schema([ColSpec("long", "n"), ColSpec("long", "seed")])
    outputs = Schema([TensorSpec(np.dtype(np.float32), (-1, *sample_shape))])
    return ModelSignature(inputs=inputs, outputs=outputs)


class GeneratorModel(mlflow.pyfunc.PythonModel):
    """The pyfunc MLflow loads and serves; its one artifact is ``generator`` (.keras)."""

    def load_context(self, context: Any) -> None:
        import keras

        self.generator = keras.saving.load_model(context.artifacts["generator"])

    def predict(
        self, context: Any, model_input: pd.DataFrame, params: dict | None = None
    ) -> np.ndarray:
        from ganops.evaluation.evaluate import generate

        requests = parse_requests(pd.DataFrame(model_input))
        return np.concatenate(
            [to_output(generate(self.generator, n, seed)) for n, seed in requests]
        )
