"""Measuring unpaired translation (CycleGAN, DiscoGAN, CartoonGAN) on the held-out images of
each domain, in each direction the generator translates:

- FD and KID of the translations against the real training images of the target domain
  (features of the classifier trained on both domains);
- cycle-reconstruction L1 and PSNR (there and back again), for two-way generators;
- label preservation, when a label means the same in both domains (digits <-> digits-M): the
  share of translations the classifier reads as the class it read in their source (the
  semantic-consistency measure the CycleGAN literature uses in place of FCN scores), and the
  confusion matrix behind it, where a class permutation shows at a glance;
- the share of flat pixels (a cartoon's mark), of the translations, of the inputs and of the
  target domain's training images.

The identity mapping (output = input) is the baseline every number is shown against
(``baseline_*``). Per-direction values end in ``_AtoB``/``_BtoA``; the plain names are their
means.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import keras
import numpy as np
from scipy import ndimage
from sklearn.metrics import confusion_matrix

from ganops.data.pairs import LUMA
from ganops.errors import DataError
from ganops.evaluation import metrics, translation
from ganops.evaluation.features import features_and_probabilities
from ganops.sampling import DIRECTIONS, Inputs, cycled, translate, two_way


@dataclass(frozen=True)
class Direction:
    """One direction's held-out sources, their translations, (two-way) reconstructions and
    (for a generator that takes one) the style images they were given."""

    name: str
    domain: int
    inputs: np.ndarray
    outputs: np.ndarray
    reconstructions: np.ndarray | None
    styles: np.ndarray | None = None


def domain_images(model_input: dict[str, Any], split: str, domain: int) -> np.ndarray:
    """The ``split`` (``train``/``test``) images of one domain (0: A, 1: B)."""
    images = model_input[f"x_{split}"][model_input[f"domain_{split}"] == domain]
    if not len(images):
        name = model_input["meta"]["domains"][domain]
        raise DataError(f"no {split} images of domain {name!r} to measure translations with")
    return images


def directions(
    generator: keras.Model,
    model_input: dict[str, Any],
    limit: int | None = None,
    back: bool = True,
) -> list[Direction]:
    """Translate (at most ``limit``) held-out images of A to B, and for a two-way generator
    those of B to A too, and (``back``) back again."""
    found = []
    for domain in (0, 1) if two_way(generator) else (0,):
        inputs = domain_images(model_input, "test", domain)[:limit]
        there = domain if two_way(generator) else None
        styles = None
        if Inputs.of(generator).style is not None:  # the held-out images of B, in order
            styles = cycled(domain_images(model_input, "test", 1), len(inputs))
        outputs = translate(generator, inputs, there, styles)
        again = translate(generator, outputs, 1 - domain) if back and two_way(generator) else None
        found.append(Direction(DIRECTIONS[domain], domain, inputs, outputs, again, styles))
    return found


def identity_share(model_input: dict[str, Any], limit: int = 64):
    """A function giving how far a generator's translations of (at most ``limit``) held-out
    images move from their inputs, as a share of how far apart the two domains' training
    images are (mean absolute pixel difference): near 0 is the identity collapse."""
    a, b = (domain_images(model_input, "train", d)[:limit] for d in (0, 1))
    n = min(len(a), len(b))
    gap = max(float(np.mean(np.abs(a[:n] - b[:n]))), 1e-12)

    def share(generator: keras.Model) -> float:
        found = directions(generator, model_input, limit, back=False)
        return float(np.mean([np.mean(np.abs(d.outputs - d.inputs)) for d in found])) / gap

    return share


def label_preservation(source_probabilities: np.ndarray, output_probabilities: np.ndarray) -> float:
    """Share of outputs read as the class their source is read as (1 for the identity)."""
    return metrics.accuracy(output_probabilities, source_probabilities.argmax(axis=1))


def confusion(source_probabilities: np.ndarray, output_probabilities: np.ndarray) -> np.ndarray:
    """Counts (K, K): row i, column j, the outputs read as class j whose source is read as
    class i. Label preservation is its trace over its sum; a permutation is off the diagonal."""
    classes = np.arange(source_probabilities.shape[1])
    read = source_probabilities.argmax(axis=1), output_probabilities.argmax(axis=1)
    return confusion_matrix(*read, labels=classes)


#: A pixel is flat when its luma's standard deviation over the 3x3 window around it, on the
#: [0, 1] scale, is below this (about 5 of 255 levels).
FLAT_STD = 0.02


def flat_share(images: np.ndarray, threshold: float = FLAT_STD) -> float:
    """Share of the images' pixels in flat regions (see ``FLAT_STD``): most of a cartoon,
    little of a photo. Windows are mirrored at the borders."""
    x = translation.to_unit(translation.check_images(images, "images"))
    luma = x @ LUMA if x.shape[-1] == 3 else x[..., 0]
    window = (1, 3, 3)
    mean = ndimage.uniform_filter(luma, window, mode="reflect")
    variance = ndimage.uniform_filter(luma * luma, window, mode="reflect") - mean * mean
    return float(np.mean(np.sqrt(np.maximum(variance, 0.0)) < threshold))


def fid_against_targets(
    model_input: dict[str, Any], extractor: keras.Model, limit: int
) -> Callable[[keras.Model], float]:
    """A function giving the mean over directions of the FD of ``limit`` held-out
    translations against the target domain's training images (their features computed once,
    here): the score that picks the best checkpoint."""
    real = [
        features_and_probabilities(extractor, domain_images(model_input, "train", d))[0]
        for d in (0, 1)
    ]

    def score(generator: keras.Model) -> float:
        found = directions(generator, model_input, limit, back=False)
        return float(
            np.mean(
                [
                    metrics.fid(
                        real[1 - d.domain], features_and_probabilities(extractor, d.outputs)[0]
                    )
                    for d in found
                ]
            )
        )

    return score


def direction_metrics(
    direction: Direction,
    model_input: dict[str, Any],
    extractor: keras.Model,
    distribution: Any,
    shared_labels: bool,
) -> tuple[dict[str, float], dict[str, float], np.ndarray | None]:
    """One direction's metrics and the identity baseline's, without the direction suffix,
    and (shared labels) its ``confusion`` matrix. ``distribution(real, fake)`` gives FD and
    KID of two feature sets."""
    targets = domain_images(model_input, "train", 1 - direction.domain)
    real, _ = features_and_probabilities(extractor, targets)
    source_features, source_p = features_and_probabilities(extractor, direction.inputs)
    output_features, output_p = features_and_probabilities(extractor, direction.outputs)
    values, baseline = distribution(real, output_features), distribution(real, source_features)
    values |= {
        "flat_share": flat_share(direction.outputs),
        "target_flat_share": flat_share(targets),
    }
    baseline["flat_share"] = flat_share(direction.inputs)
    counts = None
    if shared_labels and source_p is not None:
        values["label_preservation"] = label_preservation(source_p, output_p)
        baseline["label_preservation"] = label_preservation(source_p, source_p)
        counts = confusion(source_p, output_p)
    if direction.reconstructions is not None:
        cycle = translation.pixel_metrics(direction.reconstructions, direction.inputs)
        values |= {"cycle_l1": cycle["l1"], "cycle_psnr": cycle["psnr"]}
    return values, baseline, counts


def unpaired_metrics(
    generator: keras.Model,
    model_input: dict[str, Any],
    extractor: keras.Model,
    distribution: Any,
) -> tuple[dict[str, float], list[Direction], dict[str, list[list[int]]]]:
    """Every metric per direction (``<name>_AtoB``), their means (``<name>``), the same for
    the identity baseline (``baseline_<name>``), the translations, and each direction's
    confusion matrix as lists (none when the domains share no labels)."""
    shared = bool(model_input["meta"].get("shared_labels"))
    found = directions(generator, model_input)
    per_direction = [
        direction_metrics(d, model_input, extractor, distribution, shared) for d in found
    ]
    result: dict[str, float] = {}
    for prefix, index in (("", 0), ("baseline_", 1)):
        tables = [measured[index] for measured in per_direction]
        for key in tables[0]:
            for direction, table in zip(found, tables, strict=True):
                result[f"{prefix}{key}_{direction.name}"] = table[key]
            result[f"{prefix}{key}"] = float(np.mean([table[key] for table in tables]))
    confusions = {
        d.name: counts.tolist()
        for d, (*_, counts) in zip(found, per_direction, strict=True)
        if counts is not None
    }
    return result, found, confusions
