import logging
import warnings
from pathlib import Path

import mlflow
import pandas as pd
import pytest
from mlflow import MlflowClient

from ganops.evaluation.evaluate import better
from ganops.serving.pyfunc import MODEL_CODE, GeneratorModel
from ganops.tracking.registry import (
    CHALLENGER,
    CHAMPION,
    champion_metrics,
    log_generator,
    model_name,
    register,
)
from ganops.variants import build_variant
from ganops.variants.base import DataSpec
from stores import use_mlflow_store


def metrics(value, extractor="domain-classifier-a", samples=500):
    return {
        "variant": "gan",
        "dataset": "digits",
        "samples": samples,
        "feature_extractor": extractor,
        "primary": {"name": "fid", "value": value, "better": "lower"},
        "metrics": {"fid": value, "precision": 0.5},
    }


@pytest.fixture
def registry(tmp_path, digits_input):
    use_mlflow_store(tmp_path)
    generator = build_variant(
        "gan", {"latent_dim": 4, "generator_units": [8]}, DataSpec.from_meta(digits_input["meta"])
    ).generator

    def submit(value, **kwargs):
        with mlflow.start_run() as run:
            decision = register(generator, metrics(value, **kwargs), {"git_commit": "abc"})
        return decision, run.info.run_id

    return MlflowClient(), submit, generator


def alias(client, which):
    return str(client.get_model_version_by_alias(model_name("gan", "digits"), which).version)


def test_first_version_becomes_champion_and_worse_ones_do_not(registry):
    client, submit, _ = registry
    first, _ = submit(5.0)
    assert first.promoted and first.reason.startswith("first version")
    assert alias(client, CHAMPION) == alias(client, CHALLENGER) == first.version
    worse, run_id = submit(6.0)
    assert not worse.promoted and worse.champion_value == 5.0
    assert alias(client, CHAMPION) == first.version and alias(client, CHALLENGER) == worse.version
    logged = client.get_run(run_id).data
    assert logged.tags["registry.promoted"] == "False"
    assert logged.metrics["registry_champion_fid"] == 5.0
    assert logged.metrics["registry_challenger_fid"] == 6.0
    better_one, _ = submit(4.0)
    assert better_one.promoted and alias(client, CHAMPION) == better_one.version


def test_versions_carry_their_measurement_and_provenance(registry):
    client, submit, _ = registry
    decision, _ = submit(5.0)
    tags = client.get_model_version(decision.name, decision.version).tags
    assert tags["git_commit"] == "abc" and tags["feature_extractor"] == "domain-classifier-a"
    assert float(tags["primary_value"]) == 5.0 and tags["samples"] == "500"


def test_the_champions_metrics_are_read_back_for_the_report(registry):
    client, submit, _ = registry
    assert champion_metrics(model_name("gan", "digits")) is None
    first, _ = submit(5.0)
    submit(6.0)  # not promoted
    assert champion_metrics(model_name("gan", "digits")) == (
        first.version,
        {"fid": 5.0, "precision": 0.5},
    )


def test_a_late_alias_write_from_another_machine_is_settled(registry):
    """Two registrations that both read no champion: the better one's write lands first, the
    worse one's late. The worse one's settle, reading again after its write, gives the alias
    back to the better one and says so."""
    from ganops.tracking.registry import Decision, settle

    client, submit, _ = registry
    worse, _ = submit(2.0)
    better_one, _ = submit(1.0)
    name = model_name("gan", "digits")
    client.set_registered_model_alias(name, CHAMPION, worse.version)  # the late write
    late = Decision(name, worse.version, True, "first version: no champion yet", "fid", 2.0)
    settle(client, name, metrics(2.0), late)
    assert alias(client, CHAMPION) == better_one.version
    assert (
        not late.promoted
        and late.reason == f"beaten by v{better_one.version}, registered meanwhile"
    )
    assert late.champion_version == better_one.version and late.champion_value == 1.0


def test_a_champion_measured_differently_is_not_beaten_on_paper(registry):
    client, submit, _ = registry
    submit(5.0, extractor="domain-classifier-old")
    decision, _ = submit(1.0)  # a better number, but from another feature extractor
    assert not decision.promoted and "measured differently" in decision.reason


def test_remeasured_champion_is_compared_on_the_same_footing(registry):
    client, submit, generator = registry
    submit(5.0, extractor="domain-classifier-old")
    seen = []

    def remeasure(uri):
        seen.append(uri)
        return 2.0

    with mlflow.start_run():
        lose = register(generator, metrics(3.0), {}, remeasure)
    with mlflow.start_run():
        win = register(generator, metrics(1.0), {}, remeasure)
    assert seen[0].startswith("models:/ganops-gan-digits/")
    assert not lose.promoted and lose.champion_value == 2.0
    assert win.promoted and alias(client, CHAMPION) == win.version


def test_the_champion_loads_and_generates(registry):
    _, submit, _ = registry
    submit(5.0)
    model = mlflow.pyfunc.load_model(f"models:/{model_name('gan', 'digits')}@{CHAMPION}")
    assert model.predict(pd.DataFrame({"n": [2], "seed": [0]})).shape == (2, 16, 16, 1)


def pickle_warnings(caplog, log) -> list[str]:
    """What ``log()`` warned about pickles, in MLflow's log (it does not propagate) or as
    Python warnings."""
    caplog.clear()
    mlflow_logger = logging.getLogger("mlflow")
    mlflow_logger.addHandler(caplog.handler)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            log()
    finally:
        mlflow_logger.removeHandler(caplog.handler)
    said = [r.getMessage() for r in caplog.records] + [str(w.message) for w in caught]
    return [message for message in said if "pickle" in message.lower()]


