"""What a generator is fed: seeded latent vectors and, for conditional generators, the class
or code of each sample. Evaluation, sample grids, the Python API and the served model all draw
through here, so the same seed (and labels) gives the same images everywhere.

A generator's inputs say what it takes, by name: ``z`` (latent vectors), and either ``label``
(a one-hot class: CGAN, ACGAN) or ``code`` (a one-hot categorical code: InfoGAN), and
``continuous`` (InfoGAN's continuous codes, uniform on [-1, 1]).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import keras
import numpy as np

from ganops.errors import GanopsError

LATENT, CATEGORICAL, CONTINUOUS = "z", ("label", "code"), "continuous"


@dataclass(frozen=True)
class Inputs:
    """A generator's inputs: latent size, its categorical input (``label``/``code``, or None)
    with the number of values, and the number of continuous codes."""

    latent_dim: int
    categorical: str | None = None
    classes: int = 0
    continuous: int = 0

    @classmethod
    def of(cls, generator: keras.Model) -> Inputs:
        sizes = {t.name: int(t.shape[-1]) for t in generator.inputs}
        if len(sizes) == 1:  # unconditional generators may name their one input anything
            return cls(next(iter(sizes.values())))
        categorical = next((name for name in CATEGORICAL if name in sizes), None)
        return cls(
            sizes[LATENT],
            categorical,
            sizes.get(categorical, 0),
            sizes.get(CONTINUOUS, 0),
        )


def latents(n: int, latent_dim: int, seed: int) -> np.ndarray:
    """``n`` seeded standard-normal latent vectors: the same seed, the same vectors."""
    return np.random.default_rng(seed).standard_normal((n, latent_dim), np.float32)


def balanced(n: int, classes: int) -> np.ndarray:
    """0, 1, ..., classes - 1, 0, 1, ...: every class equally often (evaluation's default)."""
    return np.arange(n) % classes


def checked_values(values: int | Sequence[int], n: int, name: str, classes: int) -> np.ndarray:
    """``values`` as ``n`` class indices (one int means all ``n``), each checked in range."""
    array = np.asarray(values)
    if array.ndim == 0:
        array = np.full(n, array)
    if array.ndim != 1 or len(array) != n:
        raise GanopsError(f"give one {name} or one per sample ({n}), got shape {array.shape}")
    if array.dtype.kind not in "iu" and not np.all(np.mod(array, 1) == 0):
        raise GanopsError(f"{name}s must be integers, got {array.tolist()[:5]}")
    bad = array[(array < 0) | (array >= classes)]
    if len(bad):
        raise GanopsError(
            f"{name} {bad[0]:g} is out of range: this generator has {classes} "
            f"{name}s (0 to {classes - 1})"
        )
    return array.astype(np.int64)


def checked_continuous(continuous, n: int, size: int) -> np.ndarray:
    """``continuous`` as ``n`` rows of ``size`` finite numbers (one row means all ``n``)."""
    try:
        array = np.asarray(continuous, dtype=np.float32)
        if array.ndim == 1:
            array = np.tile(array, (n, 1))
        ok = array.shape == (n, size) and bool(np.isfinite(array).all())
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise GanopsError(
            f"continuous must be {size} finite numbers, or one row of them per sample ({n})"
        )
    return array


def class_rows(generator: keras.Model, count: int) -> tuple[np.ndarray | None, int | None]:
    """Classes/codes for a grid of about ``count`` samples with one row per class (and the
    row width); (None, None) for unconditional generators."""
    classes = Inputs.of(generator).classes
    if not classes:
        return None, None
    per_row = max(1, count // classes)
    return np.repeat(np.arange(classes), per_row), per_row


def one_hot(values: np.ndarray, classes: int) -> np.ndarray:
    return np.eye(classes, dtype=np.float32)[values]


def feed(
    generator: keras.Model,
    z: np.ndarray,
    values: int | Sequence[int] | None = None,
    continuous: np.ndarray | None = None,
    seed: int = 0,
) -> np.ndarray | list[np.ndarray]:
    """What ``generator`` takes for latent vectors ``z``: ``z`` itself, or with the one-hot
    class/code of each (``values``; balanced when None) and continuous codes (drawn from
    ``seed`` when None), in the generator's input order."""
    spec = Inputs.of(generator)
    if spec.categorical is None:
        if values is not None:
            raise GanopsError("this generator is not conditional: it takes no labels or codes")
        return z
    n = len(z)
    values = balanced(n, spec.classes) if values is None else values
    given = {
        LATENT: z,
        spec.categorical: one_hot(
            checked_values(values, n, spec.categorical, spec.classes), spec.classes
        ),
    }
    if spec.continuous:
        if continuous is None:
            rng = np.random.default_rng([seed, 1])
            continuous = rng.uniform(-1.0, 1.0, (n, spec.continuous)).astype(np.float32)
        given[CONTINUOUS] = checked_continuous(continuous, n, spec.continuous)
    return [given[t.name] for t in generator.inputs]


def decode(
    generator: keras.Model, inputs: np.ndarray | list[np.ndarray], batch_size: int = 1000
) -> np.ndarray:
    """The generator's samples for its inputs (``feed``), batch by batch, in inference mode."""
    parts = inputs if isinstance(inputs, list) else [inputs]
    n = len(parts[0])
    batches = ([part[i : i + batch_size] for part in parts] for i in range(0, n, batch_size))
    return np.concatenate(
        [
            keras.ops.convert_to_numpy(
                generator(batch if len(batch) > 1 else batch[0], training=False)
            )
            for batch in batches
        ]
    )


def generate(
    generator: keras.Model,
    n: int,
    seed: int,
    values: int | Sequence[int] | None = None,
    continuous: np.ndarray | None = None,
) -> np.ndarray:
    """``n`` samples from seeded latent vectors, of the given classes/codes (balanced over
    them when None): what evaluation, grids and serving draw."""
    z = latents(n, Inputs.of(generator).latent_dim, seed)
    return decode(generator, feed(generator, z, values, continuous, seed))
