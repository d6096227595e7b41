"""The semi-supervised study: SGAN's classifier against the same classifier trained on the
labelled examples alone, for several labelled counts and seeds, on held-out accuracy."""

from __future__ import annotations

import itertools
import logging
from pathlib import Path
from typing import Any

import pandas as pd
from matplotlib.figure import Figure
from pydantic import BaseModel, ConfigDict, Field, PositiveInt

from ganops.config import validate
from ganops.data.transforms import labelled_subset
from ganops.errors import ConfigError, DataError
from ganops.evaluation.plots import summary_figure
from ganops.evaluation.study import markdown, summarize
from ganops.training.run import train_run

log = logging.getLogger(__name__)
METHODS = {"sgan": False, "supervised": True}  # method -> sgan's ``supervised_only``
NEVER = 2**31 - 1  # a step no run reaches
COLUMNS = {  # summary column -> how the table names it
    "sgan_accuracy": "SGAN accuracy",
    "supervised_accuracy": "supervised-only accuracy",
    "sgan_gain": "SGAN gain",
}


class StudyConfig(BaseModel):
    """Which runs the study makes; both methods take ``sgan``'s parameters otherwise."""

    model_config = ConfigDict(extra="forbid")

    labelled: list[PositiveInt] = Field([25, 50, 100, 1000], min_length=1)
    seeds: list[int] = Field([0, 1, 2], min_length=1)
    train: dict[str, Any] = {}  # for both methods: train parameters (steps, batch size...)


def check_labelled(model_input: dict[str, Any], counts: list[int]) -> None:
    """Every labelled count can be drawn, balanced, from the training split, leaving SGAN
    unlabelled examples; raises ``ConfigError`` naming the count otherwise."""
    meta = model_input["meta"]
    if int(meta.get("num_classes", 0)) < 2:
        raise ConfigError(
            f"semi_supervised_study: dataset '{meta.get('dataset')}' has no classes to learn"
        )
    y = model_input["y_train"]
    for count in counts:
        if count >= len(y):
            raise ConfigError(
                f"semi_supervised_study.labelled: {count} labelled examples need more than the "
                f"{len(y)} of the training split (SGAN also needs unlabelled ones)"
            )
        try:
            labelled_subset(y, count, seed=0)
        except DataError as err:
            raise ConfigError(f"semi_supervised_study.labelled: {err}") from err


def per_class(summary: dict[str, Any], classes: int) -> str:
    """A run's labelled examples per class, in class order: "3/3/2/..."."""
    counts = summary["labelled_per_class"]
    return "/".join(str(counts.get(str(k), 0)) for k in range(classes))


def study_run(
    model_input: dict[str, Any],
    sgan: dict[str, Any],
    train: dict[str, Any],
    count: int,
    method: str,
    folder: Path,
) -> dict[str, Any]:
    """One run of the study (``count`` labelled examples, ``method``), resumed if it exists:
    its labelled examples per class, held-out accuracy and failure modes."""
    only = METHODS[method]
    model = sgan["model"] | {"labelled": count, "supervised_only": only}
    train = sgan["train"] | train
    if only:  # its generator never trains: no sample checks (diversity...)
        train["monitor"] = (train.get("monitor") or {}) | {"warmup": NEVER}
    result = train_run(
        model_input, "sgan", model, train, folder / "checkpoints", folder / "reports"
    )
    summary = result.summary
    return {
        "labelled": count,
        "per_class": per_class(summary, int(model_input["meta"]["num_classes"])),
        "seed": train["seed"],
        "method": method,
        "accuracy": summary["classifier_test_accuracy"],
        "failures": ", ".join(summary["failures"]),
    }


def semi_supervised_study(
    model_input: dict[str, Any], study: dict[str, Any], sgan: dict[str, Any], folder: Path
) -> tuple[pd.DataFrame, pd.DataFrame, str, Figure, dict[str, Any]]:
    """Train SGAN and its supervised-only baseline for every labelled count and seed of
    ``study`` (same seed: same labelled examples, initial weights and batches) and measure
    their classifiers' held-out accuracy.

    Args:
        model_input: the preprocessed, labelled dataset.
        study: the ``semi_supervised_study`` parameters (see ``StudyConfig``).
        sgan: the ``sgan`` parameters block (``model``, ``train``).
        folder: where each run keeps its checkpoints and samples (finished runs resume).

    Returns:
        The summary (mean and standard error over seeds per labelled count), every run's
        accuracy, the summary as Markdown, accuracy against labelled count, and the summary
        as MLflow metrics.
    """
    config = validate(StudyConfig, study, "semi_supervised_study")
    check_labelled(model_input, config.labelled)
    rows = []
    for count, seed, method in itertools.product(config.labelled, config.seeds, METHODS):
        run = folder / f"labelled-{count}" / f"seed-{seed}" / method
        train = config.train | {"seed": seed}
        rows.append(study_run(model_input, sgan, train, count, method, run))
        log.info("study %d labelled / seed %d / %s: %s", count, seed, method, rows[-1])
    runs = pd.DataFrame(rows)
    table = summarize(paired(runs), by=("labelled", "per_class"), metrics=tuple(COLUMNS))
    lines = {"sgan_accuracy": "SGAN", "supervised_accuracy": "labelled examples only"}
    figure = summary_figure(table, "labelled", lines, "held-out accuracy", "labelled examples")
    text = markdown(table, COLUMNS, by=("labelled", "per_class"))
    return table, runs, text, figure, mlflow_metrics(table)


def paired(runs: pd.DataFrame) -> pd.DataFrame:
    """One row per labelled count and seed: each method's accuracy and SGAN's gain."""
    pairs = runs.pivot(
        index=["labelled", "per_class", "seed"], columns="method", values="accuracy"
    ).reset_index()
    pairs = pairs.rename(columns={m: f"{m}_accuracy" for m in METHODS})
    pairs["sgan_gain"] = pairs["sgan_accuracy"] - pairs["supervised_accuracy"]
    return pairs


def mlflow_metrics(table: pd.DataFrame) -> dict[str, Any]:
    """The summary as MLflow metrics: ``<method>_<labelled>_accuracy_<mean|se>`` and
    ``sgan_gain_<labelled>_<mean|se>`` (standard errors only with several seeds)."""
    logged = {}
    for _, row in table.iterrows():
        n = row["labelled"]
        for stat in ("mean", "se"):
            named = {f"{m}_{n}_accuracy_{stat}": row[f"{m}_accuracy_{stat}"] for m in METHODS}
            named[f"sgan_gain_{n}_{stat}"] = row[f"sgan_gain_{stat}"]
            logged |= {k: {"value": float(v), "step": 0} for k, v in named.items() if pd.notna(v)}
    return logged
