"""`kedro run --pipelines mixtures`: the study end to end, into the reports and MLflow."""

import pandas as pd
from mlflow.tracking import MlflowClient

from tiny import TINY_TRAIN


def test_the_study_writes_its_table_and_logs_it(tmp_path, make_project, run_cmd, edit_params):
    project = make_project(tmp_path / "project")
    edit_params(
        project,
        "parameters_mixtures.yml",
        {
            "mixtures_study.datasets": ["ring8", "grid25"],
            "mixtures_study.variants": ["gan", "wgan_gp"],
            "mixtures_study.seeds": [0, 1],
            "mixtures_study.samples": 500,
            "mixtures_study.train": TINY_TRAIN,
        },
    )
    run_cmd(project, "kedro", "run", "--pipelines", "mixtures")
    reports = project / "data/08_reporting/mixtures"
    table = pd.read_csv(reports / "study.csv")
    assert len(table) == 4 and (table["runs"] == 2).all()
    assert {"modes_covered_mean", "high_quality_se", "kl_from_uniform_mean"} <= set(table)
    assert len(pd.read_csv(reports / "runs.csv")) == 8
    assert "| grid25 | wgan_gp |" in (reports / "study.md").read_text()
    assert (reports / "study.png").stat().st_size > 1000

    client = MlflowClient(f"sqlite:///{project}/mlflow.db")
    experiment = client.get_experiment_by_name("ganops")
    (run,) = client.search_runs([experiment.experiment_id])  # the project's only kedro run
    assert "study.grid25_wgan_gp_modes_covered_mean" in run.data.metrics
    logged = {a.path for a in client.list_artifacts(run.info.run_id)}
    assert {"study.csv", "runs.csv", "study.md", "study.png"} <= logged
