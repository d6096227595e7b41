"""Reading back what MLflow holds (the leaderboard's source)."""

from __future__ import annotations

import mlflow
import pandas as pd

EXPERIMENT = "ganops"


def evaluated_runs(experiment: str = EXPERIMENT) -> pd.DataFrame:
    """One row per run of ``experiment``: run name, start time, id and ``eval_*`` metrics."""
    runs = mlflow.search_runs(experiment_names=[experiment])
    if runs.empty or "metrics.eval_fid" not in runs:
        return pd.DataFrame(columns=["run_name", "start_time", "run_id", "eval_fid"])
    metrics = {c: c.removeprefix("metrics.") for c in runs if c.startswith("metrics.eval_")}
    frame = runs[["tags.mlflow.runName", "start_time", "run_id", *metrics]]
    return frame.rename(columns={"tags.mlflow.runName": "run_name", **metrics})
