"""The default run under the JAX backend: `KERAS_BACKEND=jax kedro run` trains, evaluates and
registers (the version says it was trained on JAX and needs jax, not tensorflow), and
`mlflow models serve` answers under JAX; an unusable KERAS_BACKEND is one line (a checkpoint
of the other backend: tests/jax_backend)."""

import json
from pathlib import Path

import numpy as np
import pytest
import yaml
from test_kedro_run import user_error

from e2e_requests import post

JAX = {"KERAS_BACKEND": "jax"}
NAME = "ganops-dcgan-digits"


@pytest.fixture(scope="module")
def project(tmp_path_factory, make_project, run_cmd) -> Path:
    project = make_project(tmp_path_factory.mktemp("jax") / "project")
    run_cmd(project, "kedro", "run", env=JAX)
    return project


def test_the_default_run_trains_evaluates_and_registers_under_jax(project):
    summary = json.loads((project / "data/08_reporting/dcgan/train_summary.json").read_text())
    metrics = json.loads((project / "data/08_reporting/dcgan/metrics.json").read_text())
    assert summary["steps"] > 0 and np.isfinite(metrics["metrics"]["fid"])
    registration = json.loads((project / "data/08_reporting/dcgan/registration.json").read_text())
    assert registration["promoted"], registration
    checkpoint = sorted((project / "data/06_models/dcgan/checkpoints").glob("ckpt-*.npz"))[-1]
    with np.load(checkpoint) as npz:
        assert str(npz["backend"]) == "jax"


def test_the_version_records_jax_and_requires_it(project):
    import mlflow
    from mlflow.tracking import MlflowClient

    previous = mlflow.get_tracking_uri()
    mlflow.set_tracking_uri(f"sqlite:///{project}/mlflow.db")
    try:
        client = MlflowClient()
        champion = client.get_model_version_by_alias(NAME, "champion")
        folder = mlflow.artifacts.download_artifacts(f"models:/{NAME}@champion")
    finally:
        mlflow.set_tracking_uri(previous)
    assert champion.tags["backend"] == "jax"
    required = (Path(folder) / "requirements.txt").read_text().split()
    assert any(r.startswith("jax==") for r in required), required
    assert not any(r.startswith("tensorflow") for r in required), required
    conda = yaml.safe_load((Path(folder) / "conda.yaml").read_text())
    assert "tensorflow" not in json.dumps(conda)


@pytest.mark.slow  # serving: tests/e2e/test_serve.py; under JAX, the slow every-variant run
def test_the_registered_generator_is_served_under_jax(project, serve_model, monkeypatch):
    monkeypatch.setenv("KERAS_BACKEND", "jax")
    uri = f"sqlite:///{project}/mlflow.db"
    with serve_model(project, uri, f"models:/{NAME}@champion") as base:
        request = {"dataframe_split": {"columns": ["n", "seed"], "data": [[3, 0]]}}
        status, body = post(f"{base}/invocations", request)
    assert status == 200, body
    images = np.asarray(body["predictions"])
    assert images.shape[0] == 3 and images.min() >= 0 and images.max() <= 1


@pytest.mark.parametrize(
    ("backend", "message"),
    [("theano", "KERAS_BACKEND=theano: ganops trains on tensorflow or jax")],
)
def test_an_unusable_backend_is_one_line(project, run_cmd, backend, message):
    proc = run_cmd(project, "kedro", "run", check=False, env={"KERAS_BACKEND": backend})
    assert user_error(proc) == f"ganops: ConfigError: {message}"
