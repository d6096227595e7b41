import mlflow
import numpy as np
from mlflow import MlflowClient

from ganops.tracking.logging import MlflowMetrics, log_summary
from stores import use_mlflow_store


class FakeTrainer:
    images_per_second = 123.0


def test_every_step_is_logged_in_batches_with_artifacts(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    use_mlflow_store(tmp_path)
    (tmp_path / "samples.png").write_bytes(b"\x89PNG fake")
    callback = MlflowMetrics("dcgan-digits", every=4, reports=tmp_path)
    with mlflow.start_run() as run:
        callback.on_start(FakeTrainer(), 0)
        for step in range(1, 11):
            callback.on_step(FakeTrainer(), step, {"d_loss": 1.0 / step, "g_loss": float(step)})
        callback.on_end(FakeTrainer(), 10)
    client = MlflowClient()
    history = client.get_metric_history(run.info.run_id, "d_loss")
    assert [m.step for m in sorted(history, key=lambda m: m.step)] == list(range(1, 11))
    np.testing.assert_allclose(sorted(m.value for m in history), sorted(1.0 / np.arange(1, 11)))
    finished = client.get_run(run.info.run_id)
    assert finished.info.run_name == "dcgan-digits"
    assert finished.data.metrics["images_per_second"] == 123.0
    assert [a.path for a in client.list_artifacts(run.info.run_id)] == ["samples.png"]


def test_without_an_active_run_nothing_is_logged(tmp_path):
    callback = MlflowMetrics("x", every=1)
    callback.on_start(FakeTrainer(), 0)
    callback.on_step(FakeTrainer(), 1, {"d_loss": 1.0})
    callback.on_end(FakeTrainer(), 1)
    assert callback.pending == []


def test_failure_modes_become_run_tags_and_classifier_accuracy_a_metric(tmp_path):
    use_mlflow_store(tmp_path)
    summary = {
        "failures": {"mode_coverage_collapsed": {"step": 500, "message": "mode collapse: 30%"}},
        "stopped_early": "mode_coverage_collapsed at step 500: mode collapse: 30%",
        "classifier_test_accuracy": 0.75,
        "labelled": 100,
    }
    with mlflow.start_run() as run:
        log_summary(summary)
    data = MlflowClient().get_run(run.info.run_id).data
    assert data.tags["failure.mode_coverage_collapsed"] == "step 500: mode collapse: 30%"
    assert data.tags["stopped_early"].startswith("mode_coverage_collapsed at step 500")
    assert data.metrics == {"classifier_test_accuracy": 0.75, "labelled": 100.0}
    log_summary(summary)  # no active run: nothing, no error
