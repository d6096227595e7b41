"""Training: one node that runs the Trainer for the variant of its namespace."""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import keras
import pandas as pd
from matplotlib.figure import Figure

from ganops.config import validate
from ganops.errors import ConfigError
from ganops.evaluation.evaluate import mode_coverage, primary, primary_score
from ganops.evaluation.plots import loss_figure
from ganops.tracking.logging import MlflowMetrics, log_summary
from ganops.training import backend
from ganops.training.config import TrainConfig, for_data
from ganops.training.run import train_run


def train(
    model_input: dict[str, Any],
    feature_extractor: keras.Model,
    reference_features: dict[str, Any],
    variant: str,
    primary_metric: str,
    model: dict[str, Any],
    train: dict[str, Any],
    points: dict[str, Any],
    checkpoints: Path,
    reports: Path,
) -> tuple[keras.Model, pd.DataFrame, pd.DataFrame, Figure, dict[str, Any]]:
    """Train (or resume) one variant, keeping the generator of the best score; failure modes
    seen on the way are logged as warnings and MLflow tags (and a semi-supervised variant's
    held-out classifier accuracy as a metric). On a cluster's workers but the chief
    (``kedro worker``), the same computations in step with it, nothing kept or tracked.

    Args:
        model_input: the preprocessed dataset.
        feature_extractor: the dataset's extractor, for the primary metric during training.
        reference_features: features of the real training split.
        variant: the variant's registry name.
        primary_metric: the metric that picks the best checkpoint (``evaluate.DIRECTIONS``).
        model: the variant's ``model`` parameters.
        train: the ``train`` parameters (steps, batch size, schedule, checkpoints...).
        points: what every variant uses on 2-D points instead (``training.config.for_data``).
        checkpoints: folder for resumable checkpoints.
        reports: folder for live sample grids and the progress GIF.

    Returns:
        The best generator, the per-step losses, the primary metric over steps, the
        loss-curve figure and a run summary.
    """
    run_name = f"{variant}-{model_input['meta'].get('dataset')}"
    primary_metric, model, train = for_data(
        model_input["meta"], variant, points, primary_metric, model, train
    )
    config = validate(TrainConfig, train, f"{variant}.train")
    chief = backend.is_chief()
    if not chief and config.distribution != "multi_worker":
        raise ConfigError(
            f"{variant}.train.distribution must be multi_worker on a cluster's workers: set "
            "it, as on the chief"
        )
    logger = [MlflowMetrics(run_name, every=config.log_every, reports=reports)] if chief else []
    metric = primary(primary_metric)
    score = primary_score(
        feature_extractor,
        reference_features,
        config.evaluate_samples,
        metric=metric[0],
        model_input=model_input,
    )
    coverage = mode_coverage(feature_extractor, model_input["meta"])
    with kept_by(chief, checkpoints, reports) as (checkpoints, reports):
        result = train_run(
            model_input,
            variant,
            model,
            train,
            checkpoints,
            reports,
            logger,
            score,
            coverage,
            metric,
            feature_extractor,
        )
    if not chief:  # its outputs are dropped
        return result.gan.generator, result.losses, result.scores, None, result.summary
    log_summary(result.summary)
    figure = loss_figure(result.losses, result.scores)
    return result.gan.generator, result.losses, result.scores, figure, result.summary


@contextlib.contextmanager
def kept_by(chief: bool, checkpoints: Path, reports: Path) -> Iterator[tuple[Path, Path]]:
    """The run's folders on the chief; on a cluster's other workers (``train.distribution:
    multi_worker``), which compute all the chief does, in step, but keep nothing, folders
    in a temporary one deleted after."""
    if chief:
        yield checkpoints, reports
        return
    with tempfile.TemporaryDirectory(prefix="ganops-worker-") as scratch:
        yield Path(scratch) / "checkpoints", Path(scratch) / "reports"
