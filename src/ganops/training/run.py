"""A training run from parameters: validate, seed, build, train. What the Kedro node calls."""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import keras
import numpy as np
import pandas as pd
from filelock import FileLock

from ganops.config import validate
from ganops.errors import ConfigError, DataError
from ganops.evaluation.evaluate import held_out, on_data_share
from ganops.evaluation.metrics import accuracy
from ganops.evaluation.unpaired import identity_share
from ganops.sampling import decode
from ganops.storage import atomic_write
from ganops.training import backend
from ganops.training.callbacks import BestCheckpoint, Callback, SampleGrid, save_png
from ganops.training.config import TrainConfig
from ganops.training.monitor import FailureMonitor
from ganops.training.trainer import Trainer
from ganops.variants import build_variant
from ganops.variants.base import DataSpec, Trainable
from ganops.variants.likelihood import likelihood_summary

log = logging.getLogger(__name__)
POINTS_SHOWN = 1000  # a scatter of fewer 2-D samples says little about mode coverage
PICTURES = "pictures"  # the report folder's subfolder of a variant's own pictures
CAPTIONS = "captions.json"  # ... and their captions, by file name


@dataclass
class RunResult:
    """A finished run: the variant (the best generator weights when scored), its losses, the
    scores over steps (empty when not scored) and a summary."""

    gan: Trainable
    losses: pd.DataFrame
    scores: pd.DataFrame
    summary: dict[str, Any]


def check_trained_on(train_summary: dict[str, Any], model_input: dict[str, Any]) -> None:
    """The generator a summary describes was trained on ``model_input``: evaluating or
    registering it on other data would report (and register) numbers of the wrong dataset."""
    trained, given = train_summary["data_hash"], model_input["meta"]["data_hash"]
    if trained != given:
        raise DataError(
            f"{train_summary['variant']}: its generator was trained on "
            f"{train_summary.get('dataset')} (data hash {trained}), not on "
            f"{model_input['meta'].get('dataset')} ({given}): give this run the same "
            "--params dataset=... as its training"
        )


def run_fingerprint(variant: str, model: dict, train: TrainConfig, data_hash: str) -> str:
    """What makes two runs the same run (so a checkpoint of one may resume the other)."""
    identity = {"variant": variant, "model": model, "train": train.identity(), "data": data_hash}
    return hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()[:16]


@contextlib.contextmanager
def precision(mixed: bool | str) -> Iterator[None]:
    """Networks built inside compute in float16 (``True``) or bfloat16 with float32
    variables on request, in float32 otherwise; float32 again after."""
    policy = {False: "float32", True: "mixed_float16", "bfloat16": "mixed_bfloat16"}[mixed]
    keras.mixed_precision.set_global_policy(policy)
    try:
        yield
    finally:
        keras.mixed_precision.set_global_policy("float32")


def scale_losses(gan: Trainable, mixed: bool | str) -> None:
    """Dynamic loss scaling for float16 compute (its narrow range); bfloat16 needs none."""
    if mixed is True:
        for player in gan.players:
            player.optimizer = keras.optimizers.LossScaleOptimizer(player.optimizer)


def train_run(
    model_input: dict[str, Any],
    variant: str,
    model: dict[str, Any],
    train: dict[str, Any],
    checkpoint_dir: Path,
    report_dir: Path,
    callbacks: list[Callback] = (),
    score: Callable[[keras.Model], float] | None = None,
    coverage: Callable[[np.ndarray], float] | None = None,
    primary: tuple[str, str] = ("fid", "lower"),
    features: keras.Model | None = None,
) -> RunResult:
    """Train ``variant`` on ``model_input`` (validated first, resumed if interrupted); a
    likelihood model's summary holds its held-out NLLs (``likelihood``).

    With ``score`` (of the ``primary`` metric: its name and which way is better) the
    generator is scored every ``evaluate_every`` steps and the best weights are the ones
    returned. Failure modes are watched throughout (with ``coverage``, the share of modes
    samples cover, mode collapse too). ``features``: the dataset's feature extractor, for
    variants whose losses use it (SRGAN's content loss).
    """
    config = validate(TrainConfig, train, f"{variant}.train")
    meta = model_input["meta"]
    spec = DataSpec.from_meta(meta)
    keras.utils.set_random_seed(config.seed)
    place = backend.placement(config.distribution)
    log.info(
        "training %s on %s (%s) for %d steps on %s%s",
        variant,
        meta.get("dataset"),
        "x".join(map(str, spec.sample_shape)),
        config.steps,
        ", ".join(backend.devices()) or "CPU",
        f" ({place.replicas} replicas, {config.distribution})" if place.replicas > 1 else "",
    )
    with precision(config.mixed_precision):
        with place.scope():  # validates: before any output
            gan = build_variant(variant, model, spec, config.d_steps, features)
        check_domains(model_input, config.batch_size, variant)
        check_batch(config.batch_size, place.replicas, gan.batch_multiple, variant)
        monitor = FailureMonitor(
            config.monitor,
            model_input["x_train"],
            coverage,
            watch_d_wins=gan.watch_d_wins,
            sample=held_out(model_input).samples,
            folder=checkpoint_dir,
            moved=identity_share(model_input) if "domains" in meta else None,
            on_data=on_data_share(meta),
        )
        best = (
            [BestCheckpoint(score, config.evaluate_every, checkpoint_dir, *primary)]
            if score
            else []
        )
        checkpoint_dir.parent.mkdir(parents=True, exist_ok=True)
        # One training per variant folder at a time (cron retrains may overlap): the second
        # waits, then resumes the finished run instead of interleaving checkpoints.
        with FileLock(str(checkpoint_dir.parent / ".train.lock")):
            losses, trainer = fit(
                gan,
                model_input,
                config,
                checkpoint_dir,
                report_dir,
                [monitor, *callbacks, *best],
                run_fingerprint(variant, model, config, meta["data_hash"]),
                place,
            )
    summary = {
        "variant": variant,
        "dataset": meta.get("dataset"),
        "steps": trainer.step,  # (a cluster's worker joining a finished run has no rows)
        "images_per_second": round(trainer.images_per_second, 1),
        "fingerprint": trainer.fingerprint,
        "data_hash": meta["data_hash"],
        "final_losses": {c: float(np.mean(losses[c].tail(50))) for c in losses if c != "step"},
        "failures": monitor.failures,
        "stopped_early": trainer.stop_reason,
    }
    if gan.classify is not None:
        summary |= classifier_summary(gan, model_input, config.seed)
    if gan.likelihood is not None and len(model_input["x_test"]):
        summary["likelihood"] = likelihood_summary(gan.likelihood, model_input["x_test"])
    save_pictures(gan.pictures(model_input) if gan.pictures else {}, report_dir / PICTURES)
    scores = best[0].scores if best else pd.DataFrame()
    if best:
        summary |= {"best_step": best[0].best_step, f"best_{best[0].name}": best[0].best_value}
    return RunResult(gan, losses, scores, summary)


