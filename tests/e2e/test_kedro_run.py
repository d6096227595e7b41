"""End to end: `kedro run` in a tiny copy of the project, its outputs, its MLflow run, a resumed
second run, and bad inputs that must fail without leaving partial outputs."""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from tiny import TINY_TRAIN

DATASET = "digits"
VARIANT = "dcgan"
MODEL = f"ganops-{VARIANT}-{DATASET}"
STEPS = TINY_TRAIN["steps"]
CKPT_6 = f"data/06_models/{VARIANT}/checkpoints/ckpt-{STEPS:08d}.npz"
OUTPUTS = [
    f"data/02_intermediate/{DATASET}.npz",
    f"data/05_model_input/{DATASET}.npz",
    f"data/08_reporting/datasets/{DATASET}/card.json",
    f"data/08_reporting/datasets/{DATASET}/samples.png",
    CKPT_6,
    f"data/06_models/{VARIANT}/generator.keras",
    f"data/08_reporting/{VARIANT}/losses.csv",
    f"data/08_reporting/{VARIANT}/loss_curve.png",
    f"data/08_reporting/{VARIANT}/samples.png",
    f"data/08_reporting/{VARIANT}/progress.gif",
    f"data/08_reporting/{VARIANT}/train_summary.json",
    f"data/08_reporting/{VARIANT}/scores.csv",
    *(f"data/08_reporting/{VARIANT}/samples/step-{s:08d}.png" for s in (0, 3, 6)),
    f"data/04_feature/{DATASET}/extractor.keras",
    f"data/04_feature/{DATASET}/reference_features.npz",
    f"data/08_reporting/{VARIANT}/metrics.json",
    f"data/08_reporting/{VARIANT}/evaluation.png",
    f"data/08_reporting/{VARIANT}/report.html",
    f"data/08_reporting/{VARIANT}/registration.json",
]


def flat(text: str) -> str:
    """The log with rich's line wrapping and column padding collapsed to single spaces."""
    return " ".join(text.split())


def user_error(proc: subprocess.CompletedProcess[str]) -> str:
    """The one-line message of a run stopped by an error ganops raises on purpose: exit 2,
    a short log, no traceback (ganops.cli)."""
    output = proc.stdout
    assert proc.returncode == 2, output[-3000:]
    assert "Traceback" not in output and "╭" not in output, output[-3000:]
    assert len(output.splitlines()) < 40, output
    last = output.strip().splitlines()[-1]
    assert last.startswith("ganops: "), output[-3000:]
    return last


