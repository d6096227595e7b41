"""The scheduled retrain on Airflow: the committed DAG is the one `make airflow-dag`
(`kedro airflow create`) generates from the `retrain` pipeline; Airflow, in its own
environment (`make airflow-venv`), loads it with one task per variant plus the shared data and
feature tasks, wired as the pipeline is."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest
import yaml
from kedro.pipeline import Pipeline

from ganops.pipeline_registry import register_pipelines
from ganops.variants import EXPERIMENTS, TRANSLATION, VARIANTS

REPO = Path(__file__).resolve().parents[2]
DAGS = REPO / "airflow_dags"
DAG_FILE = DAGS / "ganops_retrain_dag.py"
DAG_ID = "ganops_retrain"


@pytest.mark.slow  # ≈ 25 s: Kedro and the project loaded in a fresh process
def test_the_committed_dag_is_what_make_airflow_dag_generates(run_cmd, tmp_path: Path):
    run_cmd(REPO, "make", "--no-print-directory", "airflow-dag", f"AIRFLOW_DAGS={tmp_path}")
    generated = (tmp_path / DAG_FILE.name).read_text()
    assert generated == DAG_FILE.read_text(), "the DAG is out of date: run `make airflow-dag`"


# --- Airflow loads it ------------------------------------------------------------------------

#: Run in Airflow's environment: the DAG folder's DAGs, their import errors and tasks, as JSON.
LOAD_DAGS = """
import json, sys
from airflow.dag_processing.dagbag import DagBag
bag = DagBag(sys.argv[1])
dags = {
    dag_id: {
        "schedule": dag.schedule,
        "max_active_runs": dag.max_active_runs,
        "upstream": {t.task_id: sorted(t.upstream_task_ids) for t in dag.tasks},
        "commands": {t.task_id: t.bash_command for t in dag.tasks},
    }
    for dag_id, dag in bag.dags.items()
}
print(json.dumps({"errors": bag.import_errors, "dags": dags}), file=open(sys.argv[2], "w"))
"""


@pytest.fixture(scope="session")
def airflow_bin(run_cmd) -> Path:
    """`.venv-airflow/bin`: Airflow alone, made once by `make airflow-venv` (kept when up to
    date with airflow_dags/requirements.lock)."""
    run_cmd(REPO, "make", "--no-print-directory", "airflow-venv", timeout=900)
    return REPO / ".venv-airflow" / "bin"


def airflow_env(home: Path, dags: Path = DAGS, project: Path | str = "") -> dict[str, str]:
    """Airflow's settings for a test: its home (and SQLite metadata DB) in ``home``, its DAG
    folder, no example DAGs; the project the DAG runs in (empty: the DAG folder's parent)."""
    return {
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(dags),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "GANOPS_PROJECT": str(project),
    }


def task_edges(pipeline: Pipeline) -> dict[str, set[str]]:
    """Each node group's upstream groups: a namespace's nodes are one group (its top-level
    name), a node outside namespaces is its own group."""

    def group(node) -> str:
        return node.namespace.split(".")[0] if node.namespace else node.name

    edges: dict[str, set[str]] = {group(node): set() for node in pipeline.nodes}
    for node, parents in pipeline.node_dependencies.items():
        edges[group(node)] |= {group(p) for p in parents} - {group(node)}
    return edges


@pytest.mark.slow  # installs Airflow in .venv-airflow first (a minute or two on a fresh clone)
def test_airflow_loads_the_dag_with_one_task_per_variant_wired_as_the_pipeline(
    airflow_bin: Path, run_cmd, tmp_path: Path
):
    project = tmp_path / "deployed"  # a DAG deployed apart from the project finds it here
    env = airflow_env(tmp_path / "airflow", project=project)
    out = tmp_path / "dags.json"
    run_cmd(tmp_path, str(airflow_bin / "python"), "-c", LOAD_DAGS, str(DAGS), str(out), env=env)
    loaded = json.loads(out.read_text())
    assert loaded["errors"] == {}
    dag = loaded["dags"][DAG_ID]
    retrain = register_pipelines()["retrain"]
    assert {task: set(up) for task, up in dag["upstream"].items()} == task_edges(retrain)
    production = set(VARIANTS) - set(TRANSLATION) - set(EXPERIMENTS)
    shared = {"ingest_dataset", "preprocess", "dataset_card", "fit_feature_extractor"}
    assert dag["upstream"].keys() == production | shared
    for variant in production:
        assert set(dag["upstream"][variant]) == {"preprocess", "fit_feature_extractor"}
        command = dag["commands"][variant]
        assert command.startswith(f"cd {project} && ")
        assert command.endswith(f"kedro run --env local --pipelines retrain --namespaces {variant}")
    settings = yaml.safe_load((REPO / "conf/base/airflow.yml").read_text())["retrain"]
    assert (dag["schedule"], dag["max_active_runs"]) == (settings["schedule"], 1)

    # What a task does (BashOperator: `bash -c <command>`) where the project has no .venv:
    project.mkdir()
    task = subprocess.run(
        ["bash", "-c", dag["commands"]["ingest_dataset"]], capture_output=True, text=True
    )
    assert task.returncode == 2 and not task.stdout
    assert task.stderr.splitlines() == [
        f"ganops: no Kedro environment at {project}/.venv: run `make setup` in {project} first"
    ]


# --- one real run ----------------------------------------------------------------------------


@pytest.mark.slow  # ≈ 10 min on 2 cores: 16 `kedro run`s (the default suite's tiny retrain
# already runs the same pipeline in one process, tests/e2e/test_kedro_run.py)
def test_airflow_dags_test_retrains_every_variant_through_the_gate(
    airflow_bin: Path, make_project, run_cmd, tmp_path: Path
):
    """`airflow dags test ganops_retrain` on a tiny copy: every task runs `kedro run` in the
    copy, in dependency order, and every production variant is registered as champion."""
    project = make_project(tmp_path / "project")
    (project / ".venv").symlink_to(REPO / ".venv")  # the project's environment
    (project / "airflow_dags").mkdir()
    shutil.copy2(DAG_FILE, project / "airflow_dags" / DAG_FILE.name)  # as deployed with it
    home = tmp_path / "airflow"
    env = airflow_env(home, dags=project / "airflow_dags")  # the project: the DAG's parent
    airflow = str(airflow_bin / "airflow")
    run_cmd(project, airflow, "db", "migrate", env=env)
    run = run_cmd(project, airflow, "dags", "test", DAG_ID, env=env, timeout=1800)
    assert f"DagRun Finished: dag_id={DAG_ID}" in run.stdout and "state=success" in run.stdout
    with sqlite3.connect(home / "airflow.db") as db:
        states = dict(db.execute("SELECT task_id, state FROM task_instance"))
    production = set(VARIANTS) - set(TRANSLATION) - set(EXPERIMENTS)
    assert states == dict.fromkeys(task_edges(register_pipelines()["retrain"]), "success")
    from mlflow.tracking import MlflowClient

    client = MlflowClient(tracking_uri=f"sqlite:///{project}/mlflow.db")
    for variant in production:
        decision = json.loads(
            (project / f"data/08_reporting/{variant}/registration.json").read_text()
        )
        assert decision["version"] == "1" and decision["promoted"], (variant, decision)
        champion = client.get_model_version_by_alias(f"ganops-{variant}-digits", "champion")
        assert str(champion.version) == "1"
