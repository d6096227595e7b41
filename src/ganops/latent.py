"""Exploring a generator's latent space (book Skill 4 II), for any generator that takes ``z``:
interpolation (linear, and spherical: Gaussian latents live near the sphere of radius sqrt(d),
and the linear midpoint of two of them falls inside it), attribute vectors (the mean latent
of samples that carry an attribute) and their arithmetic, windowed perturbation of a latent
vector (the book's noise, Hanning, zeros and ones rows) and the truncation trick (Brock 2018).

Pure functions on latent arrays; ``images`` decodes them with the generator.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import keras
import numpy as np

from ganops.errors import GanopsError
from ganops.evaluation.features import features_and_probabilities
from ganops.sampling import Inputs, decode, feed, latents, truncate

PERTURBATIONS = ("noise", "hanning", "zeros", "ones")


def latent_size(generator: keras.Model) -> int:
    """The size of the generator's ``z``; an error for generators without one."""
    size = Inputs.of(generator).latent_dim
    if not size:
        raise GanopsError(
            "this generator takes no latent vector z (a translation model, or PixelCNN, "
            "which draws from noise): latent tools need one that samples from z"
        )
    return size


def checked(z: np.ndarray | Sequence, size: int, name: str = "z") -> np.ndarray:
    """Latent vectors as float64 (n, size) (one vector becomes one row), finite."""
    array = np.asarray(z, dtype=np.float64)
    if array.ndim == 1:
        array = array[None]
    if array.ndim != 2 or array.shape[1] != size:
        raise GanopsError(f"{name} must be vectors of {size} numbers, got shape {array.shape}")
    if not np.isfinite(array).all():
        raise GanopsError(f"{name} holds NaN or infinite values")
    return array


def lerp(z0: np.ndarray, z1: np.ndarray, steps: int) -> np.ndarray:
    """``steps`` vectors on the straight line from ``z0`` to ``z1``, both ends included."""
    t = np.linspace(0.0, 1.0, steps)[:, None]
    return (1.0 - t) * z0 + t * z1


def slerp(z0: np.ndarray, z1: np.ndarray, steps: int) -> np.ndarray:
    """``steps`` vectors on the great circle from ``z0`` to ``z1`` (White 2016), both ends
    included; vectors of one norm keep it all the way."""
    norms = np.linalg.norm(z0) * np.linalg.norm(z1)
    if norms < 1e-12:
        raise GanopsError("slerp from or to the zero vector: it has no direction; use linear")
    omega = np.arccos(np.clip(np.dot(z0, z1) / norms, -1.0, 1.0))
    if np.sin(omega) < 1e-6:
        raise GanopsError(
            "slerp between a vector and itself (or its opposite): the great circle is not "
            "defined; give two different directions"
        )
    t = np.linspace(0.0, 1.0, steps)[:, None]
    return (np.sin((1.0 - t) * omega) * z0 + np.sin(t * omega) * z1) / np.sin(omega)


def interpolate(
    z0: np.ndarray, z1: np.ndarray, steps: int, method: Literal["linear", "slerp"] = "slerp"
) -> np.ndarray:
    """Interpolate between two latent vectors of one size, linearly or spherically."""
    if steps < 2:
        raise GanopsError(f"steps must be at least 2 (the two ends), got {steps}")
    a, b = checked(z0, np.size(z0)), checked(z1, np.size(z0), "the second z")
    return (slerp if method == "slerp" else lerp)(a[0], b[0], steps)


def attribute_vector(z: np.ndarray, carries: np.ndarray) -> np.ndarray:
    """The mean latent of the samples that carry an attribute (``carries``: a boolean mask,
    or the indices of those samples, as the book picks them by eye)."""
    z = np.asarray(z, dtype=np.float64)
    chosen = z[np.asarray(carries)]
    if not len(chosen):
        raise GanopsError("no sample carries the attribute: its vector would be empty")
    return chosen.mean(axis=0)


