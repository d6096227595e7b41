"""``make bench``: training and sampling throughput, seconds per pipeline stage, peak memory.

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

from ganops.quiet import quiet_start

quiet_start()  # before Keras: `python -m ganops.bench` prints no TensorFlow start-up lines

import keras  # noqa: E402
import yaml  # noqa: E402

from ganops.config import variant_params  # noqa: E402
from ganops.evaluation.features import build_classifier  # noqa: E402
from ganops.sampling import generate  # noqa: E402
from ganops.training import backend  # noqa: E402
from ganops.training.run import precision, scale_losses  # noqa: E402
from ganops.training.trainer import sample_steps  # noqa: E402
from ganops.variants import EXPERIMENTS, TRANSLATION, VARIANTS, build_variant  # noqa: E402
from ganops.variants.base import DataSpec  # noqa: E402

#: The book's 256x256 models (the variants' defaults are the papers'; horse2zebra: 9 blocks).
BOOK_256 = {"pix2pix": {}, "cyclegan": {"residual_blocks": 9}}
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


#: Translation variants are measured on the embedded photo patches: paired as each task
#: needs, unpaired as photo <-> cartoon patches.
PAIR_TASKS = {
    "pix2pix": {"task": "colorize"},
    "srgan": {"task": "super_resolution", "factor": 4},
    "srresnet": {"task": "super_resolution", "factor": 4},
    "context_encoder": {"task": "inpaint", "hole": 16},
}
TRANSLATION_SIZE = 64


def translation_input(variant: str, size: int, count: int = 64) -> dict[str, Any]:
    """``count`` or so photo patches at ``size``: pairs of the variant's task, or photos and
    cartoons (photos shrunk no further than the patch needs)."""
    from ganops.data.sources import ingest
    from ganops.data.transforms import PreprocessConfig, to_model_input

    if variant in PAIR_TASKS:
        source = {"format": "photos", "patch": size, "patches_per_photo": max(1, count // 8)}
        raw = ingest("bench", {**source, "pairs": {**PAIR_TASKS[variant], "size": size}})
    else:
        source = {"format": "cartoon", "patch": size, "patches_per_photo": max(1, count // 6)}
        raw = ingest("bench", {**source, "shorter_side": max(128, size), "image_size": size})
    return to_model_input(raw, PreprocessConfig(image_size=size))


def throughput(
    model_input: dict,
    variant: str,
    params: dict,
    batch: int,
    steps: int,
    warmup: int = 5,
    single_pass: bool = False,
    mixed_precision: bool | str = False,
    steps_per_call: int = 1,
) -> float:
    """Generator steps per second times batch size of the compiled step alone, every player
    updated as its parameters say (n critic steps included; compile excluded; with
    ``single_pass``, both players from one forward pass; ``mixed_precision`` and
    ``steps_per_call`` as in ``train:``)."""
    keras.utils.set_random_seed(0)
    with precision(mixed_precision):
        d_steps = params["train"].get("d_steps", 1)
        spec = DataSpec.from_meta(model_input["meta"])
        features = build_classifier(spec.sample_shape, 8, 128)  # SRGAN's content network's size
        gan = build_variant(variant, params["model"], spec, d_steps, features)
    scale_losses(gan, mixed_precision)
    backend.build_optimizers(gan)
    call = backend.make_steps_call(gan, single_pass=single_pass, steps_per_call=steps_per_call)
    pools, shape = gan.pools(model_input, 0), (gan.updates_per_step(single_pass), batch)
    warmup, timed = -(-warmup // steps_per_call), -(-steps // steps_per_call)  # calls
    starts = range(0, (warmup + timed) * steps_per_call, steps_per_call)
    batches = [sample_steps(pools, s, steps_per_call, shape, 0) for s in starts]
    for b in batches[:warmup]:
        call(b)
    start = time.perf_counter()
    for b in batches[warmup:]:
        call(b)
    return timed * steps_per_call * batch / (time.perf_counter() - start)


#: The TensorFlow DCGAN tutorial's networks at 28x28 (the GPU figure): a 7x7x256 projection,
#: 5x5 kernels, discriminator dropout 0.3, a 100-d latent.
TUTORIAL = {
    "model": {
        "latent_dim": 100,
        "generator_filters": [256, 128, 64],
        "discriminator_filters": [64, 128],
        "kernel_size": 5,
        "dropout": 0.3,
    },
    "train": {},
}
PRECISIONS = {"float32": False, "float16": True, "bfloat16": "bfloat16"}


def tutorial_figures(
    batch: int, steps: int, precisions: list[str], steps_per_call: list[int]
) -> dict[str, float]:
    """The tutorial's DCGAN at 28x28: images per second of its compiled step for each
    precision and number of steps per compiled call."""
    from ganops.data.sources import load_digits
    from ganops.data.transforms import PreprocessConfig, to_model_input

    model_input = to_model_input(load_digits(), PreprocessConfig(image_size=28))
    results = {}
    for name in precisions:
        for count in steps_per_call:
            rate = throughput(
                model_input,
                "dcgan",
                TUTORIAL,
                batch,
                steps,
                mixed_precision=PRECISIONS[name],
                steps_per_call=count,
            )
            results[f"{name}, steps_per_call {count}"] = round(rate, 1)
            print(
                f"tutorial DCGAN 28x28 batch {batch} {name}, {count} steps per call: "
                f"{rate:10.1f} images/s",
                flush=True,
            )
    return results


def loop_throughput(model_input: dict, variant: str, params: dict, steps: int) -> float:
    """Images per second of the real training loop: the train node as ``kedro run`` calls it
    (the Trainer with MLflow metrics into a throwaway store, sample grids, the failure monitor
    and the best checkpoint scored on a classifier's features; the variant's committed
    settings) for ``steps`` steps, its first (compiling) step left out."""
    import mlflow

    from ganops.evaluation.evaluate import reference_set
    from ganops.pipelines.train.nodes import train

    keras.utils.set_random_seed(0)
    extractor = build_classifier(DataSpec.from_meta(model_input["meta"]).sample_shape, 8, 128)
    reference = reference_set(model_input, extractor)
    settings = {**params["train"], "steps": steps, "progress_bar": False}
    previous = mlflow.get_tracking_uri()
    with tempfile.TemporaryDirectory() as folder:
        mlflow.set_tracking_uri(f"sqlite:///{folder}/mlflow.db")
        try:
            with mlflow.start_run(experiment_id=mlflow.create_experiment("bench")):
                *_, summary = train(
                    model_input,
                    extractor,
                    reference,
                    variant,
                    params["primary_metric"],
                    params["model"],
                    settings,
                    {},
                    Path(folder) / "checkpoints",
                    Path(folder) / "reports",
                )
        finally:
            mlflow.set_tracking_uri(previous)
    return summary["images_per_second"]


def sampling_rate(model_input: dict, variant: str, model: dict, n: int = 500) -> float:
    """Images per second drawn from a freshly built generator (compile excluded): a GAN's
    one pass, PixelCNN's one pass per pixel."""
    keras.utils.set_random_seed(0)
    gan = build_variant(variant, model, DataSpec.from_meta(model_input["meta"]))
    generate(gan.generator, n, seed=0)
    start = time.perf_counter()
    generate(gan.generator, n, seed=1)
    return n / (time.perf_counter() - start)


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


