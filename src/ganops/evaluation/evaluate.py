"""Measure a generator: draw samples, extract features, compute every metric that applies."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import keras
import numpy as np
from pydantic import BaseModel, ConfigDict, PositiveInt

from ganops.evaluation import metrics
from ganops.evaluation.features import (
    FEATURE_LAYER,
    ClassifierConfig,
    features_and_probabilities,
)
from ganops.evaluation.plots import image_grid

PRIMARY = ("fid", "lower")  # the metric that picks checkpoints and champions, and its direction


class EvaluationConfig(BaseModel):
    """How a generator is measured; the sample count is recorded with every result."""

    model_config = ConfigDict(extra="forbid")

    classifier: ClassifierConfig = ClassifierConfig()  # the extractor (features pipeline)
    inception_weights: Path | None = None  # a local Inception-v3 weights file instead
    samples: PositiveInt = 10000
    seed: int = 0
    kid_subsets: PositiveInt = 100
    kid_subset_size: PositiveInt = 1000
    k_precision: PositiveInt = 3
    k_density: PositiveInt = 5
    nearest_shown: PositiveInt = 16


def latents(n: int, latent_dim: int, seed: int) -> np.ndarray:
    """``n`` seeded standard-normal latent vectors: the same seed, the same vectors."""
    return np.random.default_rng(seed).standard_normal((n, latent_dim), np.float32)


def decode(generator: keras.Model, z: np.ndarray, batch_size: int = 1000) -> np.ndarray:
    """The generator's samples for latent vectors ``z``, batch by batch, in inference mode."""
    return np.concatenate(
        [
            keras.ops.convert_to_numpy(generator(z[i : i + batch_size], training=False))
            for i in range(0, len(z), batch_size)
        ]
    )


def generate(generator: keras.Model, n: int, seed: int) -> np.ndarray:
    """``n`` samples from seeded latent vectors (what evaluation, grids and serving draw)."""
    return decode(generator, latents(n, generator.inputs[0].shape[-1], seed))


def distribution_metrics(
    real: np.ndarray, fake: np.ndarray, config: EvaluationConfig
) -> dict[str, float]:
    """FD, KID, precision/recall and density/coverage between two feature sets."""
    kid_mean, kid_std = metrics.kid(
        real, fake, config.kid_subsets, config.kid_subset_size, config.seed
    )
    precision, recall = metrics.precision_recall(real, fake, config.k_precision)
    density, coverage = metrics.density_coverage(real, fake, config.k_density)
    return {
        "fid": metrics.fid(real, fake),
        "kid": kid_mean,
        "kid_std": kid_std,
        "precision": precision,
        "recall": recall,
        "density": density,
        "coverage": coverage,
    }


def memorization(
    samples: np.ndarray, train: np.ndarray, test: np.ndarray
) -> tuple[dict[str, float], np.ndarray]:
    """How close samples come to training images, against held-out real images (pixels).

    ``memorization_ratio`` = median distance sample -> nearest training image, divided by the
    same for held-out images; well below 1 means copying. Returns the nearest indices too.
    """
    flat = lambda a: a.reshape(len(a), -1)  # noqa: E731
    index, distance = metrics.nearest_neighbours(flat(samples), flat(train))
    result = {"nearest_train_distance": float(np.median(distance))}
    if len(test):
        baseline = np.median(metrics.nearest_neighbours(flat(test), flat(train))[1])
        result["memorization_ratio"] = float(np.median(distance) / max(baseline, 1e-12))
    return result, index


def nearest_picture(
    samples: np.ndarray, train: np.ndarray, index: np.ndarray, shown: int
) -> np.ndarray:
    """(sample, its nearest training image) pairs, four pairs a row, for a person to judge."""
    pairs = np.stack([samples[:shown], train[index[:shown]]], axis=1)
    return image_grid(
        pairs.reshape(-1, *samples.shape[1:]), cols=8, scale=max(1, 64 // samples.shape[1])
    )


def primary_score(
    extractor: keras.Model, reference: dict[str, Any], samples: int, seed: int = 0
) -> Callable[[keras.Model], float]:
    """A function scoring a generator by the primary metric on ``samples`` seeded samples
    (fewer than a full evaluation: it runs during training)."""

    def score(generator: keras.Model) -> float:
        features, _ = features_and_probabilities(extractor, generate(generator, samples, seed))
        return metrics.fid(reference["features"], features)

    return score


def mode_coverage(
    extractor: keras.Model, meta: dict[str, Any]
) -> Callable[[np.ndarray], float] | None:
    """A function giving the share of modes samples cover: the mixture's modes (2-D
    mixtures) or the classifier's classes (labelled images); None when there are no modes."""
    if "means" in meta:
        return lambda samples: (
            metrics.mixture_metrics(samples, meta["means"], meta["std"])["modes_covered"]
            / len(meta["means"])
        )
    names = {layer.name for layer in extractor.layers}
    if FEATURE_LAYER not in names or extractor.outputs[0].shape[-1] != meta.get("num_classes"):
        return None  # no classifier of the dataset's own classes (Inception's are ImageNet's)

    def share(samples: np.ndarray) -> float:
        found = metrics.class_coverage(features_and_probabilities(extractor, samples)[1])
        return found["classes_covered"] / found["classes_total"]

    return share


def reference_set(model_input: dict[str, Any], extractor: keras.Model) -> dict[str, Any]:
    """Features (and class probabilities) of the real training split: what samples are
    compared with."""
    features, probabilities = features_and_probabilities(extractor, model_input["x_train"])
    reference = {"features": features}
    if probabilities is not None:
        reference["probabilities"] = probabilities
    return reference


def evaluate(
    samples: np.ndarray,
    model_input: dict[str, Any],
    extractor: keras.Model,
    reference: dict[str, Any],
    config: EvaluationConfig,
) -> tuple[dict[str, float], np.ndarray | None]:
    """Every metric that applies to the data, and (for images) the nearest-neighbour picture."""
    meta = model_input["meta"]
    features, probabilities = features_and_probabilities(extractor, samples)
    result = distribution_metrics(reference["features"], features, config)
    if probabilities is not None:
        result["classifier_score"], result["classifier_score_std"] = metrics.classifier_score(
            probabilities
        )
        if probabilities.shape[1] == meta.get("num_classes"):  # the dataset's own classes
            result |= metrics.class_coverage(probabilities)
    if "means" in meta:
        result |= metrics.mixture_metrics(samples, meta["means"], meta["std"])
    if meta["kind"] != "images":
        return result, None
    copying, index = memorization(samples, model_input["x_train"], model_input["x_test"])
    picture = nearest_picture(samples, model_input["x_train"], index, config.nearest_shown)
    return result | copying, picture
