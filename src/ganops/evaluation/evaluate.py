"""Measure a generator: draw samples, extract features, compute every metric that applies."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import keras
import numpy as np
from pydantic import BaseModel, ConfigDict, PositiveInt

from ganops.errors import ConfigError, DataError
from ganops.evaluation import metrics, translation, unpaired
from ganops.evaluation.features import (
    FEATURE_LAYER,
    ClassifierConfig,
    features_and_probabilities,
)
from ganops.evaluation.plots import image_grid, samples_picture
from ganops.sampling import Feed, Inputs, balanced, generate, source_pictures

#: The metrics that may pick checkpoints and champions (each variant's ``primary_metric``),
#: and which way is better. Translation metrics are measured on the held-out pairs.
DIRECTIONS = {
    "fid": "lower",
    "l1": "lower",
    "psnr": "higher",
    "ssim": "higher",
    "psnr_y": "higher",
    "ssim_y": "higher",
    "l1_hole": "lower",
    "mixture_fit": "higher",
}
TRANSLATION_SHOWN = 8  # (source, output, baseline, target) columns in the evaluation picture


def primary(name: str) -> tuple[str, str]:
    """A variant's primary metric and its direction; unknown names list the known ones."""
    if name not in DIRECTIONS:
        raise ConfigError(
            f"primary_metric: unknown metric '{name}'; known: {', '.join(DIRECTIONS)}"
        )
    return name, DIRECTIONS[name]


def better(new: float, old: float, direction: str) -> bool:
    """Strictly better in the metric's direction (a tie keeps the old); a NaN or infinite
    value is never better, and any finite value beats one."""
    if not np.isfinite(new):
        return False
    if not np.isfinite(old):
        return True
    return new < old if direction == "lower" else new > old


def held_out(model_input: dict[str, Any]) -> Feed:
    """How a generator is fed when measured: seeded latents, the held-out source images with
    their targets (paired data), or the held-out images of both domains (unpaired)."""
    if "domain_test" in model_input:
        return Feed(model_input["x_test"], domains=model_input["domain_test"])
    if "source_test" not in model_input:
        return Feed()
    return Feed(model_input["source_test"], model_input["x_test"])


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


def distribution_metrics(
    real: np.ndarray, fake: np.ndarray, config: EvaluationConfig
) -> dict[str, float]:
    """FD, KID, precision/recall and density/coverage between two feature sets."""
    least = max(config.k_precision, config.k_density) + 1  # each row's k-th nearest other
    check_counts(real, fake, least, "precision/recall and density/coverage")
    precision, recall = metrics.precision_recall(real, fake, config.k_precision)
    density, coverage = metrics.density_coverage(real, fake, config.k_density)
    return fd_kid(real, fake, config) | {
        "precision": precision,
        "recall": recall,
        "density": density,
        "coverage": coverage,
    }


def check_counts(real: np.ndarray, fake: np.ndarray, least: int, what: str) -> None:
    """Both feature sets hold at least ``least`` rows: one clear message, not scipy's."""
    if min(len(real), len(fake)) < least:
        raise DataError(
            f"{what} need at least {least} real and {least} generated samples, got "
            f"{len(real)} real and {len(fake)} generated (hold out more images, or measure more)"
        )


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
    extractor: keras.Model,
    reference: dict[str, Any],
    samples: int,
    seed: int = 0,
    metric: str = "fid",
    model_input: dict[str, Any] | None = None,
) -> Callable[[keras.Model], float]:
    """A function scoring a generator by ``metric`` on fewer samples than a full evaluation
    (it runs during training): FD of ``samples`` seeded samples against ``reference``, or,
    on paired data (``model_input`` with sources), the metric of the first ``samples``
    held-out pairs (FD against their targets); unpaired, the mean FD of the first ``samples``
    held-out translations of each direction against the target domain."""
    if model_input is not None and "domain_test" in model_input:
        if metric != "fid":
            raise ConfigError(f"primary_metric '{metric}': unpaired translation is judged by fid")
        return unpaired.fid_against_targets(model_input, extractor, samples)
    if metric == "mixture_fit":
        return mixture_score(model_input, samples, seed)
    if model_input is None or "source_test" not in model_input:
        if metric != "fid":
            raise ConfigError(f"primary_metric '{metric}' needs paired data (sources, targets)")

        def score(generator: keras.Model) -> float:
            features, _ = features_and_probabilities(extractor, generate(generator, samples, seed))
            return metrics.fid(reference["features"], features)

        return score
    subset = {**model_input, **{k: model_input[k][:samples] for k in ("source_test", "x_test")}}
    pairs, targets = model_input["meta"]["pairs"], subset["x_test"]
    measured = translation.translation_metrics(  # the task's metric names, before any training
        targets[:1], targets[:1], pairs["task"], pairs.get("factor"), subset["source_test"][:1]
    )
    if metric != "fid" and metric not in measured:
        raise ConfigError(
            f"primary_metric '{metric}' is not measured for {pairs['task']} pairs "
            f"(measured: fid, {', '.join(measured)})"
        )
    real = features_and_probabilities(extractor, targets)[0]

    def paired_score(generator: keras.Model) -> float:
        values, outputs = translation_evaluation(generator, subset)
        if metric == "fid":
            return metrics.fid(real, features_and_probabilities(extractor, outputs)[0])
        return values[metric]

    return paired_score


