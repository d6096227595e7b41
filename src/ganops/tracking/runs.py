"""Reading back what MLflow holds (the leaderboard's source)."""

from __future__ import annotations

import mlflow
import pandas as pd

EXPERIMENT = "ganops"


PRIMARY_TAG = "primary_metric"  # set by the evaluation: the metric that decides the champion
EVALUATED_TAGS = ("variant", "dataset")  # set by the evaluation: what it measured


def evaluated_runs(experiment: str = EXPERIMENT) -> pd.DataFrame:
    """One row per run of ``experiment``: run name, start time, id, primary metric (``fid``
    for runs that do not say), the variant and dataset evaluated (when the run says) and
    ``eval_*`` metrics."""
    runs = mlflow.search_runs(experiment_names=[experiment])
    metrics = {c: c.removeprefix("metrics.") for c in runs if c.startswith("metrics.eval_")}
    if runs.empty or not metrics:
        return pd.DataFrame(columns=["run_name", "start_time", "run_id", PRIMARY_TAG])
    tag = lambda name, default: runs.get(f"tags.{name}", pd.Series(default, index=runs.index))  # noqa: E731
    frame = runs[["tags.mlflow.runName", "start_time", "run_id", *metrics]].assign(
        **{PRIMARY_TAG: tag(PRIMARY_TAG, "fid").fillna("fid")},
        **{name: tag(name, None) for name in EVALUATED_TAGS},
    )
    return frame.rename(columns={"tags.mlflow.runName": "run_name", **metrics})
