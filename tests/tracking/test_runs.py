import mlflow

from ganops.pipelines.compare.nodes import compare
from ganops.tracking.logging import log_evaluated
from ganops.tracking.runs import evaluated_runs
from stores import use_mlflow_store


def test_leaderboard_from_a_real_tracking_store(tmp_path):
    use_mlflow_store(tmp_path)
    assert evaluated_runs().empty
    for name, fid in [("gan-digits", 3.0), ("dcgan-digits", 1.0), ("ingest", None)]:
        with mlflow.start_run(run_name=name):
            if fid is not None:
                mlflow.log_metrics({"eval_fid": fid, "eval_kid": fid / 10})
    with mlflow.start_run(run_name="evaluate"):  # `kedro run --pipelines evaluate` (DVC)
        log_evaluated("vae", "digits", "fid")
        mlflow.log_metrics({"eval_fid": 2.0, "eval_kid": 0.2})
    runs = evaluated_runs()
    assert {"run_name", "start_time", "run_id", "eval_fid", "eval_kid"} <= set(runs.columns)
    board, page = compare()
    assert list(board["variant"]) == ["dcgan", "vae", "gan"]
    assert list(board["fid"]) == [1.0, 2.0, 3.0]
    assert "<h1>Leaderboard</h1>" in page and "dcgan" in page
