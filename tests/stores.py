"""A throw-away MLflow store for a test: its database and artifacts under one folder."""

from pathlib import Path

import mlflow


def use_mlflow_store(folder: Path, experiment: str = "ganops") -> str:
    """Point MLflow at ``folder`` (artifacts included, not ./mlruns); returns the URI."""
    uri = f"sqlite:///{folder}/mlflow.db"
    mlflow.set_tracking_uri(uri)
    if mlflow.get_experiment_by_name(experiment) is None:
        mlflow.create_experiment(experiment, artifact_location=(folder / "artifacts").as_uri())
    mlflow.set_experiment(experiment)  # MLflow caches the experiment id across stores
    return uri
