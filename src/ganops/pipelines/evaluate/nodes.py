"""Evaluation: measure one variant's generator the same way as every other."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import keras
from PIL import Image

from ganops.config import validate
from ganops.evaluation.evaluate import (
    EvaluationConfig,
    compare_translation,
    compare_unpaired,
    primary,
    sample_evaluation,
)
from ganops.evaluation.report import html_report
from ganops.sampling import Inputs
from ganops.tracking.logging import log_evaluated
from ganops.tracking.registry import champion_metrics, model_name
from ganops.training.config import for_data
from ganops.training.run import check_trained_on


def evaluate_generator(
    generator: keras.Model,
    model_input: dict[str, Any],
    feature_extractor: keras.Model,
    reference_features: dict[str, Any],
    evaluation: dict[str, Any],
    variant: str,
    primary_metric: str,
    points: dict[str, Any],
    train_summary: dict[str, Any],
) -> tuple[dict[str, Any], dict[str, dict[str, float]], Image.Image]:
    """Draw ``evaluation.samples`` samples (translation: translate every held-out source;
    unpaired, each domain's) and compute every metric that applies; a likelihood model's
    held-out NLLs, measured by its training (which has its encoder), join them.

    Args:
        generator: the trained generator.
        model_input: the preprocessed dataset (for memorisation and mixture metrics).
        feature_extractor: the dataset's extractor (``features`` pipeline).
        reference_features: features of the real training split.
        evaluation: the ``evaluation`` parameters (sample count, seed, k...).
        variant: the variant's name.
        primary_metric: the metric that decides the champion (``evaluate.DIRECTIONS``).
        points: what every variant uses on 2-D points instead (``training.config.for_data``).
        train_summary: the training's summary (``likelihood``: nats per image, bits/dim).

    Returns:
        ``metrics.json`` content, the same numbers for MLflow, and a picture: each sample next
        to its nearest training image (images), samples over real points (2-D data), rows
        of sources, outputs, the baseline's outputs and targets (paired translation), or of
        inputs, translations and reconstructions per direction (unpaired).
    """
    check_trained_on(train_summary, model_input)
    config = validate(EvaluationConfig, evaluation, "evaluation")
    name, better = primary(for_data(model_input["meta"], variant, points, primary_metric)[0])
    log_evaluated(variant, model_input["meta"].get("dataset"), name)
    if Inputs.of(generator).image is None:
        values, picture, samples = sample_evaluation(
            generator, model_input, feature_extractor, reference_features, config
        )
        details = {}
        reference_samples = reference_features["meta"]["samples"]
    else:
        compare = compare_unpaired if "domain_test" in model_input else compare_translation
        values, picture, details = compare(generator, model_input, feature_extractor, config)
        samples = reference_samples = len(model_input["x_test"])
    values |= train_summary.get("likelihood", {})
    extractor = reference_features["meta"]
    report = {
        "variant": variant,
        "dataset": model_input["meta"].get("dataset"),
        "primary": {"name": name, "value": values[name], "better": better},
        "metrics": values,
        "samples": samples,
        "reference_samples": reference_samples,
        "feature_extractor": extractor["version"],
        "feature_extractor_test_accuracy": extractor.get("test_accuracy"),
        "seed": config.seed,
        **details,
    }
    logged = {f"eval_{name}": {"value": float(v), "step": 0} for name, v in values.items()}
    return report, logged, Image.fromarray(picture)


def report(
    metrics: dict[str, Any],
    train_summary: dict[str, Any],
    reports: Path,
    evaluation_picture: Image.Image,
) -> str:
    """A self-contained HTML page with the run's numbers and pictures.

    Args:
        metrics: the evaluation's ``metrics.json``.
        train_summary: the training's summary.
        reports: the variant's report folder (samples, progress GIF, loss curves).
        evaluation_picture: the nearest-neighbour (or scatter) picture.

    Returns:
        The HTML text, with the registered champion's numbers beside the run's.
    """
    champion = champion_metrics(model_name(metrics["variant"], metrics["dataset"]))
    return html_report(metrics, train_summary, reports, evaluation_picture, champion)
