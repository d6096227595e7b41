"""Training: one node that runs the Trainer for the variant of its namespace."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import keras
import pandas as pd
from matplotlib.figure import Figure

from ganops.evaluation.plots import loss_figure
from ganops.tracking.logging import MlflowMetrics
from ganops.training.run import train_run


def train(
    model_input: dict[str, Any],
    variant: str,
    model: dict[str, Any],
    train: dict[str, Any],
    checkpoints: Path,
    reports: Path,
) -> tuple[keras.Model, pd.DataFrame, Figure, dict[str, Any]]:
    """Train (or resume) one variant.

    Args:
        model_input: the preprocessed dataset.
        variant: the variant's registry name.
        model: the variant's ``model`` parameters.
        train: the ``train`` parameters (steps, batch size, schedule, checkpoints...).
        checkpoints: folder for resumable checkpoints.
        reports: folder for live sample grids and the progress GIF.

    Returns:
        The generator, the per-step losses, the loss-curve figure and a run summary.
    """
    run_name = f"{variant}-{model_input['meta'].get('dataset')}"
    logger = MlflowMetrics(run_name, every=train.get("log_every", 50), reports=reports)
    result = train_run(model_input, variant, model, train, checkpoints, reports, [logger])
    return result.gan.generator, result.losses, loss_figure(result.losses), result.summary
