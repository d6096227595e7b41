"""Features: the dataset's versioned feature extractor and its reference features."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import keras

from ganops.config import validate
from ganops.evaluation.evaluate import EvaluationConfig, reference_set
from ganops.evaluation.features import cached_extractor


def fit_feature_extractor(
    model_input: dict[str, Any], evaluation: dict[str, Any], cache: Path
) -> tuple[keras.Model, dict[str, Any]]:
    """Train the domain classifier or load Inception-v3 (images), or take the identity (2-D
    points); an extractor of the same version in ``cache`` is reused.

    Args:
        model_input: the preprocessed dataset.
        evaluation: the ``evaluation`` parameters (``classifier``, ``inception_weights``).
        cache: folder of extractors by version.

    Returns:
        The extractor, and the reference features of the real training split with the
        extractor's version and held-out accuracy in ``meta``.
    """
    config = validate(EvaluationConfig, evaluation, "evaluation")
    extractor, info = cached_extractor(
        model_input, config.classifier, config.inception_weights, cache
    )
    reference = reference_set(model_input, extractor)
    reference["meta"] = {
        **info,
        "dataset": model_input["meta"].get("dataset"),
        "data_hash": model_input["meta"]["data_hash"],
        "samples": len(model_input["x_train"]),
    }
    return extractor, reference
