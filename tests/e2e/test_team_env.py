"""End to end: `kedro run --env team` tracks on the team's server (conf/team/mlflow.yml, the
server chosen by GANOPS_TRACKING_URI), and a database that refuses the credentials stops the
run in one line before any node runs."""

import pytest
from mlflow import MlflowClient

from ganops.tracking.server import without_password

TEAM = ("kedro", "run", "--env", "team", "--pipelines", "ingest")


def finished_runs(client: MlflowClient) -> set[str]:
    experiment = client.get_experiment_by_name("ganops")
    if experiment is None:
        return set()
    runs = client.search_runs([experiment.experiment_id], "attributes.status = 'FINISHED'")
    return {run.info.run_id for run in runs}


@pytest.mark.slow  # the environment's settings: tests/tracking/test_team.py
def test_kedro_run_env_team_tracks_on_the_server(team_server, tmp_path, make_project, run_cmd):
    project = make_project(tmp_path / "project")
    client = MlflowClient(team_server.uri)
    before = finished_runs(client)
    user, password = team_server.admin  # the commands' environment leaves out MLFLOW_*
    env = {"MLFLOW_TRACKING_USERNAME": user, "MLFLOW_TRACKING_PASSWORD": password}
    run_cmd(project, *TEAM, env=env | {"GANOPS_TRACKING_URI": team_server.uri})
    assert len(finished_runs(client) - before) == 1
    assert not (project / "mlflow.db").exists()  # nothing tracked locally


@pytest.mark.slow  # the messages: tests/tracking/test_team.py; the hook: test_kedro_run.py
def test_kedro_run_env_team_on_refused_credentials_stops_in_one_line(
    team_server, tmp_path, make_project, run_cmd
):
    from sqlalchemy.engine import make_url

    project = make_project(tmp_path / "project")
    refused = make_url(team_server.cluster.uri).set(password="nope")
    bad = refused.render_as_string(hide_password=False)
    done = run_cmd(project, *TEAM, env={"GANOPS_TRACKING_URI": bad}, check=False)
    last = done.stdout.strip().splitlines()[-1]
    assert done.returncode == 2 and "Traceback" not in done.stdout, done.stdout[-3000:]
    database = f"MLflow tracking database {without_password(bad)}"
    assert last.startswith(f"ganops: TrackingUnavailable: {database} refused the credentials")
    assert "Running node" not in done.stdout and "nope" not in done.stdout
