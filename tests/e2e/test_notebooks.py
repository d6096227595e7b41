"""The notebooks in notebooks/: committed clean, and run top to bottom against a scratch project.

A tiny `kedro run` (digits, features, DCGAN trained, evaluated and registered as the champion,
v1) plus an untrained DCGAN registered as v2 (the challenger) make the project, with a tiny
untrained Context Encoder registered and its model input (photo patches with holes) written
for the translation notebook; the notebooks then run at once, each in its own kernel from this
environment's Python, with the project, model and tracking store given by their parameters
cells' environment variables. Each test checks one notebook's key outputs (figures drawn,
tables filled), not only that it finished.

The kernels share nothing: each talks over Unix sockets in its own folder (over TCP, Jupyter
picks free ports, closes them and lets the kernel bind them seconds later, so another process
can take one meanwhile and the kernel dies at start: jupyter_client#487), keeps its own IPython
profile and history database, and writes its stderr to a file that a failure's message shows.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import mlflow
import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient

from ganops.io import save_arrays
from stores import register_tiny, use_mlflow_store

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))
MODEL = "ganops-dcgan-digits"
TRANSLATOR = "ganops-context_encoder-photos_inpaint"  # the scratch project's translation model
#: The notebooks whose parameters cell defaults to another model than MODEL, and that model.
DEFAULT_MODELS = {"05_translation.ipynb": "ganops-pix2pix-photos_color"}
#: The notebooks given another model than MODEL (GANOPS_MODEL) in the scratch project.
PROJECT_MODELS = {"05_translation.ipynb": TRANSLATOR}
KERNEL = "ganops-test"
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]|\x1b\]8;[^\x1b]*\x1b\\")  # colours, hyperlinks (rich)


# --- committed clean (fast) --------------------------------------------------------------------


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_committed_without_outputs(path: Path):
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    dirty = [
        i
        for i, cell in enumerate(notebook.cells)
        if cell.cell_type == "code" and (cell.outputs or cell.execution_count is not None)
    ]
    assert not dirty, (
        f"{path.name}: cells {dirty} hold outputs or execution counts; clear them before "
        "committing (Jupyter: Edit > Clear Outputs of All Cells)"
    )


def parameters_cell(path: Path) -> str:
    cell = next(c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code")
    assert "parameters" in cell.metadata.get("tags", []), f"{path.name}: first code cell"
    return cell.source


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_parameters_cell_finds_the_project_or_takes_it_from_the_environment(
    path: Path, tmp_path: Path, monkeypatch
):
    project, other = tmp_path / "project", tmp_path / "other"
    (project / "notebooks").mkdir(parents=True)
    (project / "pyproject.toml").write_text('[tool.kedro]\npackage_name = "ganops"\n')
    for name in [k for k in os.environ if k.startswith(("GANOPS_", "MLFLOW_"))]:
        monkeypatch.delenv(name)
    monkeypatch.chdir(project / "notebooks")  # where Jupyter starts a notebook's kernel
    source = parameters_cell(path)
    found: dict = {}
    exec(source, found)
    default = DEFAULT_MODELS.get(path.name, MODEL)
    assert found["PROJECT"] == project.resolve()
    assert found.get("MODEL", default) == default and found.get("TRACKING_URI") is None
    monkeypatch.setenv("GANOPS_PROJECT", str(other))
    monkeypatch.setenv("GANOPS_MODEL", "ganops-gan-ring8")
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "sqlite:////elsewhere/mlflow.db")
    given: dict = {}
    exec(source, given)
    assert given["PROJECT"] == other.resolve()
    assert given.get("MODEL", "ganops-gan-ring8") == "ganops-gan-ring8"
    if "TRACKING_URI" in given:
        assert given["TRACKING_URI"] == "sqlite:////elsewhere/mlflow.db"


# --- run top to bottom -------------------------------------------------------------------------


@dataclass
class Executed:
    notebook: nbformat.NotebookNode
    error: BaseException | None
    seconds: float
    kernel_log: str  # what the kernel process wrote to stderr and stdout

    def cell(self, cell_id: str) -> nbformat.NotebookNode:
        return next(c for c in self.notebook.cells if c.get("id") == cell_id)

    def text(self, cell_id: str) -> str:
        """What the cell printed and showed as text, colours stripped."""
        parts = []
        for output in self.cell(cell_id).outputs:
            parts.append(output.get("text", ""))
            parts.append(output.get("data", {}).get("text/plain", ""))
        return ANSI.sub("", "".join(parts))

    def pictures(self, cell_id: str) -> int:
        return sum("image/png" in o.get("data", {}) for o in self.cell(cell_id).outputs)

    def failure(self) -> str:
        """The error and the text shown by the cells that ran, for a failing test's message."""
        shown = "\n".join(
            f"--- cell {c.get('id')} ---\n{self.text(c.get('id'))[-3000:]}"
            for c in self.notebook.cells
            if c.cell_type == "code" and c.get("outputs")
        )
        log = f"--- the kernel's own output ---\n{self.kernel_log[-3000:]}"
        return f"{type(self.error).__name__}: {self.error}\n{shown}\n{log}"


