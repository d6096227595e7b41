"""The scheduled retrain on Airflow: the committed DAG is the one `make airflow-dag`
(`kedro airflow create`) generates from the `retrain` pipeline; Airflow, in its own
environment (`make airflow-venv`), loads it with one task per variant plus the shared data and
feature tasks, wired as the pipeline is."""

from __future__ import annotations

from pathlib import Path

from conftest import REPO, run_in

DAGS = REPO / "airflow_dags"
DAG_FILE = DAGS / "ganops_retrain_dag.py"


def test_the_committed_dag_is_what_make_airflow_dag_generates(tmp_path: Path):
    run_in(REPO, "make", "--no-print-directory", "airflow-dag", f"AIRFLOW_DAGS={tmp_path}")
    generated = (tmp_path / DAG_FILE.name).read_text()
    assert generated == DAG_FILE.read_text(), "the DAG is out of date: run `make airflow-dag`"
