"""Per-step losses and live artifacts to the active MLflow run (kedro-mlflow opens it)."""

from __future__ import annotations

import time
from typing import Any

import mlflow
from mlflow.entities import Metric
from mlflow.exceptions import MlflowException

from ganops.tracking.guard import GUARD
from ganops.tracking.runs import EVALUATED_TAGS, PRIMARY_TAG
from ganops.training.callbacks import Callback


class MlflowMetrics(Callback):
    """Logs every step's losses in batches of ``every`` steps, sent in the background while
    training goes on (waited for at the end), and the sample pictures at the end.

    Does nothing when no MLflow run is active (plain Python use, unit tests), and stops when
    the tracking server stops answering (training goes on: ``tracking.guard``).
    """

    def __init__(self, run_name: str, every: int, reports: Any = None):
        self.run_name, self.every, self.reports = run_name, every, reports
        self.pending: list[Metric] = []
        self.sending: list[Any] = []  # MLflow's RunOperations of the batches in flight
        self.run_id: str | None = None

    def on_start(self, trainer: Any, step: int) -> None:
        self.run_id = mlflow.active_run().info.run_id if tracking("training starts") else None
        if self.run_id:
            mlflow.set_tag("mlflow.runName", self.run_name)

    def on_step(self, trainer: Any, step: int, logs: dict[str, float]) -> None:
        if not self.run_id:
            return
        now = int(time.time() * 1000)
        self.pending += [Metric(k, v, now, step) for k, v in logs.items()]
        if step % self.every == 0:
            if not GUARD.tracking(f"training, step {step}"):
                self.run_id, self.pending = None, []
                return
            self.flush()

    def flush(self) -> None:
        client = mlflow.tracking.MlflowClient()
        for start in range(0, len(self.pending), 1000):  # MLflow's batch limit
            batch = self.pending[start : start + 1000]
            self.sending.append(client.log_batch(self.run_id, metrics=batch, synchronous=False))
        self.pending = []

    def on_end(self, trainer: Any, step: int) -> None:
        if not self.run_id:
            return
        self.flush()
        try:
            for operation in self.sending:
                operation.wait()
        except MlflowException:
            if GUARD.tracking("training ends"):
                raise
            return
        finally:
            self.sending = []
        mlflow.log_metric("images_per_second", trainer.images_per_second)
        if self.reports is not None:
            for name in ("samples.png", "progress.gif"):
                if (self.reports / name).is_file():
                    mlflow.log_artifact(str(self.reports / name))


def tracking(where: str) -> bool:
    """Whether an MLflow run is active and its server (if any) still answers."""
    return mlflow.active_run() is not None and GUARD.tracking(where)


def log_summary(summary: dict[str, Any]) -> None:
    """What a training summary adds to the active run: failure modes as tags
    ``failure.<kind>`` = "step N: message", and a semi-supervised classifier's held-out
    accuracy with the number of labelled examples it learned from."""
    if not tracking("the training summary"):
        return
    failures = summary.get("failures") or {}
    tags = {f"failure.{kind}": f"step {f['step']}: {f['message']}" for kind, f in failures.items()}
    if summary.get("stopped_early"):
        tags["stopped_early"] = summary["stopped_early"]
    mlflow.set_tags(tags)
    if "classifier_test_accuracy" in summary:
        mlflow.log_metrics(
            {
                "classifier_test_accuracy": summary["classifier_test_accuracy"],
                "labelled": summary["labelled"],
            }
        )


def log_evaluated(variant: str, dataset: str, primary: str) -> None:
    """Tag the active run with what its evaluation measured and the metric that decides its
    champion (the leaderboard's rows and order; a run of the evaluation alone has no name
    that says)."""
    if tracking("the evaluation's tags"):
        tags = dict(zip(EVALUATED_TAGS, (variant, dataset), strict=True))
        mlflow.set_tags(tags | {PRIMARY_TAG: primary})
