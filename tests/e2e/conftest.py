"""Shared helpers of the end-to-end tests: a tiny copy of the project, and a command runner.

Each test module builds its project(s) in a temporary folder with ``make_project`` (a copy of
``conf/``, ``dvc.yaml``, ``pyproject.toml``, ``src/`` and empty ``data/`` folders, with the
variants shrunk to a few steps of very small networks), then runs ``kedro`` / ``dvc`` / ``git``
in it with ``run_cmd``. DVC stages list ``src/`` as a dependency; note also that ``kedro run``
puts the project's own ``src/`` first on ``sys.path``, so the subprocesses import ``ganops``
from the copy (as it was when the test started), not from the editable install.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml

from ganops.serving.loadtest import served
from tiny import TINY_MODELS, TINY_PHOTOS, TINY_TRAIN

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent  # the virtual environment's bin/ (kedro, dvc)
DATA_FOLDERS = (
    "01_raw",
    "02_intermediate",
    "03_primary",
    "04_feature",
    "05_model_input",
    "06_models",
    "07_model_output",
    "08_reporting",
)

#: The variants' parameter files, shrunk to the shared tiny configuration.
TINY = {
    f"parameters_{variant}.yml": {
        **{f"{variant}.model.{k}": v for k, v in model.items()},
        **{f"{variant}.train.{k}": v for k, v in TINY_TRAIN.items()},
    }
    for variant, model in TINY_MODELS.items()
} | {
    "parameters_points.yml": {"points.models": {}, "points.train": TINY_TRAIN},
    "parameters_ingest.yml": TINY_PHOTOS,
    "parameters_evaluate.yml": {
        "evaluation.samples": 300,
        "evaluation.kid_subsets": 10,
        "evaluation.kid_subset_size": 100,
        "evaluation.classifier.epochs": 2,
    },
}


def subprocess_env() -> dict[str, str]:
    """The environment of every command: quiet, offline, headless, this venv first on PATH."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "MLFLOW_", "KEDRO_"))}
    env.update(
        KEDRO_DISABLE_TELEMETRY="true",
        DVC_NO_ANALYTICS="1",
        TF_CPP_MIN_LOG_LEVEL="3",
        MPLBACKEND="Agg",
        PYTHONUNBUFFERED="1",
        COLUMNS="250",
        PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}",
    )
    return env


def set_params(project: Path, filename: str, updates: Mapping[str, Any]) -> None:
    """Set nested keys (dotted paths, e.g. ``dcgan.train.steps``) of ``conf/base/<filename>``."""
    path = project / "conf" / "base" / filename
    params = yaml.safe_load(path.read_text()) or {}
    for dotted, value in updates.items():
        *parents, leaf = dotted.split(".")
        node = params
        for key in parents:
            node = node.setdefault(key, {})
        node[leaf] = value
    path.write_text(yaml.safe_dump(params, sort_keys=False))


def copy_project(dest: Path) -> Path:
    """Copy the project into ``dest`` (created), shrink its variants, and return ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", "*.pyc")
    shutil.copytree(REPO / "conf", dest / "conf", ignore=ignore)
    shutil.copytree(REPO / "src", dest / "src", ignore=ignore)
    for name in ("dvc.yaml", "pyproject.toml"):
        if (REPO / name).is_file():
            shutil.copy2(REPO / name, dest / name)
    (dest / "conf" / "local").mkdir(exist_ok=True)  # the default run environment
    for folder in DATA_FOLDERS:
        (dest / "data" / folder).mkdir(parents=True, exist_ok=True)
        (dest / "data" / folder / ".gitkeep").touch()
    for filename, updates in TINY.items():
        set_params(dest, filename, updates)
    return dest


def run_in(
    project: Path,
    *args: str,
    check: bool = True,
    timeout: float = 600,
    env: Mapping[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``args`` in ``project`` (``env``: more environment variables); with ``check``, a
    non-zero exit fails the test with the log.

    stdout and stderr are merged into ``.stdout`` (Kedro logs to stderr via rich, DVC to both).
    """
    proc = subprocess.run(
        list(args),
        cwd=project,
        env=subprocess_env() | dict(env or {}),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=timeout,
        check=False,
    )
    if check and proc.returncode != 0:
        pytest.fail(
            f"`{' '.join(args)}` exited with {proc.returncode} in {project}:\n{proc.stdout}",
            pytrace=False,
        )
    return proc


@pytest.fixture(scope="session")
def make_project() -> Callable[[Path], Path]:
    """``make_project(tmp_path)``: a tiny copy of the project in that folder, returned."""
    return copy_project


@pytest.fixture(scope="session")
def run_cmd() -> Callable[..., subprocess.CompletedProcess[str]]:
    """``run_cmd(project, "kedro", "run", check=True)``: see :func:`run_in`."""
    return run_in


@pytest.fixture(scope="session")
def command_env() -> dict[str, str]:
    """The environment ``run_cmd`` runs commands in, for processes a test starts itself."""
    return subprocess_env()


@pytest.fixture(scope="session")
def edit_params() -> Callable[[Path, str, Mapping[str, Any]], None]:
    """``edit_params(project, "parameters_dcgan.yml", {"dcgan.train.seed": 1})``."""
    return set_params


@pytest.fixture(scope="session")
def serve_model():
    """``with serve_model(folder, tracking_uri, model_uri) as base_url:``: ``mlflow models
    serve`` on a free loopback port, with pickle loading off (``loadtest.served``)."""
    return served