def save_pictures(pictures: dict[str, tuple[str, np.ndarray]], folder: Path) -> None:
    """A variant's own pictures as ``<name>.png`` in ``folder``, with their captions in
    ``captions.json`` (written even when there are none: the folder is an output of every
    training)."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for name, (_, picture) in pictures.items():
        save_png(folder / f"{name}.png", picture)
    captions = json.dumps({f"{name}.png": caption for name, (caption, _) in pictures.items()})
    atomic_write(folder / CAPTIONS, lambda tmp: tmp.write_text(captions))


def check_batch(batch_size: int, replicas: int, multiple: int, variant: str) -> None:
    """The global batch splits evenly among the replicas, and each share packs evenly."""
    if batch_size % (replicas * multiple):
        why = [f"{replicas} replicas of train.distribution"] if replicas > 1 else []
        why += [f"model.stabilizers.pack {multiple}"] if multiple > 1 else []
        raise ConfigError(
            f"{variant}.train.batch_size: {batch_size} is not a multiple of "
            f"{replicas * multiple} ({' times '.join(why)})"
        )


def check_domains(model_input: dict[str, Any], batch_size: int, variant: str) -> None:
    """Each domain of unpaired data must hold a batch of training images."""
    for index, name in enumerate(model_input["meta"].get("domains", ())):
        count = int((model_input["domain_train"] == index).sum())
        if count < batch_size:
            raise DataError(
                f"domain {name!r} has {count} training images, fewer than a batch "
                f"({batch_size}): add images or lower {variant}.train.batch_size"
            )


def classifier_summary(gan: Trainable, model_input: dict[str, Any], seed: int) -> dict[str, Any]:
    """A semi-supervised variant's classifier: its accuracy on the held-out split and the
    labelled examples per class it learned from."""
    y = gan.pools(model_input, seed)["real"]["y"]
    per_class = dict(zip(*np.unique(y[y >= 0], return_counts=True), strict=True))
    summary = {
        "labelled": int((y >= 0).sum()),
        "labelled_per_class": {str(k): int(v) for k, v in per_class.items()},
    }
    if len(model_input["x_test"]):
        summary["classifier_test_accuracy"] = accuracy(
            decode(gan.classify, model_input["x_test"]), model_input["y_test"]
        )
    return summary


def fit(
    gan: Trainable,
    model_input: dict[str, Any],
    config: TrainConfig,
    checkpoint_dir: Path,
    report_dir: Path,
    callbacks: list[Callback],
    fingerprint: str,
    place: backend.Placement,
) -> tuple[pd.DataFrame, Trainer]:
    """Wire the Trainer (loss scaling, sample grids, callbacks) and run it."""
    spec = DataSpec.from_meta(model_input["meta"])
    with place.scope():
        scale_losses(gan, config.mixed_precision)
    points = spec.kind == "points"
    reference = model_input["x_train"][:2000] if points else None
    count = max(config.sample_count, POINTS_SHOWN) if points else config.sample_count
    samples = SampleGrid(
        report_dir, config.sample_every, count, reference=reference, feed=held_out(model_input)
    )
    trainer = Trainer(gan, config, checkpoint_dir, fingerprint, [samples, *callbacks], place)
    return trainer.fit(gan.pools(model_input, config.seed)), trainer
