"""Two registrations at once (overlapping cron retrains) leave `champion` on the better one."""

import multiprocessing

import mlflow
from mlflow import MlflowClient

from stores import use_mlflow_store


def register_one(folder, fid, delay, start):
    """In a fresh process: register a tiny generator scored ``fid``, once ``start`` is set,
    its gate taking ``delay`` seconds between deciding and setting the alias (a slow race)."""
    import time

    from ganops.data.sources import load_digits
    from ganops.data.transforms import PreprocessConfig, to_model_input
    from ganops.tracking import registry
    from ganops.tracking.registry import register
    from ganops.variants import build_variant
    from ganops.variants.base import DataSpec

    use_mlflow_store(folder)
    data = to_model_input(load_digits(), PreprocessConfig(image_size=16))
    generator = build_variant(
        "gan", {"latent_dim": 4, "generator_units": [8]}, DataSpec.from_meta(data["meta"])
    ).generator
    metrics = {
        "variant": "gan",
        "dataset": "race",
        "samples": 10,
        "feature_extractor": "x",
        "primary": {"name": "fid", "value": fid, "better": "lower"},
    }
    decide = registry.gate

    def slow_gate(*args):
        decision = decide(*args)
        time.sleep(delay)
        return decision

    registry.gate = slow_gate
    start.wait(timeout=120)
    with mlflow.start_run():
        register(generator, metrics, {})


def test_concurrent_registrations_promote_the_better_model(tmp_path):
    use_mlflow_store(tmp_path)  # an existing store, as under cron (creating one is not atomic)
    MlflowClient().search_registered_models()
    context = multiprocessing.get_context("spawn")
    start = context.Event()
    # Unlocked, both would see no champion and the worse one, slower, would win the alias.
    workers = [
        context.Process(target=register_one, args=(tmp_path, fid, delay, start))
        for fid, delay in ((2.0, 4.0), (1.0, 1.0))
    ]
    for worker in workers:
        worker.start()
    start.set()
    for worker in workers:
        worker.join(timeout=300)
    assert [w.exitcode for w in workers] == [0, 0]
    use_mlflow_store(tmp_path)
    client = MlflowClient()
    versions = client.search_model_versions("name='ganops-gan-race'")
    assert len(versions) == 2
    champion = client.get_model_version_by_alias("ganops-gan-race", "champion")
    assert champion.tags["primary_value"] == repr(1.0)
