"""The team's tracking server (``make server``): a real PostgreSQL and a real ``mlflow server``
on loopback (one each for this module, ``team_server``), registrations through it from several
processes that share no lock, and the one-line messages for a database that cannot be used."""

import multiprocessing
import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from mlflow import MlflowClient

from ganops.serving.loadtest import free_port
from ganops.tracking.server import TrackingUnavailable, check_tracking_uri, without_password
from stores import register_tiny_gan, use_tracking_server

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def registered_on_team(team_server, digits_input):
    """A tiny GAN registered through the team server, as its admin (``ganops-gan-team``)."""
    use_tracking_server(team_server.uri)
    return register_tiny_gan(digits_input, dataset="team")


def test_a_registration_and_load_generator_through_the_server(team_server, registered_on_team):
    from ganops.serving.load import load_generator

    decision = registered_on_team
    assert decision.promoted and decision.version == "1"
    images = load_generator("models:/ganops-gan-team@champion").generate(3, seed=0)
    assert images.shape[0] == 3 and 0.0 <= images.min() <= images.max() <= 1.0
    with psycopg.connect(team_server.cluster.uri) as db:  # the registry is in PostgreSQL
        rows = db.execute("select version from model_versions where name = 'ganops-gan-team'")
        assert rows.fetchall() == [(1,)]
    assert list(team_server.artifacts.rglob("generator.keras"))  # artifacts proxied to it


def register_elsewhere(uri, folder, fid, delay, start):
    """In a fresh process, as if on another machine (its own cache folder, so its own registry
    lock): register a tiny generator scored ``fid`` once ``start`` is set, its ``champion``
    alias writes taking ``delay`` seconds to reach the server (a slow network)."""
    import os
    import time

    from ganops.data.sources import load_digits
    from ganops.data.transforms import PreprocessConfig, to_model_input

    os.environ["XDG_CACHE_HOME"] = str(folder)  # the registry lock's folder
    use_tracking_server(uri)
    digits = to_model_input(load_digits(), PreprocessConfig(image_size=16))
    write = MlflowClient.set_registered_model_alias

    def slow_write(client, name, alias, version):
        time.sleep(delay if alias == "champion" else 0)
        return write(client, name, alias, version)

    MlflowClient.set_registered_model_alias = slow_write
    start.wait(timeout=120)
    register_tiny_gan(digits, dataset="race", fid=fid)


@pytest.mark.slow  # ≈ 35 s; the settling itself, deterministic: tests/tracking/test_registry.py
def test_two_machines_registering_at_once_leave_the_better_champion(team_server, tmp_path):
    """Without a common lock both read no champion and pass the gate; the worse one, slower,
    writes the alias last. It must still end on the better one."""
    use_tracking_server(team_server.uri)  # the experiment exists, as under cron
    context = multiprocessing.get_context("spawn")
    start = context.Event()
    workers = []
    for fid, delay in ((2.0, 10.0), (1.0, 4.0)):
        (tmp_path / str(fid)).mkdir()
        args = (team_server.uri, tmp_path / str(fid), fid, delay, start)
        workers.append(context.Process(target=register_elsewhere, args=args))
    for worker in workers:
        worker.start()
    start.set()
    for worker in workers:
        worker.join(timeout=300)
    assert [w.exitcode for w in workers] == [0, 0]
    client = MlflowClient(team_server.uri)
    assert len(client.search_model_versions("name='ganops-gan-race'")) == 2
    champion = client.get_model_version_by_alias("ganops-gan-race", "champion")
    assert champion.tags["primary_value"] == repr(1.0)
    locks = [p.relative_to(tmp_path) for p in tmp_path.rglob("*.registry.lock")]
    assert sorted(map(str, locks)) == [
        f"{fid}/ganops/locks/ganops-gan-race.registry.lock" for fid in (1.0, 2.0)
    ]


