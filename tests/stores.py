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


def use_tracking_server(uri: str, experiment: str = "ganops") -> str:
    """Point MLflow at the tracking server ``uri`` (its artifacts proxied by the server)."""
    mlflow.set_tracking_uri(uri)
    if mlflow.get_experiment_by_name(experiment) is None:
        mlflow.create_experiment(experiment)
    mlflow.set_experiment(experiment)
    return uri


TINY_REGISTERED = {"gan": {"latent_dim": 4, "generator_units": [8]}}  # others: tiny.TINY_MODELS


def register_tiny(
    digits_input: dict, variant: str = "gan", dataset: str = "digits", fid: float = 1.0
):
    """Register a tiny untrained ``variant`` as ``ganops-<variant>-<dataset>`` scored ``fid``,
    in the active store; returns the gate's decision."""
    from ganops.tracking.registry import register
    from ganops.variants import build_variant
    from ganops.variants.base import DataSpec
    from tiny import TINY_MODELS

    config = TINY_REGISTERED.get(variant) or TINY_MODELS[variant]
    generator = build_variant(variant, config, DataSpec.from_meta(digits_input["meta"])).generator
    metrics = {
        "variant": variant,
        "dataset": dataset,
        "samples": 10,
        "feature_extractor": "x",
        "primary": {"name": "fid", "value": fid, "better": "lower"},
        "metrics": {"fid": fid},
    }
    with mlflow.start_run():
        return register(generator, metrics, {})


def register_tiny_gan(digits_input: dict, dataset: str = "digits", fid: float = 1.0):
    """Register a tiny untrained GAN as ``ganops-gan-<dataset>`` (``register_tiny``)."""
    return register_tiny(digits_input, "gan", dataset, fid)


def registered_store(folder: Path, digits_input: dict, variants: tuple[str, ...] = ("gan",)) -> str:
    """A store in ``folder`` holding tiny untrained generators, each registered as the champion
    of ``ganops-<variant>-digits`` (by default one GAN); returns its URI."""
    uri = use_mlflow_store(folder)
    for variant in variants:
        register_tiny(digits_input, variant)
    return uri
