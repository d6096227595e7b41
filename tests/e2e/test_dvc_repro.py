"""End to end: `dvc repro` in a git + DVC copy of the project (tiny variants).

The tests share one repository and run in file order: a first full `dvc repro` (fixture), a
no-op second repro, a GAN-only parameter change, a DVC experiment on the DCGAN seed, and the
stability of `dvc.lock` when Python's bytecode caches come and go.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from ganops.variants import TRANSLATION, VARIANTS

REPO = Path(__file__).resolve().parents[2]
DATASET = "digits"
TRAINED = (
    "gan",
    "dcgan",
)  # the copy's dvc.yaml trains these two: DVC's mechanics, not each variant
STAGES = [
    "ingest",
    "preprocess",
    "features",
    *(f"{s}@{v}" for s in ("train", "evaluate", "publish") for v in TRAINED),
]
TRANSLATION_STAGES = (
    "prepare_translation",
    "train_translation",
    "evaluate_translation",
    "publish_translation",
)
REFERENCE_FILES = ("train_summary.json", "losses.csv", "scores.csv", "metrics.json")
RUNNING = re.compile(r"Running stage '([^']+)'")
STAGE_OUTPUTS = {
    "ingest": [f"data/02_intermediate/{DATASET}.npz"],
    "preprocess": [
        f"data/05_model_input/{DATASET}.npz",
        f"data/08_reporting/datasets/{DATASET}/card.json",
        f"data/08_reporting/datasets/{DATASET}/samples.png",
    ],
    **{
        f"train@{v}": [
            f"data/06_models/{v}/checkpoints/ckpt-00000006.npz",
            f"data/06_models/{v}/generator.keras",
            f"data/08_reporting/{v}/samples/step-00000006.png",
            f"data/08_reporting/{v}/samples.png",
            f"data/08_reporting/{v}/progress.gif",
            f"data/08_reporting/{v}/loss_curve.png",
            f"data/08_reporting/{v}/train_summary.json",
            f"data/08_reporting/{v}/losses.csv",
            f"data/08_reporting/{v}/scores.csv",
        ]
        for v in TRAINED
    },
    "features": [
        f"data/04_feature/{DATASET}/{f}" for f in ("extractor.keras", "reference_features.npz")
    ],
    **{
        f"evaluate@{v}": [
            f"data/08_reporting/{v}/{f}" for f in ("metrics.json", "evaluation.png", "report.html")
        ]
        for v in TRAINED
    },
    **{f"publish@{v}": [f"reference/{v}/{f}" for f in REFERENCE_FILES] for v in TRAINED},
}


@dataclass
class Repo:
    path: Path
    first_repro: str


def stages_run(output: str) -> list[str]:
    return RUNNING.findall(output)


def lock(repo: Path) -> dict:
    return yaml.safe_load((repo / "dvc.lock").read_text())["stages"]


def commit(run_cmd, repo: Path, message: str) -> None:
    run_cmd(repo, "git", "add", "-A")
    run_cmd(repo, "git", "commit", "-q", "--allow-empty", "-m", message)


def dvc_status(run_cmd, repo: Path) -> dict:
    proc = run_cmd(repo, "dvc", "status", "--json")
    return json.loads(proc.stdout.strip().splitlines()[-1] or "{}")


@pytest.fixture(scope="module")
def repo(tmp_path_factory, make_project, run_cmd) -> Repo:
    """A committed git + DVC repository after its first, full `dvc repro`."""
    path = make_project(tmp_path_factory.mktemp("dvc") / "project")
    shutil.copy2(REPO / ".gitignore", path / ".gitignore")
    stages = yaml.safe_load((path / "dvc.yaml").read_text())
    stages["vars"][1]["sampling"] = list(TRAINED)
    for stage in TRANSLATION_STAGES:  # the same mechanics over other datasets
        del stages["stages"][stage]
    del stages["stages"]["leaderboard"]  # it reads every variant's metrics (test_dvc_plots_page.py)
    (path / "dvc.yaml").write_text(yaml.safe_dump(stages, sort_keys=False))
    run_cmd(path, "git", "init", "-q")
    run_cmd(path, "git", "config", "user.email", "e2e@example.com")
    run_cmd(path, "git", "config", "user.name", "e2e")
    run_cmd(path, "git", "config", "commit.gpgsign", "false")
    run_cmd(path, "dvc", "init", "-q")
    # The committed DVC settings: analytics off, the plot templates, the offline page (setup's)
    shutil.copy2(REPO / ".dvc" / "config", path / ".dvc" / "config")
    shutil.copytree(REPO / ".dvc" / "plots", path / ".dvc" / "plots")
    shutil.copy2(REPO / ".dvc" / "plots_template.html", path / ".dvc" / "plots_template.html")
    shutil.copy2(REPO / ".dvcignore", path / ".dvcignore")
    # Kedro imports `ganops` from the project's src/ (it puts src/ first on sys.path), so on a
    # developer's machine src/**/__pycache__ exists by the time DVC hashes the code deps.
    # Compile it up front: deterministic whether or not PYTHONDONTWRITEBYTECODE is set here.
    run_cmd(path, sys.executable, "-m", "compileall", "-q", "src")
    commit(run_cmd, path, "project")
    first = run_cmd(path, "dvc", "repro")
    commit(run_cmd, path, "dvc repro")
    return Repo(path, first.stdout)


def test_dvc_yaml_has_every_variant():
    dvc = yaml.safe_load((REPO / "dvc.yaml").read_text())
    stages, sampling, own = dvc["stages"], dvc["vars"][1]["sampling"], dvc["vars"][2]["translation"]
    assert sampling == [v for v in VARIANTS if v not in TRANSLATION]
    assert {stages[s]["foreach"] for s in ("train", "evaluate", "publish")} == {"${sampling}"}
    assert list(own) == list(TRANSLATION)
    foreach = {stages[f"{s}_translation"]["foreach"] for s in ("train", "evaluate", "publish")}
    assert foreach == {"${translation}"}
    assert set(own.values()) <= set(stages["prepare_translation"]["foreach"])


def test_repro_runs_every_stage_and_writes_their_outputs(repo: Repo):
    assert sorted(stages_run(repo.first_repro)) == sorted(STAGES)
    missing = {
        stage: [p for p in outputs if not (repo.path / p).is_file()]
        for stage, outputs in STAGE_OUTPUTS.items()
    }
    assert not any(missing.values()), f"missing outputs: {missing}"
    assert set(lock(repo.path)) == set(STAGES)


def test_second_repro_reruns_nothing(repo: Repo, run_cmd):
    proc = run_cmd(repo.path, "dvc", "repro")
    assert stages_run(proc.stdout) == [], proc.stdout
    for stage in STAGES:
        assert f"Stage '{stage}' didn't change, skipping" in proc.stdout
    assert "Data and pipelines are up to date." in proc.stdout
    assert dvc_status(run_cmd, repo.path) == {}


@pytest.mark.slow  # `dvc exp run -S` below checks the same with an experiment
def test_gan_parameter_change_reruns_only_gan_training_and_evaluation(
    repo: Repo, run_cmd, edit_params
):
    dcgan_model = repo.path / "data/06_models/dcgan/generator.keras"
    dcgan_mtime = dcgan_model.stat().st_mtime_ns
    gan_before = lock(repo.path)["train@gan"]["params"]
    edit_params(
        repo.path, "parameters_gan.yml", {"gan.model.discriminator_optimizer.learning_rate": 1e-4}
    )

    changed = dvc_status(run_cmd, repo.path)
    assert set(changed) == {"train@gan"}, changed

    proc = run_cmd(repo.path, "dvc", "repro")
    assert stages_run(proc.stdout) == ["train@gan", "evaluate@gan", "publish@gan"], proc.stdout
    for stage in ("ingest", "preprocess", "features", "train@dcgan", "evaluate@dcgan"):
        assert f"Stage '{stage}' didn't change, skipping" in proc.stdout
    gan_after = lock(repo.path)["train@gan"]["params"]
    lr = gan_after["conf/base/parameters_gan.yml"]["gan"]["model"]["discriminator_optimizer"]
    assert lr["learning_rate"] == 1e-4 and gan_after != gan_before
    assert dcgan_model.stat().st_mtime_ns == dcgan_mtime
    assert dvc_status(run_cmd, repo.path) == {}
    commit(run_cmd, repo.path, "gan: discriminator learning rate 1e-4")


def test_exp_run_with_set_param_reruns_only_dcgan(repo: Repo, run_cmd, tmp_path):
    gan_model = repo.path / "data/06_models/gan/generator.keras"
    gan_mtime = gan_model.stat().st_mtime_ns
    summary = repo.path / "data/08_reporting/dcgan/train_summary.json"
    fingerprint = json.loads(summary.read_text())["fingerprint"]

    proc = run_cmd(
        repo.path, "dvc", "exp", "run", "-S", "conf/base/parameters_dcgan.yml:dcgan.train.seed=1"
    )
    assert stages_run(proc.stdout) == ["train@dcgan", "evaluate@dcgan", "publish@dcgan"]
    assert "Ran experiment(s)" in proc.stdout
    params = yaml.safe_load((repo.path / "conf/base/parameters_dcgan.yml").read_text())
    assert params["dcgan"]["train"]["seed"] == 1
    locked = lock(repo.path)["train@dcgan"]["params"]["conf/base/parameters_dcgan.yml"]
    assert locked["dcgan"]["train"]["seed"] == 1
    assert json.loads(summary.read_text())["fingerprint"] != fingerprint  # really retrained
    assert gan_model.stat().st_mtime_ns == gan_mtime
    experiments = run_cmd(repo.path, "dvc", "exp", "list", "--name-only").stdout.split()
    assert len(experiments) == 1, experiments
    # The experiment against HEAD, as a person compares them: plots and metrics, no code of ours.
    run_cmd(repo.path, "dvc", "plots", "diff", "HEAD", "--targets", "losses_dcgan$",
            "-o", str(tmp_path / "plots"))  # fmt: skip
    page = (tmp_path / "plots" / "index.html").read_text()
    assert "dcgan: losses per step" in page
    assert '"rev": "HEAD"' in page and '"rev": "workspace"' in page
    metrics = "reference/dcgan/metrics.json"
    diff = run_cmd(repo.path, "dvc", "metrics", "diff", "HEAD", "--targets", metrics).stdout
    assert "metrics.fid" in diff and "primary.value" in diff, diff
    commit(run_cmd, repo.path, "dcgan: seed 1")


def test_published_metrics_and_plots_are_tracked_by_git_and_the_workspace_is_not(
    repo: Repo, run_cmd
):
    wanted = [f"reference/{v}/{f}" for v in TRAINED for f in REFERENCE_FILES]
    tracked = run_cmd(repo.path, "git", "ls-files", *wanted).stdout.split()
    assert sorted(tracked) == sorted(wanted)
    assert run_cmd(repo.path, "git", "ls-files", "data/08_reporting/dcgan").stdout == ""


def test_lock_does_not_depend_on_bytecode_caches(repo: Repo, run_cmd, tmp_path):
    caches = sorted(repo.path.glob("src/**/__pycache__"))
    assert caches, "expected bytecode caches under src/ (see the repo fixture)"
    moved = []
    try:
        for i, cache in enumerate(caches):  # what a fresh clone looks like
            moved.append((cache, shutil.move(cache, tmp_path / str(i))))
        changed = dvc_status(run_cmd, repo.path)
    finally:
        for cache, away in moved:
            shutil.move(away, cache)
    assert changed == {}, f"stages changed without a source change: {sorted(changed)}"


def remote(run_cmd, repo: Path, command: str) -> tuple[int, str]:
    """``make push`` / ``make pull``'s command in ``repo``: exit status, last line."""
    proc = run_cmd(repo, sys.executable, "-m", "ganops.tracking.remote", command, check=False)
    return proc.returncode, proc.stdout.strip().splitlines()[-1]


