"""The ablation study: what each change from the book's DCGAN to the default run buys on
digits, and what it costs. Rows are cumulative: the first is the book's settings, each next
row adds one change, and the last must be the variant's parameters as shipped."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import keras
import pandas as pd
from omegaconf import OmegaConf
from pydantic import BaseModel, ConfigDict, Field

from ganops.config import validate
from ganops.errors import ConfigError
from ganops.evaluation.evaluate import (
    EvaluationConfig,
    primary,
    primary_score,
    sample_evaluation,
)
from ganops.evaluation.study import markdown, summarize, training_seconds
from ganops.training.config import TrainConfig
from ganops.training.run import train_run

log = logging.getLogger(__name__)


class Change(BaseModel):
    """One row: its name and the ``model`` / ``train`` settings it adds to the rows above."""

    model_config = ConfigDict(extra="forbid")

    name: str
    model: dict[str, Any] = {}
    train: dict[str, Any] = {}


class StudyConfig(BaseModel):
    """Which variant, from which settings, through which changes, over which seeds."""

    model_config = ConfigDict(extra="forbid")

    variant: str = "dcgan"
    changes: list[Change] = Field(min_length=1)
    seeds: list[int] = Field([0, 1, 2], min_length=1)


def merged(base: dict[str, Any], change: dict[str, Any]) -> dict[str, Any]:
    """``base`` with ``change`` merged in, nested blocks (stabilizers, optimizers) key by key."""
    return OmegaConf.to_container(OmegaConf.merge(base, change))


def settings(changes: list[Change]) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """Each row's name and its full ``model`` and ``train`` settings (the changes so far)."""
    rows, model, train = [], {}, {}
    for change in changes:
        model, train = merged(model, change.model), merged(train, change.train)
        rows.append((change.name, model, train))
    return rows


def check_ends_at(shipped: dict[str, Any], last: tuple[str, dict, dict], variant: str) -> None:
    """The last row is the variant's parameters: the table describes what ``kedro run``
    trains."""
    _, model, train = last
    for block, ours in (("model", model), ("train", train)):
        if merged(shipped[block], ours) != shipped[block]:
            raise ConfigError(
                f"ablation_study.changes: the last row's {block} settings differ from "
                f"parameters_{variant}.yml; the study must end at the shipped settings"
            )


def ablation_study(
    model_input: dict[str, Any],
    feature_extractor: keras.Model,
    reference_features: dict[str, Any],
    evaluation: dict[str, Any],
    study: dict[str, Any],
    folder: Path,
    **variants: dict[str, Any],
) -> tuple[pd.DataFrame, pd.DataFrame, str, dict[str, Any]]:
    """Train every (row, seed) of ``study`` as ``kedro run`` trains the variant (the best
    checkpoint by its primary metric) and measure it as its evaluation does.

    Args:
        model_input: the preprocessed dataset.
        feature_extractor: the dataset's extractor.
        reference_features: features of the real training split.
        evaluation: the ``evaluation`` parameters (samples, seed...).
        study: the ``ablation_study`` parameters (see ``StudyConfig``).
        folder: where each run keeps its checkpoints and samples (finished runs resume).
        variants: each variant's parameters block (``primary_metric``, ``model``, ``train``).

    Returns:
        The summary (mean and standard error over seeds per row), every run's numbers, the
        summary as Markdown, and the summary as MLflow metrics.
    """
    config = validate(StudyConfig, study, "ablation_study")
    if config.variant not in variants:
        raise ConfigError(
            f"ablation_study.variant: unknown '{config.variant}'; known: "
            + ", ".join(sorted(variants))
        )
    shipped = variants[config.variant]
    rows = settings(config.changes)
    check_ends_at(shipped, rows[-1], config.variant)
    measured = validate(EvaluationConfig, evaluation, "evaluation")
    metric = primary(shipped["primary_metric"])
    runs = []
    for index, (name, model, train) in enumerate(rows):
        model, train = merged(shipped["model"], model), merged(shipped["train"], train)
        score = primary_score(
            feature_extractor,
            reference_features,
            validate(TrainConfig, train, "ablation_study").evaluate_samples,
            metric=metric[0],
            model_input=model_input,
        )
        for seed in config.seeds:
            run = folder / f"{index:02d}" / f"seed-{seed}"
            seeded = train | {"seed": seed}
            result = train_run(
                model_input,
                config.variant,
                model,
                seeded,
                run / "checkpoints",
                run / "reports",
                score=score,
                primary=metric,
            )
            values, _, _ = sample_evaluation(
                result.gan.generator, model_input, feature_extractor, reference_features, measured
            )
            runs.append(
                {"change": name, "seed": seed, "value": values[metric[0]]}
                | {"seconds": training_seconds(result.summary, seeded["batch_size"])}
            )
            log.info("ablation %s / seed %d: %s", name, seed, runs[-1])
    runs = pd.DataFrame(runs)
    table = summarize(runs, by=("change",), metrics=("value", "seconds"))
    names = {"value": metric[0], "seconds": "training seconds"}
    logged = {
        f"{index:02d}_{column}": {"value": float(row[column]), "step": 0}
        for index, row in table.iterrows()
        for column in ("value_mean", "value_se", "seconds_mean")
    }
    return table, runs, markdown(table, names, by=("change",)), logged
