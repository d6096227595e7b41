"""Reading back what MLflow holds (the leaderboard's source)."""

from __future__ import annotations

import mlflow
import pandas as pd

EXPERIMENT = "ganops"


PRIMARY_TAG = "primary_metric"  # set by the evaluation: the metric that decides the champion


def evaluated_runs(experiment: str = EXPERIMENT) -> pd.DataFrame:
    """One row per run of ``experiment``: run name, start time, id, primary metric (``fid``
    for runs that do not say) and ``eval_*`` metrics."""
    runs = mlflow.search_runs(experiment_names=[experiment])
    metrics = {c: c.removeprefix("metrics.") for c in runs if c.startswith("metrics.eval_")}
    if runs.empty or not metrics:
        return pd.DataFrame(columns=["run_name", "start_time", "run_id", PRIMARY_TAG])
    tag = f"tags.{PRIMARY_TAG}"
    primary = runs[tag].fillna("fid") if tag in runs else pd.Series("fid", index=runs.index)
    frame = runs[["tags.mlflow.runName", "start_time", "run_id", *metrics]].assign(
        **{PRIMARY_TAG: primary}
    )
    return frame.rename(columns={"tags.mlflow.runName": "run_name", **metrics})
