"""Loading a registered generator for use from Python."""

from __future__ import annotations

from dataclasses import dataclass

import keras
import mlflow
import numpy as np
from mlflow.exceptions import MlflowException

from ganops.errors import GanopsError
from ganops.evaluation.evaluate import decode, generate
from ganops.serving.pyfunc import MAX_IMAGES, to_output


@dataclass
class Generator:
    """A registered generator: ``generate(n, seed)`` or ``decode(z)`` give images in [0, 1]."""

    model: keras.Model
    uri: str

    def generate(self, n: int, seed: int = 0, labels: list[int] | None = None) -> np.ndarray:
        """``n`` samples from seeded latents (the same seed gives the same images)."""
        if labels is not None:
            raise GanopsError(f"{self.uri} is not a conditional generator: labels are not used")
        if not 1 <= n <= MAX_IMAGES:
            raise GanopsError(f"n must be between 1 and {MAX_IMAGES}, got {n}")
        return to_output(generate(self.model, n, seed))

    @property
    def latent_dim(self) -> int:
        return int(self.model.inputs[0].shape[-1])

    def decode(self, z: np.ndarray) -> np.ndarray:
        """The images of given latent vectors, shaped ``(n, latent_dim)``."""
        z = np.asarray(z, dtype=np.float32)
        if z.ndim != 2 or z.shape[1] != self.latent_dim or not 1 <= len(z) <= MAX_IMAGES:
            raise GanopsError(
                f"z must be 1 to {MAX_IMAGES} vectors of {self.latent_dim} numbers, "
                f"got shape {z.shape}"
            )
        return to_output(decode(self.model, z))


def model_uri(name: str, alias: str = "champion") -> str:
    return f"models:/{name}@{alias}"


def load_generator(uri: str) -> Generator:
    """Load e.g. ``models:/ganops-dcgan-digits@champion``; a clear error if it is not there."""
    try:
        pyfunc = mlflow.pyfunc.load_model(uri)
    except MlflowException as err:
        raise GanopsError(
            f"cannot load {uri} from {mlflow.get_tracking_uri()}: {err.message}"
        ) from err
    return Generator(pyfunc.unwrap_python_model().generator, uri)
