"""2-D mixtures end to end: a variant on ring8 judged by the mixture fit, and
`kedro run --pipelines mixtures` (the study) into the reports and MLflow."""

import json

import pandas as pd
import pytest
from mlflow.tracking import MlflowClient


@pytest.mark.slow  # ≈ 65 s; points in-process: tests/pipelines/test_mixtures.py, evaluation
def test_a_variant_on_points_is_judged_by_the_mixture_fit(tmp_path, make_project, run_cmd):
    """The README's example: the points settings and metric, not the image ones and FD."""
    project = make_project(tmp_path / "project")
    run_cmd(project, "kedro", "run", "--params", "dataset=ring8", "--pipelines", "prepare")
    quick = "dataset=ring8,points.train.steps=2000"  # the shipped 10,000: the study's budget
    command = ["kedro", "run", "--params", quick, "--pipelines", "sampling"]
    run_cmd(project, *command, "--namespaces", "gan")
    reports = project / "data/08_reporting/gan"
    metrics = json.loads((reports / "metrics.json").read_text())
    assert metrics["primary"]["name"] == "mixture_fit" and metrics["primary"]["better"] == "higher"
    assert {"mixture_fit", "modes_covered", "high_quality", "fid"} <= metrics["metrics"].keys()
    summary = json.loads((reports / "train_summary.json").read_text())
    assert "best_mixture_fit" in summary
    decision = json.loads((reports / "registration.json").read_text())
    assert decision["metric"] == "mixture_fit" and decision["name"] == "ganops-gan-ring8"


@pytest.mark.slow  # the study's nodes: tests/pipelines/test_mixtures.py
def test_the_study_writes_its_table_and_logs_it(tmp_path, make_project, run_cmd, edit_params):
    project = make_project(tmp_path / "project")
    edit_params(
        project,
        "parameters_mixtures.yml",
        {
            "mixtures_study.datasets": ["ring8", "grid25"],
            "mixtures_study.variants": ["wgan_gp"],  # gan on points: the test above
            "mixtures_study.seeds": [0, 1],
            "mixtures_study.samples": 500,
        },
    )
    quick = {"points.train.steps": 300, "points.train.batch_size": 256}
    edit_params(project, "parameters_points.yml", quick | {"points.train.checkpoint_every": 100})
    run_cmd(project, "kedro", "run", "--pipelines", "mixtures")
    reports = project / "data/08_reporting/mixtures"
    table = pd.read_csv(reports / "study.csv")
    assert len(table) == 2 and (table["runs"] == 2).all()
    assert {"mixture_fit_mean", "modes_covered_mean", "high_quality_se"} <= set(table)
    assert len(pd.read_csv(reports / "runs.csv")) == 4
    assert "| grid25 | wgan_gp |" in (reports / "study.md").read_text()
    assert (reports / "study.png").stat().st_size > 1000

    client = MlflowClient(f"sqlite:///{project}/mlflow.db")
    experiment = client.get_experiment_by_name("ganops")
    (run,) = client.search_runs([experiment.experiment_id])  # the project's only kedro run
    assert "study.grid25_wgan_gp_modes_covered_mean" in run.data.metrics
    logged = {a.path for a in client.list_artifacts(run.info.run_id)}
    assert {"study.csv", "runs.csv", "study.md", "study.png"} <= logged
