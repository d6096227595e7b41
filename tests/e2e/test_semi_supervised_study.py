"""`kedro run --pipelines semi_supervised`: the study end to end, into the reports and MLflow."""

import pandas as pd
import pytest
from mlflow.tracking import MlflowClient

from tiny import TINY_TRAIN


@pytest.mark.slow  # the study's nodes: tests/pipelines/test_semi_supervised.py
def test_the_study_writes_its_table_and_logs_it(tmp_path, make_project, run_cmd, edit_params):
    project = make_project(tmp_path / "project")
    edit_params(
        project,
        "parameters_semi_supervised.yml",
        {
            "semi_supervised_study.labelled": [10, 30],
            "semi_supervised_study.seeds": [0, 1],
            "semi_supervised_study.train": TINY_TRAIN | {"steps": 3},
        },
    )
    run_cmd(project, "kedro", "run", "--pipelines", "semi_supervised")
    reports = project / "data/08_reporting/semi_supervised"
    table = pd.read_csv(reports / "study.csv")
    assert list(table["labelled"]) == [10, 30] and (table["runs"] == 2).all()
    assert {"sgan_accuracy_mean", "supervised_accuracy_se", "sgan_gain_mean"} <= set(table)
    runs = pd.read_csv(reports / "runs.csv")
    assert len(runs) == 8 and set(runs["method"]) == {"sgan", "supervised"}
    assert runs["accuracy"].between(0, 1).all()
    assert "| 30 | 3/3/3/3/3/3/3/3/3/3 |" in (reports / "study.md").read_text()
    assert (reports / "study.png").stat().st_size > 1000
    assert (project / "data/06_models/semi_supervised/labelled-30/seed-1/sgan").is_dir()

    client = MlflowClient(f"sqlite:///{project}/mlflow.db")
    experiment = client.get_experiment_by_name("ganops")
    (run,) = client.search_runs([experiment.experiment_id])  # the project's only kedro run
    assert {
        "semi_supervised.sgan_30_accuracy_mean",
        "semi_supervised.supervised_10_accuracy_se",
    } <= run.data.metrics.keys()
    logged = {a.path for a in client.list_artifacts(run.info.run_id)}
    assert {"study.csv", "runs.csv", "study.md", "study.png"} <= logged
