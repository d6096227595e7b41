"""Evaluation: measure one variant's generator the same way as every other."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import keras
from PIL import Image

from ganops.config import validate
from ganops.evaluation.evaluate import PRIMARY, EvaluationConfig, evaluate
from ganops.evaluation.plots import samples_picture
from ganops.evaluation.report import html_report
from ganops.sampling import Inputs, balanced, generate


def evaluate_generator(
    generator: keras.Model,
    model_input: dict[str, Any],
    feature_extractor: keras.Model,
    reference_features: dict[str, Any],
    evaluation: dict[str, Any],
    variant: str,
) -> tuple[dict[str, Any], dict[str, dict[str, float]], Image.Image]:
    """Draw ``evaluation.samples`` samples and compute every metric that applies.

    Args:
        generator: the trained generator.
        model_input: the preprocessed dataset (for memorisation and mixture metrics).
        feature_extractor: the dataset's extractor (``features`` pipeline).
        reference_features: features of the real training split.
        evaluation: the ``evaluation`` parameters (sample count, seed, k...).
        variant: the variant's name.

    Returns:
        ``metrics.json`` content, the same numbers for MLflow, and a picture: each sample next
        to its nearest training image (images) or samples over real points (2-D data).
    """
    config = validate(EvaluationConfig, evaluation, "evaluation")
    inputs = Inputs.of(generator)
    asked = (
        (inputs.categorical, balanced(config.samples, inputs.classes)) if inputs.classes else None
    )
    samples = generate(generator, config.samples, config.seed)  # balanced over classes/codes
    values, picture = evaluate(
        samples, model_input, feature_extractor, reference_features, config, asked
    )
    if picture is None:
        picture = samples_picture(samples[:2000], model_input["x_train"][:2000])
    extractor = reference_features["meta"]
    report = {
        "variant": variant,
        "dataset": model_input["meta"].get("dataset"),
        "primary": {"name": PRIMARY[0], "value": values[PRIMARY[0]], "better": PRIMARY[1]},
        "metrics": values,
        "samples": config.samples,
        "reference_samples": extractor["samples"],
        "feature_extractor": extractor["version"],
        "feature_extractor_test_accuracy": extractor.get("test_accuracy"),
        "seed": config.seed,
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
        The HTML text.
    """
    return html_report(metrics, train_summary, reports, evaluation_picture)
