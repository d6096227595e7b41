import socket
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from ganops.tracking.server import TrackingUnavailable, check_tracking_uri


class Healthy(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's name)
        self.send_response(200 if self.path == "/health" else 404)
        self.end_headers()
        self.wfile.write(b"OK")

    def log_message(self, *args):
        pass


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_answering_server_passes():
    server = HTTPServer(("127.0.0.1", 0), Healthy)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        check_tracking_uri(f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()


def test_an_unreachable_server_is_named():
    uri = f"http://127.0.0.1:{closed_port()}"
    with pytest.raises(TrackingUnavailable, match=f"tracking server {uri} is unreachable"):
        check_tracking_uri(uri, timeout=2)


def test_a_sqlite_store_needs_its_folder(tmp_path):
    check_tracking_uri("sqlite:///mlflow.db", tmp_path)
    check_tracking_uri(f"sqlite:///{tmp_path}/mlflow.db")
    with pytest.raises(TrackingUnavailable, match="folder .*nowhere does not exist"):
        check_tracking_uri("sqlite:///nowhere/mlflow.db", tmp_path)


def test_a_registry_read_from_the_command_line_must_be_a_sqlite_database(tmp_path):
    (tmp_path / "notes.txt").write_text("not a database")
    (tmp_path / "empty.db").touch()  # SQLite makes a database of an empty file
    with pytest.raises(TrackingUnavailable, match=r"notes.txt is no database$"):
        check_tracking_uri(f"sqlite:///{tmp_path}/notes.txt", reading=True)
    check_tracking_uri(f"sqlite:///{tmp_path}/empty.db?timeout=30", reading=True)
    with pytest.raises(TrackingUnavailable, match=r"gone.db\?timeout=30 does not exist"):
        check_tracking_uri(f"sqlite:///{tmp_path}/gone.db?timeout=30", reading=True)


def test_the_command_line_is_told_of_its_own_option():
    uri = f"http://127.0.0.1:{closed_port()}"
    with pytest.raises(TrackingUnavailable, match="unreachable: .*or give --tracking-uri$"):
        check_tracking_uri(uri, timeout=2, reading=True)


# --- a server that goes away during a run (tracking.guard) -----------------------------------


@pytest.fixture
def guard(monkeypatch):
    """A fresh guard; MLflow's retry settings and kedro-mlflow's hook restored afterwards."""
    from kedro_mlflow.framework.hooks.mlflow_hook import mlflow_hook

    from ganops.tracking.guard import FAIL_FAST, Guard

    for name in FAIL_FAST:  # the guard sets them; monkeypatch puts them back
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(mlflow_hook, "run_id", "run", raising=False)
    monkeypatch.setattr(mlflow_hook, "_is_mlflow_enabled", True, raising=False)
    return Guard()


def test_a_local_store_is_not_watched(guard):
    guard.watch("sqlite:///mlflow.db")
    assert guard.uri is None and guard.tracking("anywhere")
    guard.check()  # nothing lost: no error


def test_a_server_that_stops_answering_turns_tracking_off_and_the_run_ends_in_one_line(
    guard, tmp_path
):
    import mlflow
    from kedro.io import DataCatalog
    from kedro_mlflow.framework.hooks.mlflow_hook import mlflow_hook
    from kedro_mlflow.io.artifacts import MlflowArtifactDataset

    from stores import use_mlflow_store

    server = HTTPServer(("127.0.0.1", 0), Healthy)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    guard.watch(f"http://127.0.0.1:{server.server_port}")
    picture = MlflowArtifactDataset({"type": "json.JSONDataset", "filepath": str(tmp_path / "a")})
    guard.catalog = DataCatalog({"picture": picture})
    assert guard.tracking("before node train") and guard.lost_at is None
    server.shutdown()
    server.server_close()
    use_mlflow_store(tmp_path)
    mlflow.start_run()  # kedro-mlflow's run, in a store that outlives the server here

    assert not guard.tracking("training, step 40")
    assert guard.lost_at == "training, step 40" and not guard.tracking("later")
    assert picture._logging_activated is False  # the dataset writes only its file
    assert mlflow_hook.run_id is None and mlflow.active_run() is None
    assert guard.skip_registration("dcgan", "digits")["registered"] is False
    guard.skip_registration("gan", "digits")
    with pytest.raises(TrackingUnavailable) as err:
        guard.check()
    assert "stopped answering (training, step 40)" in str(err.value)
    command = "kedro run --pipelines register --namespaces dcgan,gan --params dataset=digits"
    assert str(err.value).endswith(command)
