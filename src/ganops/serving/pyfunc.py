"""A generator as an MLflow pyfunc: a table of requests in, images out.

Input, either one row per request with ``n`` (images, 1..MAX_IMAGES) and ``seed`` (the same
seed gives the same images as the evaluation's seeded latents), or one row per image with
``z``, a latent vector. Output: the images in order, float32 in [0, 1] (2-D points: the
coordinates).
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
from mlflow.types.schema import Array

from ganops.evaluation.evaluate import decode, latents

MAX_IMAGES = 256  # per request row and per call: a bound on memory and response size
SEEDED = ("n", "seed")


def invalid(message: str) -> MlflowException:
    """A request error: MLflow's scoring server answers it with HTTP 400."""
    return MlflowException(message, error_code=INVALID_PARAMETER_VALUE)


def seeded_latents(table: pd.DataFrame, latent_dim: int) -> np.ndarray:
    """Latent vectors of validated ``(n, seed)`` rows."""
    missing = [c for c in SEEDED if c not in table.columns]
    if missing:
        raise invalid(f"missing column(s) {missing}; expected {list(SEEDED)} or ['z']")
    parts = []
    for i, row in table.reset_index(drop=True).iterrows():
        for column in SEEDED:
            value = row[column]
            if isinstance(value, bool) or not float(value).is_integer():
                raise invalid(f"row {i}: '{column}' must be an integer, got {value!r}")
        n = int(row["n"])
        if not 1 <= n <= MAX_IMAGES:
            raise invalid(f"row {i}: n must be between 1 and {MAX_IMAGES}, got {n}")
        parts.append(latents(n, latent_dim, int(row["seed"])))
    return np.concatenate(parts)


def given_latents(column: pd.Series, latent_dim: int) -> np.ndarray:
    """The ``z`` rows as one array, each checked to be ``latent_dim`` finite numbers."""
    rows = []
    for i, z in enumerate(column):
        try:
            vector = np.asarray(z, dtype=np.float32)
        except (TypeError, ValueError):
            raise invalid(f"row {i}: 'z' must be a list of numbers") from None
        if vector.shape != (latent_dim,) or not np.isfinite(vector).all():
            raise invalid(
                f"row {i}: 'z' must be {latent_dim} finite numbers, got shape {vector.shape}"
            )
        rows.append(vector)
    return np.stack(rows)


def request_latents(table: pd.DataFrame, latent_dim: int) -> np.ndarray:
    """The latent vectors a request table asks for; anything wrong is a 400-style error."""
    if "z" in table.columns and any(c in table.columns for c in SEEDED):
        raise invalid("give either columns ['n', 'seed'] or ['z'], not both")
    if not len(table):
        raise invalid("the request table is empty")
    z = (
        given_latents(table["z"], latent_dim)
        if "z" in table.columns
        else seeded_latents(table, latent_dim)
    )
    if len(z) > MAX_IMAGES:
        raise invalid(f"at most {MAX_IMAGES} images per call, asked for {len(z)}")
    return z


def to_output(samples: np.ndarray) -> np.ndarray:
    """Images in [-1, 1] -> float32 in [0, 1]; 2-D points unchanged."""
    if samples.ndim == 2:
        return samples.astype(np.float32)
    return np.clip((samples + 1.0) / 2.0, 0.0, 1.0).astype(np.float32)


def signature(sample_shape: tuple[int, ...]) -> ModelSignature:
    """Requests table in (seeded rows or latent rows), a batch of samples out."""
    inputs = Schema(
        [
            ColSpec("long", "n", required=False),
            ColSpec("long", "seed", required=False),
            ColSpec(Array("double"), "z", required=False),
        ]
    )
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
        latent_dim = self.generator.inputs[0].shape[-1]
        return to_output(
            decode(self.generator, request_latents(pd.DataFrame(model_input), latent_dim))
        )
