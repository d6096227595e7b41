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


def register_tiny_gan(digits_input: dict, dataset: str = "digits", fid: float = 1.0):
    """Register a tiny untrained GAN as ``ganops-gan-<dataset>`` scored ``fid``, in the
    active store; returns the gate's decision."""
    from ganops.tracking.registry import register
    from ganops.variants import build_variant
    from ganops.variants.base import DataSpec

    generator = build_variant(
        "gan", {"latent_dim": 4, "generator_units": [8]}, DataSpec.from_meta(digits_input["meta"])
    ).generator
    metrics = {
        "variant": "gan",
        "dataset": dataset,
        "samples": 10,
        "feature_extractor": "x",
        "primary": {"name": "fid", "value": fid, "better": "lower"},
    }
    with mlflow.start_run():
        return register(generator, metrics, {})


def registered_store(folder: Path, digits_input: dict) -> str:
    """A store in ``folder`` holding one tiny untrained GAN registered as the champion of
    ``ganops-gan-digits``; returns its URI."""
    uri = use_mlflow_store(folder)
    register_tiny_gan(digits_input)
    return uri