def mixture_score(
    model_input: dict[str, Any] | None, samples: int, seed: int
) -> Callable[[keras.Model], float]:
    """A generator's ``mixture_fit`` on ``samples`` seeded samples, at most the papers'
    ``MIXTURE_SAMPLES`` as in evaluation (the estimate grows with the count) (2-D mixtures
    only)."""
    meta = (model_input or {}).get("meta", {})
    if "means" not in meta:
        raise ConfigError("primary_metric 'mixture_fit' needs a 2-D Gaussian mixture")

    def score(generator: keras.Model) -> float:
        drawn = generate(generator, min(samples, metrics.MIXTURE_SAMPLES), seed)
        return metrics.mixture_metrics(drawn, meta["means"], meta["std"])["mixture_fit"]

    return score


def on_data_share(meta: dict[str, Any]) -> Callable[[np.ndarray], float] | None:
    """A function giving the share of samples on the data (within 3 standard deviations of a
    mode of a 2-D mixture); None for other data."""
    if "means" not in meta:
        return None
    return lambda samples: metrics.mixture_metrics(samples, meta["means"], meta["std"])[
        "high_quality"
    ]


def mode_coverage(
    extractor: keras.Model, meta: dict[str, Any]
) -> Callable[[np.ndarray], float] | None:
    """A function giving the share of modes samples cover: the mixture's modes (2-D
    mixtures) or the classifier's classes (labelled images); None when there are no modes, and
    for translation (outputs are judged against their targets or domains, not by classes
    covered)."""
    if "pairs" in meta or "domains" in meta:
        return None
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


def own_classes(probabilities: np.ndarray | None, meta: dict[str, Any]) -> bool:
    """Whether the extractor's probabilities are over the dataset's own classes (Inception's
    are ImageNet's)."""
    return probabilities is not None and probabilities.shape[1] == meta.get("num_classes")


def reference_set(model_input: dict[str, Any], extractor: keras.Model) -> dict[str, Any]:
    """Features (and class probabilities) of the real training split: what samples are
    compared with."""
    features, probabilities = features_and_probabilities(extractor, model_input["x_train"])
    reference = {"features": features}
    if probabilities is not None:
        reference["probabilities"] = probabilities
    if model_input["meta"].get("num_classes"):
        reference["labels"] = model_input["y_train"]
    return reference


def conditional_metrics(
    features: np.ndarray,
    probabilities: np.ndarray | None,
    asked: tuple[str, np.ndarray],
    reference: dict[str, Any],
) -> dict[str, float]:
    """What a conditional generator's samples say of their conditions. For classes
    (``label``): the domain classifier's accuracy against the classes asked for and the
    intra-class FID (mean, and per class); for InfoGAN codes (``code``): the accuracy of the best
    code-to-class matching, and the class each code matched."""
    kind, values = asked
    result: dict[str, float] = {}
    if kind == "label" and "labels" in reference:
        per_class = metrics.intra_class_fid(
            reference["features"], reference["labels"], features, values
        )
        result["intra_fid"] = float(np.mean(list(per_class.values())))
        result |= {f"intra_fid_class_{c}": v for c, v in per_class.items()}
    if probabilities is None or "labels" not in reference:
        return result
    if kind == "label":
        result["conditional_accuracy"] = metrics.accuracy(probabilities, values)
    else:
        result["code_matching_accuracy"], mapping = metrics.code_matching(values, probabilities)
        result |= {f"class_of_code_{code}": float(c) for code, c in enumerate(mapping)}
    return result


def fd_kid(real: np.ndarray, fake: np.ndarray, config: EvaluationConfig) -> dict[str, float]:
    """FD and KID (mean, std) of two feature sets: how translations are judged."""
    check_counts(real, fake, 2, "FD and KID")  # a covariance; KID's pairs of distinct rows
    kid_mean, kid_std = metrics.kid(
        real, fake, config.kid_subsets, config.kid_subset_size, config.seed
    )
    return {"fid": metrics.fid(real, fake), "kid": kid_mean, "kid_std": kid_std}


def compare_unpaired(
    generator: keras.Model,
    model_input: dict[str, Any],
    extractor: keras.Model,
    config: EvaluationConfig,
) -> tuple[dict[str, float], np.ndarray, dict[str, Any]]:
    """Every metric of an unpaired translation generator and of the identity mapping
    (``evaluation.unpaired``), a picture: per direction, rows of held-out inputs, their
    (the style images,) translations and (two-way) reconstructions (the book's figures), and
    for the report, when a label means the same in both domains, each direction's
    ``confusion`` matrix."""
    values, found, confusions = unpaired.unpaired_metrics(
        generator, model_input, extractor, lambda real, fake: fd_kid(real, fake, config)
    )
    details = {"confusion": confusions} if confusions else {}
    rows = [
        row
        for d in found
        for row in (d.inputs, d.styles, d.outputs, d.reconstructions)
        if row is not None
    ]
    return values, rows_picture(rows), details


