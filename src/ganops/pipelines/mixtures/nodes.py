"""The mixtures study: unconditional variants x 2-D mixtures x seeds, mode coverage measured."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pandas as pd
from matplotlib.figure import Figure
from pydantic import BaseModel, ConfigDict, Field, PositiveInt

from ganops.config import validate
from ganops.errors import ConfigError
from ganops.evaluation.metrics import MIXTURE_SAMPLES, mixture_metrics
from ganops.evaluation.plots import study_figure
from ganops.evaluation.study import markdown, summarize, training_seconds
from ganops.pipelines.ingest.nodes import ingest_dataset
from ganops.pipelines.preprocess.nodes import preprocess as preprocess_node
from ganops.sampling import generate
from ganops.training.config import for_data
from ganops.training.run import train_run

log = logging.getLogger(__name__)
SHOWN = 1000  # points per scatter in the study's figure


class StudyConfig(BaseModel):
    """Which runs the study makes; every variant runs with its settings for points
    (``points``, ``parameters_points.yml``)."""

    model_config = ConfigDict(extra="forbid")

    datasets: list[str] = Field(["ring8", "grid25"], min_length=1)
    variants: list[str] = Field(["gan", "wgan", "lsgan", "wgan_gp", "sngan"], min_length=1)
    seeds: list[int] = Field([0, 1, 2], min_length=1)
    samples: PositiveInt = MIXTURE_SAMPLES


def mixture_input(
    dataset: str, datasets: dict[str, Any], preprocess: dict[str, Any]
) -> dict[str, Any]:
    """A 2-D mixture dataset, through the ingest and preprocess nodes."""
    data = preprocess_node(ingest_dataset(dataset, datasets), preprocess)
    if "means" not in data["meta"]:
        raise ConfigError(f"mixtures_study.datasets: '{dataset}' is not a 2-D Gaussian mixture")
    return data


def mixtures_study(
    study: dict[str, Any],
    datasets: dict[str, Any],
    preprocess: dict[str, Any],
    points: dict[str, Any],
    folder: Path,
    **variants: dict[str, Any],
) -> tuple[pd.DataFrame, pd.DataFrame, str, Figure, dict[str, Any]]:
    """Train every (dataset, variant, seed) of ``study`` and measure its mode coverage.

    Args:
        study: the ``mixtures_study`` parameters (see ``StudyConfig``).
        datasets: the ingestion parameters (``datasets``).
        preprocess: the ``preprocess`` parameters.
        points: what every variant uses on 2-D points (``training.config.for_data``).
        folder: where each run keeps its checkpoints and samples (finished runs resume).
        variants: each variant's parameters block (``variant``, ``model``, ``train``).

    Returns:
        The summary (mean and standard error over seeds), every run's numbers, the summary
        as Markdown, scatter plots of seed 0, and the summary as MLflow metrics.
    """
    config = validate(StudyConfig, study, "mixtures_study")
    unknown = sorted(set(config.variants) - variants.keys())
    if unknown:
        raise ConfigError(
            f"mixtures_study.variants: unknown {unknown}; known: {', '.join(sorted(variants))}"
        )
    rows, shown, references = [], {}, {}
    for dataset in config.datasets:
        data = mixture_input(dataset, datasets, preprocess)
        meta, references[dataset] = data["meta"], data["x_train"][:2000]
        for variant in config.variants:
            params = variants[variant]
            _, model, train = for_data(
                meta, variant, points, params["primary_metric"], params["model"], params["train"]
            )
            for seed in config.seeds:
                run = folder / dataset / variant / f"seed-{seed}"
                seeded = train | {"seed": seed}
                result = train_run(
                    data, variant, model, seeded, run / "checkpoints", run / "reports"
                )
                samples = generate(result.gan.generator, config.samples, seed)
                found = mixture_metrics(samples, meta["means"], meta["std"])
                log.info("study %s / %s / seed %d: %s", dataset, variant, seed, found)
                failures = ", ".join(result.summary["failures"])
                rows.append(
                    {"dataset": dataset, "variant": variant, "seed": seed}
                    | found
                    | {"seconds": training_seconds(result.summary, seeded["batch_size"])}
                    | {"failures": failures}
                )
                shown.setdefault((dataset, variant), samples[:SHOWN])
    runs = pd.DataFrame(rows)
    table = summarize(runs)
    logged = {
        f"{row['dataset']}_{row['variant']}_{column}": {
            "value": float(row[column]),
            "step": 0,
        }
        for _, row in table.iterrows()
        for column in table.columns
        if column.endswith(("_mean", "_se")) and pd.notna(row[column])
    }
    return table, runs, markdown(table), study_figure(shown, references), logged