def class_vector(
    generator: keras.Model,
    classifier: keras.Model,
    label: int,
    n: int = 1000,
    seed: int = 0,
) -> np.ndarray:
    """The attribute vector of a class: the mean latent of ``n`` seeded samples that the
    domain ``classifier`` reads as ``label``."""
    reads, makes = tuple(classifier.inputs[0].shape[1:]), tuple(generator.outputs[0].shape[1:])
    if reads != makes:
        raise GanopsError(f"the classifier reads images of {reads}, the generator makes {makes}")
    z = latents(n, latent_size(generator), seed)
    _, probabilities = features_and_probabilities(classifier, images(generator, z))
    if probabilities is None:
        raise GanopsError("the feature extractor is no classifier: it cannot pick a class")
    if not 0 <= label < probabilities.shape[1]:
        raise GanopsError(f"class {label} is out of range (0 to {probabilities.shape[1] - 1})")
    read = probabilities.argmax(axis=1) == label
    if not read.any():
        raise GanopsError(f"none of {n} samples is read as class {label}: no attribute vector")
    return attribute_vector(z, read)


def perturb(z: np.ndarray, start: int, width: int, mode: str, seed: int = 0) -> np.ndarray:
    """``z`` with the window of ``width`` dimensions from ``start`` replaced by seeded noise, a
    Hanning window, zeros or ones (the book's four rows)."""
    z = np.array(z, dtype=np.float64)
    if mode not in PERTURBATIONS:
        raise GanopsError(f"unknown perturbation {mode!r}: give one of {', '.join(PERTURBATIONS)}")
    if width < 1 or start < 0 or start + width > z.shape[-1]:
        raise GanopsError(
            f"the window [{start}, {start + width}) does not fit a latent of {z.shape[-1]}"
        )
    window = {
        "noise": lambda: np.random.default_rng(seed).standard_normal(width),
        "hanning": lambda: np.hanning(width),
        "zeros": lambda: np.zeros(width),
        "ones": lambda: np.ones(width),
    }[mode]()
    z[..., start : start + width] = window
    return z


def images(generator: keras.Model, z: np.ndarray, label: int | None = None) -> np.ndarray:
    """The generator's images of latent vectors ``z`` (of class ``label`` for a conditional
    generator; balanced over its classes when None)."""
    z = checked(z, latent_size(generator)).astype(np.float32)
    return decode(generator, feed(generator, z, label))


# --------------------------------------------------------------------------------------------
# Figures: (images, columns) grids, rows of one kind (what ``ganops latent`` draws)
# --------------------------------------------------------------------------------------------


def interpolation_grid(
    generator: keras.Model, rows: int, steps: int, method: str, seed: int, label=None
) -> tuple[np.ndarray, int]:
    """``rows`` interpolations between pairs of seeded latents, ``steps`` images each."""
    z = latents(2 * rows, latent_size(generator), seed)
    path = np.concatenate([interpolate(z[2 * i], z[2 * i + 1], steps, method) for i in range(rows)])
    return images(generator, path, label), steps


def attribute_grid(
    generator: keras.Model, vector: np.ndarray, columns: int, seed: int, label=None
) -> tuple[np.ndarray, int]:
    """Seeded samples (first row), the same latents plus ``vector`` (second row: the book's
    arithmetic; the latent space's own mean is 0), their average with it (third row), and the
    attribute vector itself (last image)."""
    z = latents(columns, latent_size(generator), seed).astype(np.float64)
    vector = checked(vector, z.shape[1], "the attribute vector")[0]
    path = np.concatenate([z, z + vector, (z + vector) / 2.0, vector[None]])
    return images(generator, path, label), columns


def perturbation_grid(
    generator: keras.Model, columns: int, start: int, width: int, seed: int, label=None
) -> tuple[np.ndarray, int]:
    """Seeded samples (first row), then one row per perturbation of their latents' window."""
    z = latents(columns, latent_size(generator), seed).astype(np.float64)
    rows = [z] + [perturb(z, start, width, mode, seed) for mode in PERTURBATIONS]
    return images(generator, np.concatenate(rows), label), columns


def truncation_grid(
    generator: keras.Model, columns: int, thresholds: Sequence[float], seed: int, label=None
) -> tuple[np.ndarray, int]:
    """Seeded samples (first row), then the same latents truncated at each threshold."""
    z = latents(columns, latent_size(generator), seed).astype(np.float64)
    rows = [z] + [truncate(z, t, seed) for t in thresholds]
    return images(generator, np.concatenate(rows), label), columns
