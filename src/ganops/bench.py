"""``make bench``: training throughput, seconds per pipeline stage, peak memory.

Prints a table and writes ``data/08_reporting/bench.json``. A benchmark, not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import keras
import yaml

from ganops.training import backend
from ganops.training.trainer import sample_batches
from ganops.variants import EXPERIMENTS, VARIANTS, build_variant
from ganops.variants.base import DataSpec

STAGES = [
    ("ingest", "ingest", None),
    ("preprocess", "preprocess", None),
    ("features", "features", None),
    ("train.dcgan", "train", ["dcgan"]),
    ("evaluate.dcgan", "evaluate", ["dcgan"]),
]


def peak_memory_mib() -> float:
    """Peak resident memory of this process (Linux reports KiB)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def variant_params(project: Path, variant: str) -> dict[str, Any]:
    """The committed parameters of a variant, as the pipelines use them."""
    text = (project / "conf" / "base" / f"parameters_{variant}.yml").read_text()
    return yaml.safe_load(text)[variant]


def throughput(
    model_input: dict,
    variant: str,
    params: dict,
    batch: int,
    steps: int,
    warmup: int = 5,
) -> float:
    """Generator steps per second times batch size, every player updated as its parameters
    say (n critic steps included; compile excluded)."""
    keras.utils.set_random_seed(0)
    d_steps = params["train"].get("d_steps", 1)
    gan = build_variant(variant, params["model"], DataSpec.from_meta(model_input["meta"]), d_steps)
    backend.build_optimizers(gan)
    call = backend.make_train_call(gan)
    updates = sum(p.steps for p in gan.players)
    pools = gan.pools(model_input, 0)
    batches = [sample_batches(pools, s, (updates, batch), 0) for s in range(warmup + steps)]
    for b in batches[:warmup]:
        call(b)
    start = time.perf_counter()
    for b in batches[warmup:]:
        call(b)
    return steps * batch / (time.perf_counter() - start)


def stage_seconds(project: Path) -> dict[str, float]:
    """Wall-clock seconds of each stage of the default ``kedro run``, run from scratch in a
    temporary copy of the project (its configuration as committed; nothing resumed)."""
    import mlflow
    from kedro.framework.session import KedroSession
    from kedro.framework.startup import bootstrap_project

    seconds = {}
    with tempfile.TemporaryDirectory(prefix="ganops-bench-") as scratch:
        copy = Path(scratch)
        shutil.copytree(project / "conf", copy / "conf")
        shutil.copy2(project / "pyproject.toml", copy / "pyproject.toml")
        (copy / "src").mkdir()
        previous = Path.cwd()
        os.chdir(copy)  # MLflow's sqlite:///mlflow.db and data/ are relative
        try:
            bootstrap_project(copy)
            for label, pipeline, namespaces in STAGES:
                start = time.perf_counter()
                with KedroSession.create(project_path=copy) as session:
                    session.run(pipeline_name=pipeline, namespaces=namespaces)
                seconds[label] = round(time.perf_counter() - start, 2)
                while mlflow.active_run():  # kedro-mlflow leaves in-process runs open
                    mlflow.end_run()
        finally:
            os.chdir(previous)
    return seconds


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="python -m ganops.bench", description=__doc__)
    parser.add_argument("--steps", type=int, default=40, help="timed steps per measurement")
    parser.add_argument("--batches", type=int, nargs="+", default=[64, 256])
    parser.add_argument(
        "--no-stages",
        action="store_true",
        help="skip timing the stages of the default run (minutes on CPU)",
    )
    parser.add_argument("--out", type=Path, default=Path("data/08_reporting/bench.json"))
    args = parser.parse_args(argv)
    project = Path.cwd()

    from ganops.data.sources import load_digits
    from ganops.data.transforms import PreprocessConfig, to_model_input

    preprocess = yaml.safe_load((project / "conf/base/parameters_preprocess.yml").read_text())
    raw = load_digits()
    raw["meta"]["dataset"] = "digits"
    model_input = to_model_input(raw, PreprocessConfig(**preprocess["preprocess"]))
    results: dict[str, Any] = {
        "device": ", ".join(backend.devices()) or f"CPU ({os.cpu_count()} cores)",
        "backend": keras.backend.backend(),
        "python": platform.python_version(),
        "dataset": "digits",
        "sample_shape": model_input["meta"]["sample_shape"],
        "images_per_second": {},
    }
    for variant in (name for name in VARIANTS if name not in EXPERIMENTS):
        params = variant_params(project, variant)
        for batch in args.batches:
            rate = throughput(model_input, variant, params, batch, args.steps)
            results["images_per_second"][f"{variant}@{batch}"] = round(rate, 1)
            print(f"{variant:>8} batch {batch:>4}: {rate:10.1f} images/s", flush=True)
    if not args.no_stages:
        results["stage_seconds"] = stage_seconds(project)
        for stage, secs in results["stage_seconds"].items():
            print(f"{stage:>12}: {secs:8.2f} s", flush=True)
    results["peak_memory_mib"] = peak_memory_mib()
    print(f"peak memory: {results['peak_memory_mib']} MiB")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2))
    print(f"wrote {args.out}")
    return results


if __name__ == "__main__":
    main()