def test_a_fresh_clone_reproduces_from_the_remote(repo: Repo, run_cmd, tmp_path):
    """`make push` here; on a fresh clone `make pull`, then `dvc repro` reruns nothing and the
    pulled generator draws samples. A remote that is not there: one line, nothing copied."""
    from ganops.sampling import generate
    from ganops.serving.pyfunc import load_keras

    status, line = remote(run_cmd, repo.path, "push")
    assert status == 2 and line.startswith("ganops: no DVC remote given and no default one: ")
    storage = tmp_path / "remote"
    run_cmd(repo.path, "dvc", "remote", "add", "-d", "storage", str(storage))
    commit(run_cmd, repo.path, "DVC remote")  # the team's remote, in .dvc/config
    status, line = remote(run_cmd, repo.path, "pull")
    assert status == 2 and f"DVC remote 'storage' ({storage}) does not exist" in line, line
    assert remote(run_cmd, repo.path, "push")[0] == 0

    clone = tmp_path / "clone"
    run_cmd(tmp_path, "git", "clone", "-q", str(repo.path), str(clone))
    assert remote(run_cmd, clone, "pull")[0] == 0
    assert dvc_status(run_cmd, clone) == {}
    proc = run_cmd(clone, "dvc", "repro")
    assert stages_run(proc.stdout) == [], proc.stdout
    for stage, outputs in STAGE_OUTPUTS.items():
        for path in outputs:
            assert (clone / path).read_bytes() == (repo.path / path).read_bytes(), (stage, path)
    generator = load_keras(str(clone / "data/06_models/dcgan/generator.keras"))
    assert generate(generator, 4, seed=0).shape[0] == 4
