"""Fault and load soaks (`make soak`, not in `make test`): a training killed with SIGKILL at
random points and restarted with the same command, a disk that fills during a checkpoint, a
tracking server that goes away during training, two scheduled retrains at once, and served
generators (sampling and translation) under valid and hostile requests.

Each soak writes its figures to ``data/08_reporting/soak/<name>.json`` (quoted in the README).
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from tiny import TINY_TRAIN

pytestmark = pytest.mark.soak

REPO = Path(__file__).resolve().parents[2]
FIGURES = REPO / "data" / "08_reporting" / "soak"

#: A tiny DCGAN training in a fresh process: ``folder limit steps``; ``limit`` (bytes, 0 for
#: none) caps every file the process writes, as a full disk would (SIGXFSZ ignored, so a write
#: past it fails with EFBIG).
TRAIN = """
import resource, signal, sys
from pathlib import Path
folder, limit, steps = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
if limit:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
from ganops.data.sources import load_digits
from ganops.data.transforms import PreprocessConfig, to_model_input
from ganops.errors import GanopsError
from ganops.training.run import train_run
from tiny import TINY_MODELS, TINY_TRAIN
data = to_model_input(load_digits(), PreprocessConfig())
train = {**TINY_TRAIN, "steps": steps}
try:
    result = train_run(data, "dcgan", TINY_MODELS["dcgan"], train, folder / "c", folder / "r")
except GanopsError as err:
    sys.exit(f"ganops: {err}")
result.gan.generator.save(folder / "generator.keras")
"""


def train(folder: Path, steps: int, limit: int = 0) -> subprocess.CompletedProcess[str]:
    path = os.pathsep.join(str(REPO / folder) for folder in ("src", "tests"))
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONPATH": path}
    command = [sys.executable, "-c", TRAIN, str(folder), str(limit), str(steps)]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)


def weights(path: Path) -> list[np.ndarray]:
    import keras

    return [np.asarray(w) for w in keras.saving.load_model(path).weights]


def assert_same_weights(a: Path, b: Path) -> None:
    for mine, theirs in zip(weights(a), weights(b), strict=True):
        np.testing.assert_array_equal(mine, theirs)


def record(name: str, figures: dict) -> None:
    FIGURES.mkdir(parents=True, exist_ok=True)
    (FIGURES / f"{name}.json").write_text(json.dumps(figures, indent=2) + "\n")


def test_a_disk_that_fills_during_a_checkpoint(tmp_path: Path):
    """A clear one-line error, the last good checkpoint intact and nothing half-written;
    once there is room again the same command resumes and ends as an uninterrupted run."""
    steps, every = TINY_TRAIN["steps"], TINY_TRAIN["checkpoint_every"]
    assert train(tmp_path / "straight", steps).returncode == 0
    run = tmp_path / "filled"
    assert train(run, every).returncode == 0
    good = run / "c" / f"ckpt-{every:08d}.npz"
    before = good.read_bytes()

    full = train(run, steps, limit=200_000)  # below a checkpoint (~400 kB), above the rest
    message = full.stderr.strip().splitlines()[-1]
    assert full.returncode == 1 and "Traceback" not in full.stderr, full.stderr[-3000:]
    assert message.startswith("ganops: ") and "cannot write (File too large)" in message
    assert f"last good checkpoint: {good}" in message
    assert good.read_bytes() == before
    assert sorted(p.name for p in (run / "c").iterdir()) == [good.name]  # no partial file

    assert train(run, steps).returncode == 0
    for mine, theirs in zip(
        weights(run / "generator.keras"),
        weights(tmp_path / "straight/generator.keras"),
        strict=True,
    ):
        np.testing.assert_array_equal(mine, theirs)
    record("disk_full", {"limit_bytes": 200_000, "message": message.split(": ", 1)[1]})


# --- kill -9 at random points ------------------------------------------------------------------

KILLS = 20
#: The default run's nodes a kill lands in, in turn, at a random moment after the node starts.
NODES = ("train", "evaluate", "report", "register")  # as Kedro's log names them
SCHEDULE = {  # long enough for kills to land inside training, checkpoints and scoring
    "dcgan.train.steps": 60,
    "dcgan.train.checkpoint_every": 5,
    "dcgan.train.sample_every": 5,
    "dcgan.train.evaluate_every": 10,
}


def started(log: Path, node: str, proc: subprocess.Popen, timeout: float = 300) -> bool:
    """Wait until ``node`` starts in the run logging to ``log`` (False: the run ended first)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        if f"Running node: {node}:" in " ".join(log.read_text().split()):
            return True
        time.sleep(0.1)
    return False