def files_under(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def fingerprint(path: Path) -> tuple[int, str]:
    return path.stat().st_mtime_ns, hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass
class KedroRun:
    project: Path
    output: str
    started_ms: int
    finished_ms: int
    seconds: float


def kedro_run(run_cmd, project: Path, *args: str) -> KedroRun:
    started = time.time()
    proc = run_cmd(project, "kedro", "run", *args)
    finished = time.time()
    return KedroRun(project, proc.stdout, int(started * 1000), int(finished * 1000),
                    finished - started)  # fmt: skip


@pytest.fixture(scope="module")
def trained(tmp_path_factory, make_project, run_cmd) -> KedroRun:
    """One default `kedro run` (ingest + preprocess digits, train DCGAN) shared by the module."""
    project = make_project(tmp_path_factory.mktemp("kedro") / "project")
    return kedro_run(run_cmd, project)


@pytest.fixture(scope="module")
def resumed(trained: KedroRun, run_cmd) -> tuple[KedroRun, dict]:
    """A second `kedro run` in the same project, with a snapshot of what the first one left."""
    project = trained.project
    before = {
        "checkpoints": {
            p.name: fingerprint(p)
            for p in (project / f"data/06_models/{VARIANT}/checkpoints").glob("*")
        },
        "frames": {
            p.name: fingerprint(p)
            for p in (project / f"data/08_reporting/{VARIANT}/samples").glob("*")
        },
        "losses": (project / f"data/08_reporting/{VARIANT}/losses.csv").read_text(),
        "summary": json.loads(
            (project / f"data/08_reporting/{VARIANT}/train_summary.json").read_text()
        ),
    }
    return kedro_run(run_cmd, project), before


@pytest.fixture
def mlflow_client(trained: KedroRun):
    import mlflow
    from mlflow.tracking import MlflowClient

    previous = mlflow.get_tracking_uri()
    mlflow.set_tracking_uri(f"sqlite:///{trained.project}/mlflow.db")
    try:
        yield MlflowClient()
    finally:
        mlflow.set_tracking_uri(previous)


def dcgan_runs(client, started_after: int = 0, started_before: int | None = None):
    experiment = client.get_experiment_by_name("ganops")
    assert experiment is not None, "kedro-mlflow created no 'ganops' experiment"
    runs = client.search_runs(
        [experiment.experiment_id],
        filter_string=f"attributes.run_name = '{VARIANT}-{DATASET}'",
        order_by=["attributes.start_time ASC"],
    )
    return [
        r
        for r in runs
        if r.info.start_time >= started_after
        and (started_before is None or r.info.start_time <= started_before)
    ]


def artifact_paths(client, run_id: str, path: str | None = None) -> list[str]:
    found = []
    for item in client.list_artifacts(run_id, path):
        found += artifact_paths(client, run_id, item.path) if item.is_dir else [item.path]
    return found


# --- the default run ---------------------------------------------------------------------------


def test_default_run_writes_every_output(trained: KedroRun):
    missing = [p for p in OUTPUTS if not (trained.project / p).is_file()]
    assert not missing, f"missing outputs: {missing}\n{trained.output[-3000:]}"
    card = json.loads((trained.project / OUTPUTS[2]).read_text())
    assert card, "empty dataset card"


def test_losses_csv_has_one_finite_row_per_step(trained: KedroRun):
    losses = pd.read_csv(trained.project / f"data/08_reporting/{VARIANT}/losses.csv")
    assert {"step", "d_loss", "g_loss"} <= set(losses.columns)
    assert len(losses) == STEPS
    assert losses["step"].tolist() == list(range(1, STEPS + 1))
    assert np.isfinite(losses.drop(columns="step").to_numpy(dtype=float)).all()


def test_generator_loads_and_generates_images(trained: KedroRun):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import keras

    generator = keras.saving.load_model(
        trained.project / f"data/06_models/{VARIANT}/generator.keras", compile=False
    )
    z = np.random.default_rng(0).normal(size=(4, 100)).astype("float32")
    images = keras.ops.convert_to_numpy(generator(z, training=False))
    assert images.shape == (4, 16, 16, 1)
    assert np.isfinite(images).all()
    assert images.min() >= -1.0 and images.max() <= 1.0


def test_checkpoints_hold_the_last_step(trained: KedroRun):
    folder = trained.project / f"data/06_models/{VARIANT}/checkpoints"
    names = sorted(p.name for p in folder.iterdir())
    # every 3 steps, keep 3; plus the best generator and the scores that chose it
    assert names == ["best.npz", "ckpt-00000003.npz", "ckpt-00000006.npz", "scores.csv"]
    with np.load(folder / "ckpt-00000006.npz", allow_pickle=False) as npz:
        assert int(npz["step"]) == STEPS
        assert len(npz["history/step"]) == STEPS


def test_progress_gif_has_a_frame_per_sample_grid(trained: KedroRun):
    import imageio.v3 as iio

    frames = iio.imread(trained.project / f"data/08_reporting/{VARIANT}/progress.gif", index=None)
    assert frames.ndim == 4 and len(frames) >= 3  # steps 0, 3 and 6


def test_mlflow_run_has_params_metrics_and_artifacts(trained: KedroRun, mlflow_client):
    runs = dcgan_runs(mlflow_client, started_before=trained.finished_ms)
    assert len(runs) == 1, [r.info.run_name for r in runs]
    run = runs[0]
    assert run.info.status == "FINISHED"
    assert run.data.params["dcgan.train.steps"] == str(STEPS)
    assert run.data.params["dcgan.model.generator_filters"] == "[16, 8, 8]"
    for key in ("d_loss", "g_loss", "d_real", "d_fake"):
        history = mlflow_client.get_metric_history(run.info.run_id, key)
        assert sorted(m.step for m in history) == list(range(1, STEPS + 1)), key
    assert run.data.metrics["images_per_second"] > 0
    artifacts = {Path(p).name for p in artifact_paths(mlflow_client, run.info.run_id)}
    expected = {
        "samples.png",
        "progress.gif",
        "losses.csv",
        "loss_curve.png",
        "generator.keras",
        "metrics.json",
        "evaluation.png",
        "scores.csv",
        "report.html",
    }
    assert expected <= artifacts, f"missing artifacts: {expected - artifacts}"
    assert {"eval_fid", "eval_kid", "eval_precision", "eval_recall"} <= run.data.metrics.keys()
    note = run.data.tags["mlflow.note.content"]  # the run's description in the MLflow UI
    assert note.startswith(f"`{MODEL}` v1 registered, champion: first version"), note


def test_first_registration_becomes_champion_and_says_why(trained: KedroRun, mlflow_client):
    champion = mlflow_client.get_model_version_by_alias(MODEL, "champion")
    assert str(champion.version) == "1"
    assert champion.tags["params_hash"] and champion.tags["backend"] == "tensorflow"
    assert champion.tags["feature_extractor"].startswith("domain-classifier-")
    trained_on, scored, verdict = champion.description.split("\n\n")
    assert trained_on.startswith(f"Trained on `{DATASET}`, ") and f"{STEPS} steps" in trained_on
    assert f"params hash `{champion.tags['params_hash']}`" in trained_on
    assert scored.startswith("**fid ") and "(lower is better)" in scored
    assert verdict == "**Champion**: first version: no champion yet."
    model = mlflow_client.get_registered_model(MODEL).description
    assert model.startswith(f"**{VARIANT}** on `{DATASET}` (GAN): DCGAN")
    assert f"`ganops generate --model {MODEL} -n 64 --output samples.png`" in model


def test_training_kept_the_best_scored_generator(trained: KedroRun):
    folder = trained.project / f"data/08_reporting/{VARIANT}"
    scores = pd.read_csv(folder / "scores.csv")
    assert list(scores["step"]) == [3, 6]
    summary = json.loads((folder / "train_summary.json").read_text())
    assert summary["best_fid"] == scores["fid"].min()
    assert summary["best_step"] == int(scores["step"][scores["fid"].idxmin()])


def test_metrics_json_records_every_metric_with_its_sample_count(trained: KedroRun):
    report = json.loads((trained.project / f"data/08_reporting/{VARIANT}/metrics.json").read_text())
    assert report["primary"] == {
        "name": "fid",
        "value": report["metrics"]["fid"],
        "better": "lower",
    }
    assert report["samples"] == 300 and report["reference_samples"] > 1000
    assert report["feature_extractor"].startswith("domain-classifier-")
    expected = {
        "fid",
        "kid",
        "precision",
        "recall",
        "density",
        "coverage",
        "classifier_score",
        "memorization_ratio",
    }
    assert expected <= report["metrics"].keys()
    assert all(np.isfinite(v) for v in report["metrics"].values())


# --- a second run resumes instead of retraining -----------------------------------------------


def test_second_run_resumes_without_retraining(resumed, mlflow_client):
    again, before = resumed
    project = again.project
    log = flat(again.output)
    assert re.search(rf"resumed from \S*ckpt-{STEPS:08d}\.npz \(step {STEPS}\)", log), log[-3000:]
    assert (project / CKPT_6).is_file()
    checkpoints = project / f"data/06_models/{VARIANT}/checkpoints"
    assert {p.name: fingerprint(p) for p in checkpoints.glob("*")} == before["checkpoints"]
    frames = project / f"data/08_reporting/{VARIANT}/samples"
    assert {p.name: fingerprint(p) for p in frames.glob("*")} == before["frames"]
    losses_csv = project / f"data/08_reporting/{VARIANT}/losses.csv"
    assert losses_csv.read_text() == before["losses"]
    assert len(pd.read_csv(losses_csv)) == STEPS
    # The second MLflow run logged no per-step metric: no step was trained.
    second = dcgan_runs(mlflow_client, started_after=again.started_ms)
    assert len(second) == 1 and second[0].info.status == "FINISHED"
    assert mlflow_client.get_metric_history(second[0].info.run_id, "d_loss") == []


def test_an_unchanged_second_run_registers_nothing(resumed):
    again, _ = resumed
    decision = json.loads(
        (again.project / f"data/08_reporting/{VARIANT}/registration.json").read_text()
    )
    assert decision["version"] == "1" and not decision["promoted"]
    assert decision["reason"].startswith("unchanged: champion v1")


def test_second_run_keeps_a_meaningful_throughput(resumed):
    again, before = resumed
    summary = json.loads(
        (again.project / f"data/08_reporting/{VARIANT}/train_summary.json").read_text()
    )
    assert before["summary"]["images_per_second"] > 0
    assert summary["images_per_second"] > 0, summary


# --- bad inputs fail loudly and leave nothing half-written --------------------------------------


@pytest.fixture(scope="module")
def bad_project(tmp_path_factory, make_project) -> Path:
    return make_project(tmp_path_factory.mktemp("kedro-bad") / "project")


def assert_no_dataset_outputs(project: Path, name: str) -> None:
    for folder in ("02_intermediate", "05_model_input"):
        leftovers = [f for f in files_under(project / "data" / folder) if f != ".gitkeep"]
        assert not leftovers, f"data/{folder} holds {leftovers} after a failed run"
    assert not (project / f"data/08_reporting/datasets/{name}").exists()


def test_corrupt_raw_file_fails_without_partial_outputs(bad_project: Path, run_cmd):
    ingest = yaml.safe_load((bad_project / "conf/base/parameters_ingest.yml").read_text())
    raw = bad_project / ingest["datasets"]["mnist_npz"]["path"]
    assert raw.name == "mnist.npz"
    raw.parent.mkdir(parents=True, exist_ok=True)
    raw.write_bytes(random.Random(0).randbytes(4096))

    proc = run_cmd(
        bad_project, "kedro", "run", "--pipelines", "data", "--params", "dataset=mnist_npz",
        check=False,
    )  # fmt: skip
    message = user_error(proc)
    assert "mnist.npz" in message, message
    assert not (bad_project / "data/02_intermediate/mnist_npz.npz").exists()
    assert not (bad_project / "data/05_model_input/mnist_npz.npz").exists()
    assert_no_dataset_outputs(bad_project, "mnist_npz")


@pytest.mark.slow  # the message: tests/pipelines; one line from kedro run: the corrupt file
def test_unknown_dataset_fails_and_lists_known_names(bad_project: Path, run_cmd):
    proc = run_cmd(
        bad_project, "kedro", "run", "--pipelines", "data", "--params", "dataset=nope",
        check=False,
    )  # fmt: skip
    message = user_error(proc)
    assert "'nope'" in message, message
    ingest = yaml.safe_load((bad_project / "conf/base/parameters_ingest.yml").read_text())
    for known in ingest["datasets"]:
        assert known in message, f"{known!r} not listed in: {message}"
    assert_no_dataset_outputs(bad_project, "nope")


@pytest.mark.slow  # invalid values: tests/training; one line from kedro run: the corrupt file
def test_invalid_train_parameter_fails_before_writing_a_model(
    bad_project: Path, trained: KedroRun, run_cmd, edit_params
):
    # The data and features pipelines succeeded in the shared project: reuse their outputs
    # instead of paying for another `kedro run --pipelines data` and `features`.
    for rel in (f"data/02_intermediate/{DATASET}.npz", f"data/05_model_input/{DATASET}.npz"):
        shutil.copy2(trained.project / rel, bad_project / rel)
    features = f"data/04_feature/{DATASET}"
    shutil.copytree(trained.project / features, bad_project / features)
    edit_params(bad_project, "parameters_dcgan.yml", {"dcgan.train.batch_size": -4})

    proc = run_cmd(
        bad_project, "kedro", "run", "--pipelines", "train", "--namespaces", VARIANT, check=False
    )
    message = user_error(proc)
    assert "batch_size" in message, message
    models = bad_project / f"data/06_models/{VARIANT}"
    assert not list(models.rglob("ckpt-*")), files_under(models)
    assert not (models / "generator.keras").exists()
    assert not (bad_project / f"data/08_reporting/{VARIANT}/losses.csv").exists()


def test_failed_runs_are_marked_failed_in_mlflow(bad_project: Path):
    """Runs after the three failures above: kedro-mlflow must not leave them FINISHED."""
    import mlflow
    from mlflow.tracking import MlflowClient

    if not (bad_project / "mlflow.db").is_file():
        pytest.skip("no failing run was tracked (run the whole module)")
    previous = mlflow.get_tracking_uri()
    mlflow.set_tracking_uri(f"sqlite:///{bad_project}/mlflow.db")
    try:
        client = MlflowClient()
        experiment = client.get_experiment_by_name("ganops")
        runs = client.search_runs([experiment.experiment_id]) if experiment else []
    finally:
        mlflow.set_tracking_uri(previous)
    assert runs, "no MLflow run recorded for the failing runs"
    assert {r.info.status for r in runs} == {"FAILED"}, [
        (r.info.run_name, r.info.status) for r in runs
    ]


# --- scheduled retraining ------------------------------------------------------------------


@pytest.fixture(scope="module")
def retrained(resumed, run_cmd, edit_params) -> Path:
    """The project after `kedro run --pipelines retrain` with a changed DCGAN learning rate:
    every production variant trained, evaluated and registered, DCGAN a second time."""
    project = resumed[0].project
    edit_params(
        project,
        f"parameters_{VARIANT}.yml",
        {f"{VARIANT}.model.generator_optimizer.learning_rate": 5e-4},
    )
    run_cmd(project, "kedro", "run", "--pipelines", "retrain")
    return project


def test_retrain_promotes_only_a_better_model_and_is_a_no_op_when_nothing_changed(
    retrained, run_cmd, mlflow_client
):
    project = retrained
    registration = project / f"data/08_reporting/{VARIANT}/registration.json"
    decision = json.loads(registration.read_text())
    assert decision["version"] == "2" and decision["champion_version"] == "1"
    better = decision["challenger_value"] < decision["champion_value"]
    assert decision["promoted"] == better
    champion = mlflow_client.get_model_version_by_alias(MODEL, "champion")
    assert str(champion.version) == ("2" if better else "1")
    verdict = mlflow_client.get_model_version(MODEL, "2").description.split("\n\n")[-1]
    outcome = "Champion" if better else "Not champion"
    assert verdict.startswith(f"**{outcome}**: {decision['reason']}: fid "), verdict
    assert verdict.endswith(f"against v1's {decision['champion_value']:.4g} (lower is better).")

    run_cmd(project, "kedro", "run", "--pipelines", "retrain")
    decision = json.loads(registration.read_text())
    assert decision["reason"].startswith("unchanged") and not decision["promoted"]


def test_conditional_variants_are_measured_registered_and_generate_the_classes_asked(
    retrained, mlflow_client
):
    from ganops.serving.load import load_generator, model_uri

    report = retrained / "data/08_reporting"
    cgan = json.loads((report / "cgan/metrics.json").read_text())["metrics"]
    assert 0.0 <= cgan["conditional_accuracy"] <= 1.0 and cgan["intra_fid"] > 0
    infogan = json.loads((report / "infogan/metrics.json").read_text())["metrics"]
    assert 0.0 <= infogan["code_matching_accuracy"] <= 1.0
    sgan = json.loads((report / "sgan/train_summary.json").read_text())
    assert 0.0 <= sgan["classifier_test_accuracy"] <= 1.0 and sgan["labelled"] == 20
    assert "classifier test accuracy" in (report / "sgan/report.html").read_text()
    for variant, asked in (("cgan", "labels"), ("acgan", "labels"), ("infogan", "codes")):
        generator = load_generator(model_uri(f"ganops-{variant}-{DATASET}"))
        twos = generator.generate(4, seed=1, **{asked: 2})
        assert twos.shape == (4, 16, 16, 1)
        assert not np.allclose(twos, generator.generate(4, seed=1, **{asked: 7}))


def test_likelihood_baselines_are_measured_beside_the_gans_registered_and_served(
    retrained, mlflow_client
):  # mlflow_client: the project's registry
    from ganops.errors import GanopsError
    from ganops.serving.load import load_generator, model_uri

    report = retrained / "data/08_reporting"
    for variant in ("vae", "pixelcnn"):
        metrics = json.loads((report / f"{variant}/metrics.json").read_text())["metrics"]
        nats_per_bit = 16 * 16 * np.log(2.0)
        assert metrics["bits_per_dim"] == pytest.approx(metrics["nll"] / nats_per_bit)
        assert 0 < metrics["nll"] < 1.5 * nats_per_bit and metrics["fid"] > 0
        losses = json.loads((report / f"{variant}/train_summary.json").read_text())
        assert set(losses["final_losses"]) & {"d_loss", "g_loss"} == set()
    assert "nll_elbo" in json.loads((report / "vae/metrics.json").read_text())["metrics"]
    pictures = sorted(p.name for p in (report / "vae/pictures").iterdir())
    assert pictures == [
        "captions.json",
        "latent_grid.png",
        "latent_scatter.png",
        "reconstructions.png",
    ]
    assert "The decoder over a grid" in (report / "vae/report.html").read_text()
    vae = load_generator(model_uri(f"ganops-vae-{DATASET}"))
    assert vae.decode(np.zeros((2, 2))).shape == (2, 16, 16, 1)
    pixelcnn = load_generator(model_uri(f"ganops-pixelcnn-{DATASET}"))
    drawn = pixelcnn.generate(3, seed=1)
    assert set(np.unique(drawn)) <= {0.0, 1.0}
    np.testing.assert_array_equal(pixelcnn.generate(3, seed=1), drawn)
    with pytest.raises(GanopsError, match="no latent z"):
        pixelcnn.decode(np.zeros((1, 4)))


def test_a_run_of_several_variants_gives_each_its_own_mlflow_run(retrained, mlflow_client):
    """The retrain trained every production variant in one `kedro run`: each has its own
    run, nested in the session's, with its own parameters, losses, evaluation and files, and
    the MLflow leaderboard lists every one of them."""
    import mlflow

    from ganops.evaluation.report import leaderboard
    from ganops.tracking.runs import evaluated_runs

    experiment = mlflow_client.get_experiment_by_name("ganops").experiment_id
    runs = mlflow_client.search_runs([experiment], order_by=["attributes.start_time DESC"])
    session = next(r for r in runs if r.data.tags.get("mlflow.runName") == "retrain")
    nested = [r for r in runs if r.data.tags.get("mlflow.parentRunId") == session.info.run_id]
    registered = {
        p.parent.name for p in (retrained / "data/08_reporting").glob("*/registration.json")
    }
    assert {r.data.tags["variant"] for r in nested} == registered and len(nested) == len(registered)
    assert not any(k.startswith("eval_") for k in session.data.metrics)
    for run in nested:
        variant = run.data.tags["variant"]
        assert run.data.tags["mlflow.runName"] == f"{variant}-{DATASET}"
        assert f"{variant}.train.steps" in run.data.params
        assert not any(
            k.startswith(tuple(f"{v}." for v in registered - {variant})) for k in run.data.params
        )
        primary = run.data.tags["primary_metric"]
        assert f"eval_{primary}" in run.data.metrics, variant
        local = mlflow.artifacts.download_artifacts(
            run_id=run.info.run_id, artifact_path="metrics.json"
        )
        assert json.loads(Path(local).read_text())["variant"] == variant
    board = leaderboard(evaluated_runs())
    assert registered <= set(board["variant"])


# --- an unreachable tracking server --------------------------------------------------------


@pytest.mark.slow  # `make soak` kills a server mid-run and registers alone too
def test_unreachable_tracking_server_loses_nothing_and_registration_is_retried_alone(
    resumed, run_cmd, edit_params, mlflow_client
):
    project = resumed[0].project
    edit_params(
        project,
        f"parameters_{VARIANT}.yml",
        {f"{VARIANT}.model.generator_optimizer.learning_rate": 3e-4},
    )
    run_cmd(project, "kedro", "run", "--pipelines", "train,evaluate", "--namespaces", VARIANT)
    results = [
        project / f"data/06_models/{VARIANT}/generator.keras",
        project / f"data/08_reporting/{VARIANT}/metrics.json",
    ]
    before = [fingerprint(p) for p in results]
    local = project / "conf/local/mlflow.yml"
    local.write_text("server:\n  mlflow_tracking_uri: http://127.0.0.1:9\n")  # nothing listens
    try:
        failed = run_cmd(
            project, "kedro", "run", "--pipelines", "register", "--namespaces", VARIANT, check=False
        )
    finally:
        local.unlink()
    assert "MLflow tracking server http://127.0.0.1:9 is unreachable" in user_error(failed)
    assert [fingerprint(p) for p in results] == before  # training results are intact

    run_cmd(project, "kedro", "run", "--pipelines", "register", "--namespaces", VARIANT)
    name = f"ganops-{VARIANT}-{DATASET}"
    newest = max(int(v.version) for v in mlflow_client.search_model_versions(f"name='{name}'"))
    decision = json.loads((project / f"data/08_reporting/{VARIANT}/registration.json").read_text())
    assert decision["version"] == str(newest) and newest >= 3


def free_ports(count: int) -> list[int]:
    """Loopback ports nothing listens on now."""
    sockets = [socket.socket() for _ in range(count)]
    for s in sockets:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


@pytest.mark.slow  # ≈ 65 s; one device per replica in-process: tests/training/test_distribution.py
def test_two_workers_train_one_run_and_only_the_chief_keeps_it(
    trained: KedroRun, run_cmd, command_env, mlflow_client
):
    """``train.distribution: multi_worker`` on localhost: the chief's ``kedro run`` and one
    ``kedro worker``, the tiny GAN (the data the default run prepared)."""
    project = trained.project
    workers = [f"localhost:{port}" for port in free_ports(2)]
    tf_config = [
        json.dumps({"cluster": {"worker": workers}, "task": {"type": "worker", "index": index}})
        for index in range(2)
    ]
    # a seed of its own: a run of its own (the retrain may have trained the GAN already);
    # 3 steps per call: the graph loop around each step's collectives
    params = (
        "gan.train.distribution=multi_worker,gan.train.checkpoint_every=6,gan.train.seed=7,"
        "gan.train.steps_per_call=3,gan.train.monitor.every=3"
    )
    experiment = mlflow_client.get_experiment_by_name("ganops").experiment_id
    named = f"attributes.run_name = 'gan-{DATASET}'"
    before = len(mlflow_client.search_runs([experiment], filter_string=named))
    worker = subprocess.Popen(
        ["kedro", "worker", "gan", "--params", params],
        cwd=project,
        env=command_env | {"TF_CONFIG": tf_config[1]},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        chief = run_cmd(
            project,
            *("kedro", "run", "--pipelines", "train", "--namespaces", "gan", "--params", params),
            env={"TF_CONFIG": tf_config[0]},
            timeout=300,
        )
        output, _ = worker.communicate(timeout=120)
    finally:
        worker.kill()
    assert worker.returncode == 0, output[-3000:]
    assert "(2 replicas, multi_worker)" in chief.stdout and "Saving data" not in output
    checkpoints = project / "data/06_models/gan/checkpoints"
    assert [p.name for p in checkpoints.glob("ckpt-*")] == ["ckpt-00000006.npz"]
    losses = pd.read_csv(project / "data/08_reporting/gan/losses.csv")
    assert list(losses["step"]) == [1, 2, 3, 4, 5, 6] and np.isfinite(losses).all().all()
    runs = mlflow_client.search_runs([experiment], filter_string=named)
    assert len(runs) == before + 1 and "d_loss" in runs[0].data.metrics


# --- the MLflow UI, as a person sees it ---------------------------------------------------------

#: A returning user's browser settings: the "Model training" view, the runs table with the
#: evaluation metrics as columns, the assistant panel closed (MLflow 3.17's local storage).
UI_SETTINGS = {
    "mlflow.workflowType_v1": "machine_learning",
    "mlflow.assistant.panelOpen_v1": False,
    "mlflow.assistant.fab.autoOpenedOnFirstLoad_v1": True,
}
SHOWN_METRICS = ("eval_fid", "eval_kid", "eval_precision", "eval_recall")
UI_TIMEOUT = 60


@pytest.fixture
def mlflow_ui(trained: KedroRun, command_env, tmp_path):
    """The real MLflow UI (``mlflow server``, started as ``make server`` starts it) on the
    default run's store and artifacts, on loopback; stopped however the test ends."""
    from ganops.serving.loadtest import free_port
    from ganops.tracking.team import tracking_server

    project = trained.project
    env = command_env | {"MLFLOW_DISABLE_TELEMETRY": "true"}
    backend, artifacts = f"sqlite:///{project}/mlflow.db", str(project / "mlruns")
    with tracking_server(backend, artifacts, free_port(), tmp_path / "ui.log", env=env) as uri:
        yield uri


def page_text(browser, *expected: str) -> str:
    """The page's text once it shows every one of ``expected`` (the UI renders in steps)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    def shown(driver):
        text = driver.find_element(By.TAG_NAME, "body").text
        return text if all(e in text for e in expected) else None

    return WebDriverWait(browser, UI_TIMEOUT, poll_frequency=0.25).until(shown)


def remember(browser, uri: str, experiment_id: str) -> None:
    """Store ``UI_SETTINGS`` for ``uri`` in the browser, as the UI itself would."""
    browser.get(f"{uri}/health")  # a page of the UI's origin, without loading the app
    browser.get_log("browser")  # earlier pages' console: not this UI's
    columns = ["attributes.`Models`", *(f"metrics.`{m}`" for m in SHOWN_METRICS)]
    settings = UI_SETTINGS | {
        f'MLflowLocalStorage-1.1-ExperimentPage-["{experiment_id}"]-ReactComponentState': {
            "selectedColumns": columns
        }
    }
    for key, value in settings.items():
        browser.execute_script("localStorage.setItem(arguments[0], arguments[1])", key,
                               json.dumps(value))  # fmt: skip


def failed_or_offsite_loads(browser, uri: str) -> list[str]:
    """What the UI loaded from anywhere but itself, and its console errors, but two expected
    404s: the user endpoint that only exists with authentication on, and the favicon of
    ``remember``'s page."""
    loaded = browser.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)"
    )
    offsite = [u for u in loaded if not u.startswith((uri, "data:", "blob:"))]
    expected = (f"{uri}/ajax-api/2.0/mlflow/users/current ", f"{uri}/favicon.ico ")
    errors = [
        e["message"]
        for e in browser.get_log("browser")
        if e["level"] == "SEVERE" and not e["message"].startswith(expected)
    ]
    return offsite + errors