@pytest.fixture(scope="module")
def project(tmp_path_factory, make_project, run_cmd, digits_input, paired_inputs) -> Path:
    """A tiny project after `kedro run`, its model holding two versions: v1 (trained,
    champion) and v2 (an untrained DCGAN, challenger); and TRANSLATOR, an untrained Context
    Encoder, champion, with its model input (16x16 photo patches, 4x4 holes)."""
    project = make_project(tmp_path_factory.mktemp("notebooks") / "project")
    run_cmd(project, "kedro", "run")
    inpaint = paired_inputs["inpaint"]
    dataset = TRANSLATOR.split("-", 2)[-1]
    save_arrays(project / "data" / "05_model_input" / f"{dataset}.npz", inpaint)
    previous = mlflow.get_tracking_uri()
    try:
        use_mlflow_store(project)  # the project's own sqlite:///mlflow.db
        decision = register_tiny(digits_input, "dcgan", fid=1e6)
        translator = register_tiny(inpaint, "context_encoder", dataset)
    finally:
        mlflow.set_tracking_uri(previous)
    assert (decision.version, decision.promoted) == ("2", False), decision
    assert (translator.name, translator.promoted) == (TRANSLATOR, True), translator
    return project


def kernel_env(project: Path) -> dict[str, str]:
    """A user's kernel environment, pointed at the scratch project by the parameters cells."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("GIT_", "MLFLOW_", "KEDRO_", "GANOPS_", "MPLBACKEND"))
    }
    return env | {
        "GANOPS_PROJECT": str(project),
        "GANOPS_MODEL": MODEL,
        "MLFLOW_TRACKING_URI": f"sqlite:///{project}/mlflow.db",
        "KEDRO_DISABLE_TELEMETRY": "true",
        "DVC_NO_ANALYTICS": "1",
        "TF_CPP_MIN_LOG_LEVEL": "3",
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
    }


def own_model(path: Path) -> dict[str, str]:
    """The notebook's GANOPS_MODEL where it is not MODEL (kernel_env's)."""
    return {"GANOPS_MODEL": PROJECT_MODELS[path.name]} if path.name in PROJECT_MODELS else {}


async def execute_all(paths: list[Path], folder: Path, env: dict[str, str]) -> dict:
    """Run every notebook at once, each in a kernel of this Python; errors kept, not raised."""
    kernels = folder / "kernels"
    (kernels / KERNEL).mkdir(parents=True)
    (kernels / KERNEL / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                "display_name": "ganops (tests)",
                "language": "python",
            }
        )
    )
    cwd = folder / "cwd"  # not the project: the parameters cells must take it from GANOPS_PROJECT
    cwd.mkdir()

    async def execute(index: int, path: Path) -> Executed:
        notebook = nbformat.read(path, as_version=4)
        own = folder / f"k{index}"  # short: a Unix socket's path holds at most 107 bytes
        own.mkdir()
        manager = AsyncKernelManager(
            kernel_name=KERNEL,
            kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(kernels)]),
            transport="ipc",
            connection_file=str(own / "kernel.json"),  # its sockets: k<i>/kernel-ipc-<n>
        )
        client = NotebookClient(
            notebook,
            km=manager,
            timeout=300,
            startup_timeout=180,
            shutdown_kernel="immediate",
            resources={"metadata": {"path": str(cwd)}},
        )
        started = time.monotonic()
        log = own / "kernel.log"
        try:
            with log.open("w") as output:
                await client.async_execute(  # then shut the kernel down
                    env=env | {"IPYTHONDIR": str(own / "ipython")} | own_model(path),
                    stdout=output,
                    stderr=output,
                    cleanup_kc=True,
                )
            error = None
        except Exception as err:  # reported by the notebook's own test
            error = err
        finally:
            if await manager.is_alive():
                await manager.shutdown_kernel(now=True)
        return Executed(notebook, error, time.monotonic() - started, log.read_text())

    done = await asyncio.gather(*(execute(i, path) for i, path in enumerate(paths)))
    return {path.name: run for path, run in zip(paths, done, strict=True)}


@pytest.fixture(scope="module")
def executed(project: Path, tmp_path_factory) -> dict[str, Executed]:
    folder = tmp_path_factory.mktemp("kernels")
    return asyncio.run(execute_all(NOTEBOOKS, folder, kernel_env(project)))


def check_data_exploration(run: Executed) -> None:
    assert "n_train" in run.text("card") and "digits" in run.text("card")
    assert "x_train" in run.text("arrays") and "y_test" in run.text("arrays")
    assert "class_names" in run.text("meta")
    assert run.pictures("balance") == 1 and "largest / smallest class" in run.text("balance")
    assert run.pictures("grid") == 1 and run.pictures("values") == 1


def check_latent_space(run: Executed) -> None:
    assert f"models:/{MODEL}@champion: z of 100 numbers" in run.text("load")
    assert run.pictures("lerp-slerp") == 2  # the norms along both paths, then their images
    for cell in ("interpolations", "classes", "attribute", "perturb", "truncate"):
        assert run.pictures(cell) == 1, cell
    assert "pixel spread across samples" in run.text("truncate")


def check_registry(run: Executed) -> None:
    assert MODEL in run.text("models")
    versions = run.text("versions")
    assert "champion" in versions and "challenger" in versions and "decision" in versions
    assert run.pictures("champion") == 1 and "32 images of (16, 16, 1)" in run.text("champion")
    compare = run.text("compare")
    assert run.pictures("compare") == 1 and "with 2 Axes" in compare, compare  # side by side
    assert "one version only" not in compare


def check_model_comparison(run: Executed) -> None:
    assert "1 variant x dataset pairs evaluated" in run.text("leaderboard")
    assert "dcgan" in run.text("leaderboard") and "digits" in run.text("leaderboard")
    assert run.pictures("chart") == 1
    assert "fid" in run.text("metrics") and "feature_extractor" in run.text("metrics")
    assert run.pictures("runs") == 1 and "report.html" in run.text("runs")


def check_translation(run: Executed) -> None:
    assert f"models:/{TRANSLATOR}@champion: context_encoder" in run.text("load")
    assert "held-out inpaint pairs" in run.text("data") and "inpaint: " in run.text("translate")
    picture = run.text("picture")  # input, baseline, model and target rows
    assert run.pictures("picture") == 1 and "with 1 Axes" in picture, picture
    metrics = run.text("metrics")
    assert re.search(r"inpaint\s+model\s", metrics), metrics
    assert "baseline (biharmonic)" in metrics and "beats the biharmonic baseline on" in metrics
    assert all(name in metrics for name in ("l1", "psnr", "ssim", "l1_hole", "psnr_hole"))
    assert not re.search(r"\b(nan|inf)\b", metrics, re.IGNORECASE), metrics


CHECKS: dict[str, Callable[[Executed], None]] = {
    "01_data_exploration.ipynb": check_data_exploration,
    "02_latent_space.ipynb": check_latent_space,
    "03_registry.ipynb": check_registry,
    "04_model_comparison.ipynb": check_model_comparison,
    "05_translation.ipynb": check_translation,
}


def test_every_notebook_is_checked():
    assert {p.name for p in NOTEBOOKS} == set(CHECKS)


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_notebook_runs_top_to_bottom(name: str, executed: dict[str, Executed]):
    run = executed[name]
    assert run.error is None, run.failure()
    counts = [c.execution_count for c in run.notebook.cells if c.cell_type == "code"]
    assert None not in counts, f"cells left unrun: {counts}"
    CHECKS[name](run)