def loop_results(
    project: Path, variants: list[str], model_input: dict, args: argparse.Namespace
) -> dict[str, dict[str, float]]:
    """Per variant, at its own batch size: the compiled step alone and the real loop."""
    results = {}
    for variant in variants:
        params = variant_params(project, variant)
        batch = params["train"]["batch_size"]
        data = model_input
        if variant in TRANSLATION:  # enough images in each domain for a batch
            data = translation_input(variant, TRANSLATION_SIZE, count=max(64, 4 * batch))
        step = throughput(data, variant, params, batch, args.steps)
        loop = loop_throughput(data, variant, params, args.loop_steps)
        results[variant] = {
            "batch": batch,
            "step_images_per_second": round(step, 1),
            "loop_images_per_second": round(loop, 1),
            "loop_share_of_step": round(loop / step, 3),
        }
        print(
            f"{variant:>8} batch {batch:>4}: loop {loop:9.1f} images/s, {loop / step:.0%} of step"
        )
    return results


def single_pass_results(
    project: Path, variants: list[str], model_input: dict, steps: int
) -> dict[str, dict[str, float]]:
    """The compiled step of each adversarial variant with d_steps 1, alternating and single
    pass, at its own batch size."""
    results = {}
    for variant in variants:
        params = variant_params(project, variant)
        spec = DataSpec.from_meta(model_input["meta"])
        if variant in TRANSLATION or params["train"].get("d_steps", 1) != 1:
            continue
        if build_variant(variant, params["model"], spec).joint is None:
            continue
        batch = params["train"]["batch_size"]
        rates = {
            mode: round(throughput(model_input, variant, params, batch, steps, single_pass=one), 1)
            for mode, one in (("alternating", False), ("single_pass", True))
        }
        results[variant] = {"batch": batch, **rates}
        print(
            f"{variant:>8} batch {batch:>4}: alternating {rates['alternating']:9.1f}, "
            f"single pass {rates['single_pass']:9.1f} images/s"
        )
    return results