def wrong(uri: str, **parts: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(uri).set(**parts).render_as_string(hide_password=False)


def test_a_database_that_cannot_be_used_is_named_in_one_line(team_server):
    uri = team_server.cluster.uri
    check_tracking_uri(uri)
    cases = {
        wrong(uri, password="nope"): "refused the credentials (password authentication failed",
        wrong(uri, database="nowhere"): 'has no such database (database "nowhere" does not',
        wrong(uri, port=free_port()): "is unreachable (Connection refused)",
    }
    for bad, problem in cases.items():
        with pytest.raises(TrackingUnavailable) as err:
            check_tracking_uri(bad, timeout=2)
        message = str(err.value)
        assert message.startswith(f"MLflow tracking database {without_password(bad)} ")
        assert without_password(bad).startswith("postgresql://ganops:***@127.0.0.1:")
        assert problem in message and "nope" not in message and "s3cr3t" not in message


def test_make_server_checks_its_database_before_starting(team_server, tmp_path):
    bad = wrong(team_server.cluster.uri, password="nope")
    command = [sys.executable, "-m", "ganops.tracking.team", "--backend-store-uri", bad]
    command += ["--folder", str(tmp_path), "--port", str(free_port())]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and done.stdout == "", done.stderr
    assert done.stderr.startswith("ganops: MLflow tracking database postgresql://ganops:***@")
    assert "refused the credentials" in done.stderr and len(done.stderr.splitlines()) == 1


def test_a_backend_store_that_is_no_database_uri_is_one_line(tmp_path, capsys):
    from ganops.tracking.team import main

    assert main(["--backend-store-uri", "foo", "--folder", str(tmp_path)]) == 2
    assert capsys.readouterr().err == (
        "ganops: --backend-store-uri foo: give a postgresql:// URI\n"
    )


def test_the_team_environment_tracks_on_the_server_the_variable_names(monkeypatch):
    """`kedro run --env team` (run end to end by the slow tests/e2e/test_team_env.py): its
    tracking URI comes from GANOPS_TRACKING_URI, the rest of the configuration from base."""
    from ganops import settings

    def team():
        patterns = {"mlflow": ["mlflow*", "mlflow*/**"]}  # kedro-mlflow's, added by its hook
        return settings.CONFIG_LOADER_CLASS(
            str(REPO / "conf"), env="team", config_patterns=patterns, **settings.CONFIG_LOADER_ARGS
        )

    monkeypatch.delenv("GANOPS_TRACKING_URI", raising=False)
    assert team()["mlflow"]["server"]["mlflow_tracking_uri"] == "http://127.0.0.1:5000"
    monkeypatch.setenv("GANOPS_TRACKING_URI", "http://mlflow.example.org:5000")
    loaded = team()
    assert loaded["mlflow"]["server"]["mlflow_tracking_uri"] == "http://mlflow.example.org:5000"
    assert loaded["mlflow"]["tracking"]["experiment"]["name"] == "ganops"  # from base
    assert loaded["parameters"]["dcgan"]["train"]["steps"] > 0


def test_the_server_asks_every_request_for_a_user(team_server, monkeypatch):
    """Unauthenticated: 401, and the tracking check names the two variables to set."""
    import requests

    search = f"{team_server.uri}/api/2.0/mlflow/experiments/search"
    assert requests.get(search, params={"max_results": 1}, timeout=10).status_code == 401
    monkeypatch.delenv("MLFLOW_TRACKING_USERNAME")
    with pytest.raises(TrackingUnavailable, match="asks for a user: set MLFLOW_TRACKING_USERNAME"):
        check_tracking_uri(team_server.uri)
    monkeypatch.setenv("MLFLOW_TRACKING_USERNAME", "admin")
    monkeypatch.setenv("MLFLOW_TRACKING_PASSWORD", "nope")
    with pytest.raises(TrackingUnavailable, match="refused user 'admin'"):
        check_tracking_uri(team_server.uri)


def test_a_read_only_user_reads_the_registry_but_cannot_move_the_champion(
    team_server, registered_on_team, monkeypatch
):
    from mlflow.exceptions import MlflowException
    from mlflow.server.auth.client import AuthServiceClient

    decision = registered_on_team
    AuthServiceClient(team_server.uri).create_user("reader", "reader-password-1")
    monkeypatch.setenv("MLFLOW_TRACKING_USERNAME", "reader")
    monkeypatch.setenv("MLFLOW_TRACKING_PASSWORD", "reader-password-1")
    reader = MlflowClient(team_server.uri)
    champion = reader.get_model_version_by_alias("ganops-gan-team", "champion")
    assert str(champion.version) == decision.version
    with pytest.raises(MlflowException, match="PERMISSION_DENIED|Permission denied"):
        reader.set_registered_model_alias("ganops-gan-team", "champion", decision.version)


def test_serving_beyond_loopback_without_authentication_is_refused(tmp_path, capsys):
    from ganops.tracking.team import main

    assert main(["--host", "0.0.0.0", "--no-auth", "--folder", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("ganops: --host 0.0.0.0 with --no-auth: anyone who reaches the port")
    assert len(err.splitlines()) == 1 and not any(tmp_path.iterdir())  # nothing written


def test_secrets_are_generated_once_kept_0600_and_refused_when_others_can_read(tmp_path):
    import stat

    from ganops.errors import ConfigError
    from ganops.tracking.team import secret

    path = tmp_path / "server" / "postgres-password"
    first = secret(path)
    assert len(first) >= 32 and secret(path) == first and secret(tmp_path / "other") != first
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    path.chmod(0o644)
    with pytest.raises(ConfigError, match="can be read by others: chmod 600"):
        secret(path)


def test_the_clusters_socket_and_folder_are_its_owners_alone(team_server):
    import stat

    folder = team_server.cluster.folder
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    socket = folder / f".s.PGSQL.{team_server.cluster.port}"
    assert stat.S_ISSOCK(socket.stat().st_mode) and stat.S_IMODE(socket.stat().st_mode) == 0o700


def owner_runs_this_python() -> bool:
    from ganops.tracking.team import as_owner

    return subprocess.run(as_owner([sys.executable, "-c", ""]), check=False).returncode == 0


@pytest.mark.skipif(os.geteuid() != 0, reason="root only: there is no root to drop otherwise")
def test_make_server_as_root_refuses_when_postgres_cannot_run_its_python(tmp_path, capsys):
    """Here and in CI the interpreter lives under /root: the server cannot drop root, so it
    does not start, in one line and before anything is written."""
    from ganops.tracking.team import main

    if owner_runs_this_python():
        pytest.skip("postgres can run this Python: the server drops root (the test below)")
    assert main(["--folder", str(tmp_path / "server")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("ganops: as root, make server runs mlflow server as postgres, who ")
    assert len(err.splitlines()) == 1 and not (tmp_path / "server").exists()


@pytest.mark.slow  # its own PostgreSQL and server (≈ 30 s); the refusal above is the default's
@pytest.mark.skipif(os.geteuid() != 0, reason="root only: there is no root to drop otherwise")
def test_make_server_started_as_root_runs_mlflow_server_as_postgres():
    """`make server` as root, end to end: its own PostgreSQL and mlflow server (with users),
    the server's processes owned by postgres, the generated secrets 0600; Ctrl-C stops both."""
    import shutil
    import signal
    import stat
    import tempfile
    import time

    import psutil
    import requests

    from ganops.tracking.server import answers
    from ganops.tracking.team import PostgresMissing, postgres_program

    try:
        postgres_program("initdb")
    except PostgresMissing as err:
        (pytest.fail if os.environ.get("CI") else pytest.skip)(str(err))
    if not owner_runs_this_python():
        pytest.skip("postgres cannot run this Python: make server refuses (the test above)")
    project = Path(tempfile.mkdtemp(prefix="ganops-server-"))  # as a project: others may enter
    project.chmod(0o755)
    folder, port, log = project / ".mlflow-server", free_port(), project / "server.log"
    command = [sys.executable, "-m", "ganops.tracking.team", "--folder", str(folder),
               "--postgres-port", str(free_port()), "--port", str(port),
               "--workers", "1"]  # fmt: skip
    with log.open("w") as out:
        server = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while not answers(f"http://127.0.0.1:{port}", timeout=1):
            assert server.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.5)
        children = psutil.Process(server.pid).children(recursive=True)
        mlflow = [p for p in children if "mlflow" in " ".join(p.cmdline())]
        mlflow = [p for p in mlflow if p.name() != "runuser"]
        assert mlflow and {p.username() for p in mlflow} == {"postgres"}, log.read_text()
        search = f"http://127.0.0.1:{port}/api/2.0/mlflow/experiments/search"
        assert requests.get(search, params={"max_results": 1}, timeout=10).status_code == 401
        for secret in ("postgres-password", "auth/admin-password", "auth/flask-secret-key"):
            assert stat.S_IMODE((folder / secret).stat().st_mode) == 0o600, secret
    finally:
        server.send_signal(signal.SIGINT)  # Ctrl-C: the server stops, then its PostgreSQL
        try:
            server.wait(timeout=60)
        finally:
            for child in psutil.Process().children(recursive=True):
                child.kill()
            shutil.rmtree(project, ignore_errors=True)
