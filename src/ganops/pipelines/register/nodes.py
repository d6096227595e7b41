"""Registration: the evaluated generator into the MLflow registry, through the champion gate."""

from __future__ import annotations

import subprocess
from dataclasses import asdict
from typing import Any

import keras
from mlflow.exceptions import MlflowException

from ganops.config import validate
from ganops.evaluation.evaluate import EvaluationConfig, primary_score
from ganops.serving.load import load_generator
from ganops.tracking.guard import GUARD
from ganops.tracking.registry import register
from ganops.training.backend import devices
from ganops.training.run import check_trained_on


def git_commit() -> str:
    """The checked-out commit, or ``unknown`` outside a git repository."""
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"], capture_output=True, text=True, check=True, timeout=10
        )
        return out.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def shapes(model: keras.Model) -> list[tuple]:
    """The shapes a model takes and makes, batch axis left out."""
    return [tuple(t.shape[1:]) for t in (*model.inputs, *model.outputs)]


def register_generator(
    generator: keras.Model,
    metrics: dict[str, Any],
    train_summary: dict[str, Any],
    model_input: dict[str, Any],
    feature_extractor: keras.Model,
    reference_features: dict[str, Any],
    evaluation: dict[str, Any],
) -> dict[str, Any]:
    """Register the generator as ``ganops-<variant>-<dataset>`` (alias ``challenger``); make
    it ``champion`` only if it beats the current champion on the primary metric.

    Args:
        generator: the best generator of the run.
        metrics: its evaluation (``metrics.json``).
        train_summary: the training summary (run fingerprint, data hash).
        model_input: the dataset (its training size is recorded; held-out pairs re-measure
            a translation champion).
        feature_extractor: the dataset's extractor, to re-measure a champion if needed.
        reference_features: the reference set the metric is measured against.
        evaluation: the ``evaluation`` parameters (sample count and seed to re-measure with).

    Returns:
        The decision: version, promoted or not, why, and both numbers; when the tracking
        server stopped answering during the run, ``registered: false`` and why (the run then
        ends with the command that retries it: ``tracking.guard``).
    """
    check_trained_on(train_summary, model_input)
    if not GUARD.tracking("registration"):
        return GUARD.skip_registration(metrics["variant"], metrics["dataset"])
    config = validate(EvaluationConfig, evaluation, "evaluation")
    score = primary_score(
        feature_extractor,
        reference_features,
        config.samples,
        config.seed,
        metrics["primary"]["name"],
        model_input,
    )

    def remeasure(uri: str) -> float | None:
        champion = load_generator(uri).model
        return score(champion) if shapes(champion) == shapes(generator) else None

    tags = {
        "git_commit": git_commit(),
        "data_hash": train_summary["data_hash"],
        "params_hash": train_summary["fingerprint"],
        "best_step": str(train_summary.get("best_step")),
        "steps": str(train_summary.get("steps")),
        "train_examples": str(len(model_input["x_train"])),
        "backend": keras.backend.backend(),
        "device": ", ".join(devices()) or "CPU",
    }
    try:
        return asdict(register(generator, metrics, tags, remeasure))
    except MlflowException:
        if GUARD.tracking("registration"):
            raise
        return GUARD.skip_registration(metrics["variant"], metrics["dataset"])