def test_mlflow_ui_lists_the_run_and_the_champion_with_its_description(
    mlflow_ui, browser, screenshot, mlflow_client
):
    experiment = mlflow_client.get_experiment_by_name("ganops").experiment_id
    remember(browser, mlflow_ui, experiment)

    browser.get(f"{mlflow_ui}/#/experiments/{experiment}/runs")
    fid = dcgan_runs(mlflow_client)[0].data.metrics["eval_fid"]
    page_text(browser, f"{VARIANT}-{DATASET}", *SHOWN_METRICS, str(fid), MODEL)  # and its model
    screenshot(browser, "mlflow-runs")

    browser.get(f"{mlflow_ui}/#/models/{MODEL}")
    model = page_text(browser, "Load the champion", "@ champion")
    assert f"{VARIANT} on {DATASET} (GAN): DCGAN" in model  # the description, rendered
    assert f"ganops generate --model {MODEL} -n 64 --output samples.png" in model
    screenshot(browser, "mlflow-model")

    champion = mlflow_client.get_model_version_by_alias(MODEL, "champion")
    verdict = champion.description.split("\n\n")[-1].replace("**", "")  # as rendered
    browser.get(f"{mlflow_ui}/#/models/{MODEL}/versions/{champion.version}")
    version = page_text(browser, f"Trained on {DATASET}, ", verdict)
    assert verdict.startswith("Champion: ") and "(lower is better)" in version
    screenshot(browser, "mlflow-version")
    assert not failed_or_offsite_loads(browser, mlflow_ui)