def check_after_a_kill(project: Path, champions: list[float]) -> None:
    """Every checkpoint and model file readable; every registered version tagged; the
    champion never worse than the one before."""
    import mlflow
    from mlflow import MlflowClient

    from ganops.training import checkpoint

    folder = project / "data/06_models/dcgan"
    for path in (folder / "checkpoints").glob("ckpt-*.npz"):
        checkpoint.load(path)
    if (folder / "generator.keras").exists():
        weights(folder / "generator.keras")
    if not (project / "mlflow.db").exists():
        return
    mlflow.set_tracking_uri(f"sqlite:///{project}/mlflow.db")
    client = MlflowClient()
    versions = client.search_model_versions("name='ganops-dcgan-digits'")
    assert all({"primary_metric", "primary_value"} <= v.tags.keys() for v in versions)
    if versions:
        champion = client.get_model_version_by_alias("ganops-dcgan-digits", "champion")
        champions.append(float(champion.tags["primary_value"]))
        assert champions == sorted(champions, reverse=True), champions  # FD: lower is better


def test_kill_9_at_random_points_then_the_same_command(
    tmp_path: Path, make_project, edit_params, run_cmd, command_env
):
    """20 default runs killed with SIGKILL at random moments (in training, a checkpoint or
    sample write, the scoring, the evaluation, the report, the registration), each followed by
    the same command: no unreadable file, no untagged version, no worse champion, and the
    finished run's generator is the uninterrupted run's."""
    baseline = make_project(tmp_path / "baseline")
    edit_params(baseline, "parameters_dcgan.yml", SCHEDULE)
    run_cmd(baseline, "kedro", "run")
    project = make_project(tmp_path / "killed")
    edit_params(project, "parameters_dcgan.yml", SCHEDULE)
    rng, champions, landed, finished = random.Random(0), [], dict.fromkeys(NODES, 0), 0
    begun = time.monotonic()
    for i in range(KILLS):
        node, log = NODES[i % len(NODES)], tmp_path / f"run-{i:02d}.log"
        with log.open("w") as out:
            proc = subprocess.Popen(
                ["kedro", "run"],
                cwd=project,
                env=command_env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            if started(log, node, proc):
                time.sleep(rng.uniform(0.0, 2.0))
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                landed[node] += 1
            else:
                finished += 1
            proc.wait()
        check_after_a_kill(project, champions)
    assert landed["train"] and sum(landed.values()) >= KILLS // 2, landed  # kills did land
    run_cmd(project, "kedro", "run")
    check_after_a_kill(project, champions)
    generator = "data/06_models/dcgan/generator.keras"
    assert_same_weights(project / generator, baseline / generator)
    record(
        "kill_9",
        {
            "kills": KILLS - finished,
            "kills_after_node_start": landed,
            "runs_that_finished_before_the_kill": finished,
            "seconds": round(time.monotonic() - begun, 1),
        },
    )


# --- a tracking server that goes away ---------------------------------------------------------


def tracking_server(store: Path, port: int, env: dict[str, str]):
    """``mlflow server`` on loopback ``port``, its database and artifacts in ``store``
    (``make server``'s code); yields its URI once it answers and kills it on exit."""
    from ganops.tracking import team

    store.mkdir(parents=True, exist_ok=True)
    backend, artifacts = f"sqlite:///{store}/mlflow.db", str(store / "artifacts")
    return team.tracking_server(backend, artifacts, port, store / "server.log", env, workers=4)


def test_a_tracking_server_that_goes_away_during_training(
    tmp_path: Path, make_project, edit_params, run_cmd, command_env
):
    """The server is killed during training: the run goes on untracked, saves every result,
    skips the registration and ends with one line giving the command that registers it;
    once the server is back, that command registers the generator."""
    from mlflow import MlflowClient

    from ganops.serving.loadtest import free_port

    project, store, port = make_project(tmp_path / "project"), tmp_path / "server", free_port()
    edit_params(project, "parameters_dcgan.yml", {**SCHEDULE, "dcgan.train.steps": 400})
    server = f"http://127.0.0.1:{port}"
    (project / "conf/local/mlflow.yml").write_text(f"server:\n  mlflow_tracking_uri: {server}\n")
    log = tmp_path / "run.log"
    with tracking_server(store, port, command_env), log.open("w") as out:
        run = subprocess.Popen(
            ["kedro", "run"], cwd=project, env=command_env, stdout=out, stderr=subprocess.STDOUT
        )
        assert started(log, "train", run)
        time.sleep(2)
    killed = time.monotonic()
    run.wait(timeout=600)
    seconds = time.monotonic() - killed
    output = log.read_text()
    last = output.strip().splitlines()[-1]
    assert run.returncode == 2 and "Traceback" not in output, output[-3000:]
    assert last.startswith(f"ganops: TrackingUnavailable: MLflow tracking server {server} ")
    assert "stopped answering (training, step" in last, last
    retry = "register alone: kedro run --pipelines register --namespaces dcgan --params dataset="
    assert last.endswith(f"{retry}digits")
    results = project / "data/08_reporting/dcgan"
    for path in ("metrics.json", "report.html", "samples.png", "loss_curve.png"):
        assert (results / path).is_file(), path
    assert (project / "data/06_models/dcgan/checkpoints/ckpt-00000400.npz").is_file()
    weights(project / "data/06_models/dcgan/generator.keras")
    assert json.loads((results / "registration.json").read_text())["registered"] is False

    with tracking_server(store, port, command_env) as uri:
        run_cmd(project, "kedro", "run", "--pipelines", "register", "--namespaces", "dcgan")
        champion = MlflowClient(uri).get_model_version_by_alias("ganops-dcgan-digits", "champion")
    assert str(champion.version) == "1" and "metric.fid" in champion.tags
    record(
        "tracking_server_gone",
        {
            "lost_at": last.split("(", 1)[1].split(")", 1)[0],
            "seconds_from_the_kill_to_the_end_of_the_run": round(seconds, 1),
            "message": last,
        },
    )


# --- two scheduled retrains at once ------------------------------------------------------------


def test_two_scheduled_retrains_at_once(
    tmp_path: Path, make_project, edit_params, run_cmd, command_env
):
    """Two `kedro run --pipelines retrain --namespaces dcgan` started together after a change:
    the training lock lets one train while the other waits and resumes its finished run; the
    registry lock lets one register while the other finds that run registered. One new
    version, and the champion is the better of the two."""
    import mlflow
    from mlflow import MlflowClient

    project = make_project(tmp_path / "project")
    run_cmd(project, "kedro", "run")
    changed = {"dcgan.model.generator_optimizer.learning_rate": 3e-4}
    edit_params(project, "parameters_dcgan.yml", changed)
    retrain = ["kedro", "run", "--pipelines", "retrain", "--namespaces", "dcgan"]
    begun, runs = time.monotonic(), []
    for i in range(2):
        with (tmp_path / f"retrain-{i}.log").open("w") as out:
            runs.append(
                subprocess.Popen(
                    retrain, cwd=project, env=command_env, stdout=out, stderr=subprocess.STDOUT
                )
            )
    assert [r.wait(timeout=900) for r in runs] == [0, 0], [
        (tmp_path / f"retrain-{i}.log").read_text()[-3000:] for i in range(2)
    ]
    seconds = time.monotonic() - begun
    mlflow.set_tracking_uri(f"sqlite:///{project}/mlflow.db")
    client, name = MlflowClient(), "ganops-dcgan-digits"
    versions = {
        str(v.version): float(v.tags["primary_value"])
        for v in client.search_model_versions(f"name='{name}'")
    }
    assert sorted(versions) == ["1", "2"], versions  # the race registered the retrain once
    champion = str(client.get_model_version_by_alias(name, "champion").version)
    assert versions[champion] == min(versions.values()), versions  # FD: lower is better
    decisions = sorted(
        r.data.tags["registry.reason"]
        for r in client.search_runs(
            [client.get_experiment_by_name("ganops").experiment_id],
            "tags.`registry.version` = '2'",
        )
    )
    assert len(decisions) == 2 and decisions[1].startswith("unchanged: "), decisions
    record(
        "two_retrains",
        {
            "versions": versions,
            "champion": champion,
            "decisions": decisions,
            "seconds": round(seconds, 1),
        },
    )


# --- serving under load ------------------------------------------------------------------------

REQUESTS = 1000


def server_memory_mib() -> float:
    """Resident memory of the processes this test started (the server and its workers)."""
    import psutil

    children = psutil.Process().children(recursive=True)
    return sum(p.memory_info().rss for p in children if p.is_running()) / 2**20


def assert_served_well(answers: list, kinds: int) -> None:
    """No 5xx; every valid request its images; every hostile one a 4xx with a reason; all
    ``kinds`` of hostile request sent."""
    served = [a for a in answers if a.kind == "valid"]
    refused = [a for a in answers if a.kind != "valid"]
    assert not [a for a in answers if a.status >= 500], [a for a in answers if a.status >= 500][:3]
    assert all(a.status == 200 and a.images > 0 for a in served)
    assert all(400 <= a.status < 500 and a.reason for a in refused), [
        (a.kind, a.status, a.reason[:80]) for a in refused if not (400 <= a.status < 500)
    ][:5]
    assert len({a.kind for a in refused}) == kinds


def reasons(answers: list) -> dict[str, str]:
    """Each kind of hostile request's reason, without MLflow's echo of the request."""
    return {a.kind: a.reason.split("Error: ", 1)[-1][:160] for a in answers if a.kind != "valid"}


def test_serving_1000_mixed_requests(tmp_path: Path, digits_input, serve_model):
    """Valid and hostile requests from 4 threads: no 5xx, every hostile one a 4xx with a
    reason, every valid one its images, the server's memory bounded (recorded after 1,000 and
    250 more requests)."""
    from ganops.serving.loadtest import figures, hammer, requests_mix
    from stores import registered_store

    uri = registered_store(tmp_path, digits_input)
    with serve_model(tmp_path, uri, "models:/ganops-gan-digits@champion") as base:
        url = f"{base}/invocations"
        warm, _ = hammer(url, requests_mix(20, latent_dim=4, seed=1))
        before = server_memory_mib()
        answers, seconds = hammer(url, requests_mix(REQUESTS, latent_dim=4))
        after = server_memory_mib()
        hammer(url, requests_mix(REQUESTS // 4, latent_dim=4, seed=2))
        again = server_memory_mib()
    assert all(a.status == 200 for a in warm if a.kind == "valid")
    assert_served_well(answers, kinds=10)
    assert again - before < 500, (before, after, again)  # MiB over 1,250 requests
    result = figures(answers, seconds) | {
        "server_memory_mib": {
            "before": round(before),
            "after_1000": round(after),
            "after_250_more": round(again),
        },
        "reasons": reasons(answers),
    }
    record("serving", result)


TRANSLATIONS = 500


@contextlib.contextmanager
def peak_memory_mib() -> Iterator[dict[str, float]]:
    """The servers' resident memory sampled every 0.1 s while inside: ``{"peak": MiB}``."""
    peak, done = {"peak": server_memory_mib()}, threading.Event()

    def sample() -> None:
        while not done.wait(0.1):
            peak["peak"] = max(peak["peak"], server_memory_mib())

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        yield peak
    finally:
        done.set()
        sampler.join()


def test_serving_translation_under_load(tmp_path: Path, paired_inputs, serve_model):
    """A translation model (Pix2Pix, gray -> colour) under images valid and hostile (files
    that are not images, not PNG or JPEG, or cut short, a decompression bomb of 256 small
    PNGs, a thin strip, NaN or out-of-range pixels, wrong channels, rows of two sizes, too
    many pixels, a latent, not JSON): the same guarantees, and the server's peak memory
    through the whole soak under 2 GiB above its idle size."""
    from ganops.serving.loadtest import figures, hammer, requests_mix
    from stores import register_tiny, use_mlflow_store

    uri = use_mlflow_store(tmp_path)
    register_tiny(paired_inputs["colorize"], "pix2pix", "photos_colorize")
    with serve_model(tmp_path, uri, "models:/ganops-pix2pix-photos_colorize@champion") as base:
        url = f"{base}/invocations"
        idle = server_memory_mib()
        with peak_memory_mib() as peak:
            hammer(url, requests_mix(10, image=(16, 1), seed=1))  # warm up
            before = server_memory_mib()
            answers, seconds = hammer(url, requests_mix(TRANSLATIONS, image=(16, 1)))
            after = server_memory_mib()
    assert_served_well(answers, kinds=13)
    assert after - before < 500, (before, after)
    assert peak["peak"] - idle < 2048, (idle, peak)
    result = figures(answers, seconds) | {
        "server_memory_mib": {
            "idle": round(idle),
            "before": round(before),
            "after": round(after),
            "peak": round(peak["peak"]),
        },
        "reasons": reasons(answers),
    }
    record("serving_translation", result)