def serving_figures(project: Path, model_input: dict, requests: int) -> dict[str, Any]:
    """``ganops serve``'s server of the default DCGAN (as configured, untrained) under a mix of
    valid and hostile requests from 4 threads: latency percentiles of the valid ones, requests
    per second, statuses (``serving.loadtest``)."""
    import mlflow

    from ganops.serving.loadtest import figures, hammer, requests_mix, served
    from ganops.tracking.registry import log_generator

    spec = DataSpec.from_meta(model_input["meta"])
    gan = build_variant("dcgan", variant_params(project, "dcgan")["model"], spec)
    previous = mlflow.get_tracking_uri()
    with tempfile.TemporaryDirectory() as folder:
        store = f"sqlite:///{folder}/mlflow.db"
        mlflow.set_tracking_uri(store)
        try:
            with mlflow.start_run(experiment_id=mlflow.create_experiment("bench")):
                version = log_generator(gan.generator, "ganops-bench")
        finally:
            mlflow.set_tracking_uri(previous)
        with served(Path(folder), store, f"models:/ganops-bench/{version}") as base:
            hammer(f"{base}/invocations", requests_mix(20, gan.latent_dim, seed=1))  # warm up
            answers, seconds = hammer(f"{base}/invocations", requests_mix(requests, gan.latent_dim))
    return figures(answers, seconds)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="python -m ganops.bench", description=__doc__)
    parser.add_argument("--steps", type=int, default=40, help="timed steps per measurement")
    parser.add_argument(
        "--variants",
        nargs="+",
        choices=[name for name in VARIANTS if name not in EXPERIMENTS],
        help="measure only these (default: every variant)",
    )
    parser.add_argument("--batches", type=int, nargs="+", default=[64, 256])
    parser.add_argument(
        "--serving-requests",
        type=int,
        default=300,
        help="requests to `ganops serve`'s server of the default DCGAN (0: skip)",
    )
    parser.add_argument(
        "--loop-steps",
        type=int,
        default=300,
        help="steps of the real training loop per variant, at its own batch size (0: skip)",
    )
    parser.add_argument(
        "--samples", type=int, default=500, help="images drawn per sampling measurement"
    )
    parser.add_argument(
        "--translation-batches",
        type=int,
        nargs="+",
        default=[1, 16],
        help="translation variants, 64x64",
    )
    parser.add_argument(
        "--no-book-256",
        action="store_true",
        help="skip one step of the book's 256x256 Pix2Pix and CycleGAN (minutes on CPU)",
    )
    parser.add_argument(
        "--no-stages",
        action="store_true",
        help="skip timing the stages of the default run (minutes on CPU)",
    )
    parser.add_argument(
        "--tutorial-batch",
        type=int,
        default=256,
        help="the TensorFlow tutorial's DCGAN at 28x28 at this batch size (0: skip)",
    )
    parser.add_argument(
        "--precisions",
        nargs="+",
        choices=list(PRECISIONS),
        help="of the tutorial's DCGAN (default: float32, and bfloat16 on a GPU)",
    )
    parser.add_argument(
        "--steps-per-call",
        type=int,
        nargs="+",
        default=[1, 20],
        help="of the tutorial's DCGAN: steps per compiled call",
    )
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        default=Path("data/08_reporting/bench.json"),
        metavar="FILE",
        help="the JSON file to write (default: data/08_reporting/bench.json)",
    )
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
        "translation": f"photo patches {TRANSLATION_SIZE}x{TRANSLATION_SIZE}: each paired "
        "variant's task; photo <-> cartoon",
        "images_per_second": {},
    }
    measured = args.variants or [name for name in VARIANTS if name not in EXPERIMENTS]
    for variant in measured:
        params = variant_params(project, variant)
        data, batches = model_input, args.batches
        if variant in TRANSLATION:
            data = translation_input(variant, TRANSLATION_SIZE)
            batches = args.translation_batches
        for batch in batches:
            rate = throughput(data, variant, params, batch, args.steps)
            results["images_per_second"][f"{variant}@{batch}"] = round(rate, 1)
            print(f"{variant:>8} batch {batch:>4}: {rate:10.1f} images/s", flush=True)
    if args.tutorial_batch:
        precisions = args.precisions or ["float32", *(["bfloat16"] if backend.devices() else [])]
        results["tutorial_dcgan"] = {
            "batch": args.tutorial_batch,
            "images_per_second": tutorial_figures(
                args.tutorial_batch, args.steps, precisions, args.steps_per_call
            ),
        }
    if args.loop_steps:
        results["loop"] = loop_results(project, measured, model_input, args)
    results["single_pass"] = single_pass_results(project, measured, model_input, args.steps)
    results["sampling_images_per_second"] = {}
    drawn = [(v, variant_params(project, v)["model"]) for v in measured if v not in TRANSLATION]
    if "pixelcnn" in measured:
        drawn.append(("pixelcnn_book", {}))  # the book's 128 filters, 5 blocks
    for name, model in drawn:
        rate = sampling_rate(model_input, name.removesuffix("_book"), model, args.samples)
        results["sampling_images_per_second"][name] = round(rate, 1)
        print(f"{name:>14} sampling: {rate:10.1f} images/s", flush=True)
    if args.serving_requests:
        results["serving"] = serving_figures(project, model_input, args.serving_requests)
        print(f"serving: {results['serving']}", flush=True)
    if not args.no_book_256:
        results["seconds_per_step"] = {}
        for variant, model in ((v, m) for v, m in BOOK_256.items() if v in measured):
            data = translation_input(variant, 256, count=8)
            rate = throughput(data, variant, {"model": model, "train": {}}, 1, steps=3, warmup=1)
            results["seconds_per_step"][f"{variant}_256@1"] = round(1.0 / rate, 3)
            print(f"book {variant} 256x256 batch 1: {1.0 / rate:.3f} s/step", flush=True)
    if not args.no_stages:
        results["stage_seconds"] = stage_seconds(project)
        for stage, secs in results["stage_seconds"].items():
            print(f"{stage:>12}: {secs:8.2f} s", flush=True)
    results["peak_memory_mib"] = peak_memory_mib()
    print(f"peak memory: {results['peak_memory_mib']} MiB")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2))
    print(f"wrote {args.output}")
    return results


if __name__ == "__main__":
    main()
