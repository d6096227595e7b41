"""``make docs``' first step: the notebooks, run top to bottom, for the site to show.

``python docs/notebooks.py build/notebooks`` copies ``notebooks/*.ipynb`` into that folder
(git-ignored), executed in the project when it has a trained, registered model to look at (the
notebooks' ``GANOPS_MODEL``, by default ``ganops-dcgan-digits``, with its ``champion``: what
``make run`` leaves), otherwise as they are committed, without outputs, saying so in one line;
the translation notebook likewise needs a translation model with a ``champion``.
``mkdocs build`` then renders the copies (``GANOPS_DOCS_NOTEBOOKS``, read by docs/hooks.py).
The committed notebooks are never written.

Each notebook runs in a kernel of this environment's Python, from ``notebooks/`` as ``jupyter
lab`` would start it, with the project's own tracking store (``conf/base/mlflow.yml``). A
notebook that fails stops the build with one line naming it and the error.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"


def no_translation_model() -> str | None:
    """Why the translation notebook cannot run here (no translation model has a champion in
    the project's store), or None when it can."""
    import mlflow

    from ganops.variants import FAMILIES

    variants = FAMILIES["paired_translation"] + FAMILIES["unpaired_translation"]
    prefixes = tuple(f"ganops-{variant}-" for variant in variants)
    client = mlflow.MlflowClient(tracking_uri=f"sqlite:///{ROOT / 'mlflow.db'}")
    for model in client.search_registered_models():
        if model.name.startswith(prefixes) and "champion" in model.aliases:
            return None
    return (
        "no translation model registered: e.g. kedro run --pipelines context_encoder "
        "--params dataset=mnist5k_inpaint"
    )


def registered(model: str, alias: str) -> str | None:
    """Why the notebooks cannot run here (no such model version in the project's store), or
    None when they can."""
    store = ROOT / "mlflow.db"
    if not store.is_file():
        return "no mlflow.db: run `make run` first"
    import mlflow
    from mlflow.exceptions import MlflowException

    client = mlflow.MlflowClient(tracking_uri=f"sqlite:///{store}")
    try:
        client.get_model_version_by_alias(model, alias)
    except MlflowException:
        return f"no {model}@{alias} in mlflow.db: run `make run` first"
    return None


def execute(path: Path, target: Path) -> None:
    """Run the notebook at ``path`` in the project and write it, with its outputs, to
    ``target``."""
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOKS)}},
    )
    client.execute()
    nbformat.write(notebook, target)


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python docs/notebooks.py OUTPUT_FOLDER", file=sys.stderr)
        return 2
    out = Path(argv[0])
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    model = os.environ.get("GANOPS_MODEL", "ganops-dcgan-digits")
    missing = registered(model, os.environ.get("GANOPS_ALIAS", "champion"))
    paths = sorted(NOTEBOOKS.glob("*.ipynb"))
    if missing:
        for path in paths:
            shutil.copy2(path, out / path.name)
        print(f"ganops: the notebooks are shown without outputs ({missing})")
        return 0
    os.environ.setdefault("GANOPS_PROJECT", str(ROOT))
    os.environ.pop("MPLBACKEND", None)  # the Makefile's Agg: the kernel's own inline backend
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")  # no bars in pages
    unrunnable = {"05_translation.ipynb": no_translation_model()}
    for path in paths:
        if unrunnable.get(path.name):
            shutil.copy2(path, out / path.name)
            print(f"ganops: {path.name} is shown without outputs ({unrunnable[path.name]})")
            continue
        print(f"running {path.relative_to(ROOT)}", flush=True)
        try:
            execute(path, out / path.name)
        except Exception as err:  # nbclient's CellExecutionError holds the cell's traceback
            first = str(err).strip().splitlines()[-1] if str(err).strip() else type(err).__name__
            print(f"ganops: {path.relative_to(ROOT)} failed: {first}", file=sys.stderr)
            return 2
    print(f"ganops: {len(paths)} notebooks run into {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