def test_versions_are_logged_as_code_not_as_a_pickle(registry, caplog, tmp_path, monkeypatch):
    _, _, generator = registry
    with mlflow.start_run():
        pickled = {"name": "old", "python_model": GeneratorModel(), "pip_requirements": []}
        old = pickle_warnings(caplog, lambda: mlflow.pyfunc.log_model(**pickled))
        assert old, "the check sees MLflow's warning about a pickled model (the old way)"
        new = pickle_warnings(caplog, lambda: log_generator(generator, "ganops-gan-digits"))
    assert new == []
    uri = "models:/ganops-gan-digits/1"
    folder = Path(mlflow.artifacts.download_artifacts(artifact_uri=uri, dst_path=str(tmp_path)))
    assert not (folder / "python_model.pkl").exists()
    assert (folder / MODEL_CODE.name).read_text() == MODEL_CODE.read_text()
    assert (folder / "artifacts" / "generator.keras").exists()
    monkeypatch.setenv("MLFLOW_ALLOW_PICKLE_DESERIALIZATION", "false")  # loading unpickles nothing
    model = mlflow.pyfunc.load_model(uri)
    assert isinstance(model.unwrap_python_model(), GeneratorModel)
    assert model.predict(pd.DataFrame({"n": [2], "seed": [0]})).shape == (2, 16, 16, 1)


def test_better_follows_the_direction():
    assert better(1.0, 2.0, "lower") and not better(2.0, 2.0, "lower")
    assert better(3.0, 2.0, "higher")


def test_an_unchanged_run_registers_nothing(registry):
    client, _, generator = registry
    with mlflow.start_run():
        first = register(generator, metrics(5.0), {"params_hash": "run-a"})
    with mlflow.start_run():
        again = register(generator, metrics(4.0), {"params_hash": "run-a"})
    assert not again.promoted and again.reason.startswith("unchanged: champion v1")
    assert again.version == first.version == alias(client, CHAMPION)
    assert len(client.search_model_versions(f"name='{first.name}'")) == 1
    with mlflow.start_run():
        changed = register(generator, metrics(4.0), {"params_hash": "run-b"})
    assert changed.promoted and changed.version == "2"
    with mlflow.start_run():  # a worse run, then the same run again (two retrains racing)
        worse = register(generator, metrics(6.0), {"params_hash": "run-c"})
        twice = register(generator, metrics(6.0), {"params_hash": "run-c"})
    assert not worse.promoted and twice.reason.startswith("unchanged: challenger v3")
    assert len(client.search_model_versions(f"name='{first.name}'")) == 3
    with mlflow.start_run():  # the same parameters trained longer (resumed): a new generator
        longer = register(generator, metrics(3.0), {"params_hash": "run-b", "steps": "4000"})
    assert longer.promoted and longer.version == "4"


@pytest.mark.parametrize("value", [float("nan"), float("inf")])
def test_a_version_without_a_finite_number_is_never_champion(registry, value):
    client, submit, _ = registry
    first, _ = submit(value)
    assert not first.promoted and "not a finite number" in first.reason
    assert alias(client, CHALLENGER) == first.version
    with pytest.raises(Exception, match="not found|RESOURCE_DOES_NOT_EXIST"):
        alias(client, CHAMPION)
    finite, _ = submit(9.0)
    assert finite.promoted and alias(client, CHAMPION) == finite.version
    again, _ = submit(value)
    assert not again.promoted and alias(client, CHAMPION) == finite.version


def test_a_champion_without_a_finite_number_loses_to_any_finite_one(registry):
    """A NaN champion, set by hand or by an older ganops, cannot hold the alias forever."""
    client, submit, _ = registry
    stuck, _ = submit(float("nan"))
    client.set_registered_model_alias(model_name("gan", "digits"), CHAMPION, stuck.version)
    challenger, _ = submit(1e9)
    assert challenger.promoted and alias(client, CHAMPION) == challenger.version


def test_a_champion_that_cannot_be_measured_the_same_way_keeps_the_alias(registry):
    """Re-measuring it returns None (images of another shape): one reason, no promotion."""
    client, submit, generator = registry
    first, _ = submit(5.0, extractor="domain-classifier-old")
    with mlflow.start_run():
        decision = register(generator, metrics(1.0), {}, lambda uri: None)
    assert not decision.promoted and "other shapes" in decision.reason
    assert alias(client, CHAMPION) == first.version


def test_better_never_prefers_a_number_that_is_not_finite():
    nan, inf = float("nan"), float("inf")
    assert better(1.0, nan, "lower") and better(1.0, inf, "lower") and better(1.0, nan, "higher")
    assert not better(nan, 1.0, "lower") and not better(nan, nan, "higher")
    assert not better(inf, 1.0, "higher") and not better(-inf, 1.0, "lower")
    assert better(1.0, 2.0, "lower") and not better(2.0, 2.0, "lower")


def test_the_registry_lock_is_private_to_the_user_not_in_the_shared_tmp(tmp_path, monkeypatch):
    import stat

    from ganops.tracking.registry import lock_path

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    path = lock_path("ganops-gan-digits")
    assert path == tmp_path / "cache/ganops/locks/ganops-gan-digits.registry.lock"
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