def rows_picture(rows: list[np.ndarray]) -> np.ndarray:
    """The first images of each row (as many as the shortest has, at most
    ``TRANSLATION_SHOWN``), one row each, upscaled to about 128 pixels: translation figures."""
    shown = min(TRANSLATION_SHOWN, *(len(row) for row in rows))
    return image_grid(
        np.concatenate([row[:shown] for row in rows]),
        cols=shown,
        scale=max(1, 128 // rows[0].shape[1]),
    )


def translation_evaluation(
    generator: keras.Model, model_input: dict[str, Any]
) -> tuple[dict[str, float], np.ndarray]:
    """A translation generator's outputs for every held-out source, and their pixel metrics
    against the targets (L1, PSNR, SSIM; the Y channel with the border crop for
    super-resolution; inside the hole for inpainting)."""
    feed = held_out(model_input)
    outputs = feed.samples(generator, len(feed.sources), 0)
    pairs = model_input["meta"]["pairs"]
    values = translation.translation_metrics(
        outputs, feed.targets, pairs["task"], pairs.get("factor"), feed.sources
    )
    return values, outputs


def compare_translation(
    generator: keras.Model,
    model_input: dict[str, Any],
    extractor: keras.Model,
    config: EvaluationConfig,
) -> tuple[dict[str, float], np.ndarray, dict[str, Any]]:
    """Every metric of a translation generator on the held-out pairs, and the same numbers for
    the task's trivial baseline (``baseline_*``: the gray image, bicubic upsampling,
    biharmonic inpainting), so a user sees whether the GAN earns its keep. FD and KID compare
    outputs with the held-out targets. Returns the metrics, a picture: rows of sources,
    outputs, baseline outputs (when the task has one) and targets, and no further details."""
    values, outputs = translation_evaluation(generator, model_input)
    feed, pairs = held_out(model_input), model_input["meta"]["pairs"]
    real, _ = features_and_probabilities(extractor, feed.targets)

    def distribution(images: np.ndarray) -> dict[str, float]:
        return fd_kid(real, features_and_probabilities(extractor, images)[0], config)

    values |= distribution(outputs)
    rows = [source_pictures(feed.sources, outputs), outputs]
    trivial = translation.baseline(
        pairs["task"], feed.sources, feed.targets.shape, pairs.get("factor")
    )
    if trivial is not None:
        scored = translation.translation_metrics(
            trivial, feed.targets, pairs["task"], pairs.get("factor"), feed.sources
        )
        values |= {f"baseline_{k}": v for k, v in (scored | distribution(trivial)).items()}
        rows.append(trivial)
    rows.append(feed.targets)
    return values, rows_picture(rows), {}


def evaluate(
    samples: np.ndarray,
    model_input: dict[str, Any],
    extractor: keras.Model,
    reference: dict[str, Any],
    config: EvaluationConfig,
    asked: tuple[str, np.ndarray] | None = None,
) -> tuple[dict[str, float], np.ndarray | None]:
    """Every metric that applies to the data, and (for images) the nearest-neighbour picture.

    ``asked``: for a conditional generator's samples, its input (``label``/``code``) and the
    value each sample was asked for."""
    meta = model_input["meta"]
    features, probabilities = features_and_probabilities(extractor, samples)
    result = distribution_metrics(reference["features"], features, config)
    if asked is not None:
        own = probabilities if own_classes(probabilities, meta) else None
        result |= conditional_metrics(features, own, asked, reference)
    if probabilities is not None:
        result["classifier_score"], result["classifier_score_std"] = metrics.classifier_score(
            probabilities
        )
        if own_classes(probabilities, meta):
            result |= metrics.class_coverage(probabilities)
    if "means" in meta:  # on the papers' sample count
        result |= metrics.mixture_metrics(
            samples[: metrics.MIXTURE_SAMPLES], meta["means"], meta["std"]
        )
    if meta["kind"] != "images":
        return result, None
    copying, index = memorization(samples, model_input["x_train"], model_input["x_test"])
    picture = nearest_picture(samples, model_input["x_train"], index, config.nearest_shown)
    return result | copying, picture


def sample_evaluation(
    generator: keras.Model,
    model_input: dict[str, Any],
    feature_extractor: keras.Model,
    reference_features: dict[str, Any],
    config: EvaluationConfig,
) -> tuple[dict[str, float], np.ndarray, int]:
    """A sampling generator's metrics on ``config.samples`` seeded samples (balanced over its
    classes/codes), its evaluation picture, and the sample count."""
    inputs = Inputs.of(generator)
    asked = (
        (inputs.categorical, balanced(config.samples, inputs.classes)) if inputs.classes else None
    )
    samples = generate(generator, config.samples, config.seed)
    values, picture = evaluate(
        samples, model_input, feature_extractor, reference_features, config, asked
    )
    if picture is None:
        picture = samples_picture(samples[:2000], model_input["x_train"][:2000])
    return values, picture, config.samples
