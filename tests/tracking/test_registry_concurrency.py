"""Two registrations at once (overlapping cron retrains) leave `champion` on the better one."""

import multiprocessing

from mlflow import MlflowClient

from stores import register_tiny_gan, use_mlflow_store


def register_one(folder, fid, delay, start):
    """In a fresh process: register a tiny generator scored ``fid``, once ``start`` is set,
    its gate taking ``delay`` seconds between deciding and setting the alias (a slow race)."""
    import time

    from ganops.data.sources import load_digits
    from ganops.data.transforms import PreprocessConfig, to_model_input
    from ganops.tracking import registry

    use_mlflow_store(folder)
    digits = to_model_input(load_digits(), PreprocessConfig(image_size=16))
    decide = registry.gate

    def slow_gate(*args):
        decision = decide(*args)
        time.sleep(delay)
        return decision

    registry.gate = slow_gate
    start.wait(timeout=120)
    register_tiny_gan(digits, dataset="race", fid=fid)


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
