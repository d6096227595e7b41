"""The one training loop every variant goes through."""

from __future__ import annotations

import logging
import shutil
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import keras
import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from ganops.errors import ConfigError, StorageError, TrainingDiverged
from ganops.training import backend, checkpoint
from ganops.training.callbacks import Callback
from ganops.training.config import TrainConfig
from ganops.variants.base import Pools, Trainable

log = logging.getLogger(__name__)


def sample_batches(
    pools: Pools, step: int, shape: tuple[int, int], seed: int
) -> dict[str, np.ndarray]:
    """Batches for one step, a pure function of ``(seed, step)``: a resumed run sees exactly
    the data an uninterrupted one would. ``shape`` is (updates, batch). Each pool is drawn with
    its own index, shared by its arrays (so pairs stay pairs)."""
    rng = np.random.default_rng([seed, step])
    size = int(np.prod(shape))
    batches = {}
    for pool in pools.values():
        n = len(next(iter(pool.values())))
        index = rng.choice(n, size=size, replace=size > n).reshape(shape)
        batches |= {key: array[index] for key, array in pool.items()}
    return batches


def sample_steps(
    pools: Pools, first: int, count: int, shape: tuple[int, int], seed: int
) -> dict[str, np.ndarray]:
    """Batches for steps ``first..first + count - 1``, stacked (one compiled call's)."""
    steps = [sample_batches(pools, first + i, shape, seed) for i in range(count)]
    return {key: np.stack([step[key] for step in steps]) for key in steps[0]}


def diverged(what: str, step: int, last_good: Path | None) -> TrainingDiverged:
    """The NaN guard's error: what went bad, when, and which checkpoint survives."""
    kept = f"last good checkpoint kept: {last_good}" if last_good else "no checkpoint yet"
    return TrainingDiverged(f"{what} became NaN or infinite by step {step}; {kept}")


def check_finite(logs: dict[str, float], step: int, last_good: Path | None) -> None:
    """The NaN guard on losses: stop at once, naming the loss, the step and the checkpoint."""
    bad = sorted(k for k, v in logs.items() if not np.isfinite(v))
    if bad:
        raise diverged(", ".join(bad), step, last_good)


class Trainer:
    """Runs the players' updates on a schedule, with checkpoints, resume and callbacks.

    A callback stops training early by setting ``stop_reason``: the loop checkpoints that
    step, leaves, and still runs every ``on_end``. ``placement``: the devices the variables
    were made on (``train.distribution``), which the compiled step runs on.
    """

    def __init__(
        self,
        gan: Trainable,
        config: TrainConfig,
        checkpoint_dir: Path,
        fingerprint: str,
        callbacks: Sequence[Callback] = (),
        placement: backend.Placement | None = None,
    ):
        self.gan, self.config, self.fingerprint = gan, config, fingerprint
        self.checkpoint_dir = Path(checkpoint_dir)
        self.callbacks = list(callbacks)
        self.history = pd.DataFrame()
        self.last_checkpoint: Path | None = None
        self.images_per_second = float("nan")
        self.stop_reason: str | None = None
        self.step = 0  # reached by the last ``fit``
        self.restored: list[np.ndarray] | None = None  # a cluster's: restored by every process
        self.placement = placement = placement or backend.Placement()
        with placement.scope():
            backend.build_optimizers(gan)
            self.call = backend.make_steps_call(
                gan, config.jit_compile, config.single_pass, config.steps_per_call
            )
        placement.release(gan)

    def resume(self) -> int:
        """Load the newest checkpoint of this same run; a different run's are cleared away."""
        self.checkpoint_dir.mkdir(parents=True, exist_ok=True)
        found = checkpoint.latest(self.checkpoint_dir)
        if found is None:
            return 0
        if found.fingerprint != self.fingerprint:
            log.warning(
                "checkpoints in %s belong to other parameters or data: starting afresh",
                self.checkpoint_dir,
            )
            shutil.rmtree(self.checkpoint_dir)
            self.checkpoint_dir.mkdir(parents=True)
            return 0
        if found.backend != keras.backend.backend():
            raise ConfigError(
                f"the checkpoints in {self.checkpoint_dir} were written under the "
                f"{found.backend} backend, this run uses {keras.backend.backend()}: resume with "
                f"KERAS_BACKEND={found.backend}, or delete the folder to start afresh"
            )
        if self.placement.cluster:  # every process restores the chief's values at once
            self.restored = found.values
        else:
            checkpoint.restore(self.gan, found.values)
        self.history = found.history
        self.images_per_second = found.images_per_second
        self.last_checkpoint = checkpoint.checkpoint_path(self.checkpoint_dir, found.step)
        log.info("resumed from %s (step %d)", self.last_checkpoint, found.step)
        if found.step > self.config.steps:
            log.warning(
                "%s already reaches step %d, past train.steps %d: nothing to train (delete the "
                "folder to train %d steps afresh)",
                self.checkpoint_dir,
                found.step,
                self.config.steps,
                self.config.steps,
            )
        return found.step

    def save_checkpoint(self, step: int) -> None:
        """Checkpoint only a healthy state, so the last good one is never overwritten."""
        values = checkpoint.capture(self.gan)
        if not all(np.isfinite(v).all() for v in values if v.dtype.kind == "f"):
            raise diverged("weights", step, self.last_checkpoint)
        ckpt = checkpoint.Checkpoint(
            step,
            self.fingerprint,
            self.history,
            values,
            self.images_per_second,
            keras.backend.backend(),
        )
        try:
            self.last_checkpoint = checkpoint.save(
                self.checkpoint_dir, ckpt, self.config.keep_checkpoints
            )
        except StorageError as err:
            kept = self.last_checkpoint or "none yet"
            raise StorageError(f"{err}; last good checkpoint: {kept}") from err

    def measure_throughput(self, steps: int, started: float) -> None:
        """Images per second of this session's ``steps`` since ``started`` (the first step, its
        compilation, excluded; a finished run keeps its old figure)."""
        if steps > 0:
            elapsed = max(time.perf_counter() - started, 1e-9)
            self.images_per_second = steps * self.config.batch_size / elapsed

    def fit(self, pools: Pools) -> pd.DataFrame:
        """Train on ``pools`` until ``config.steps``; returns the per-step losses (a ``step``
        column first).

        The next call's batches are drawn in a thread while the compiled call runs; with
        ``steps_per_call`` above 1 the calls end on its multiples (and at ``steps``), where
        callbacks read the weights and an early stop takes effect.
        ``images_per_second`` afterwards: generator steps per second times the batch size,
        the first call of a session (which compiles) left out.
        """
        cfg = self.config
        self.restored = None
        step = self.placement.from_chief(self.gan, self.resume(), self.restored)
        self.stop_reason = None
        shape = (self.gan.updates_per_step(cfg.single_pass), cfg.batch_size)

        def draw(first: int) -> tuple[int, dict[str, np.ndarray]]:
            count = min(cfg.steps_per_call - first % cfg.steps_per_call, cfg.steps - first)
            return count, sample_steps(pools, first, count, shape, cfg.seed)

        for cb in self.callbacks:
            cb.on_start(self, step)
        rows, started, first = [], time.perf_counter(), None
        bar = tqdm(
            total=cfg.steps,
            initial=step,
            desc="train",
            unit="step",
            disable=not cfg.progress_bar,
            dynamic_ncols=True,
            mininterval=0.5 if sys.stderr.isatty() else 15.0,
        )
        with bar, ThreadPoolExecutor(1) as prefetch:
            batches = prefetch.submit(draw, step) if step < cfg.steps else None
            while step < cfg.steps:
                count, current = batches.result()
                if step + count < cfg.steps:
                    batches = prefetch.submit(draw, step + count)
                for logs in self.call(current):
                    step += 1
                    check_finite(logs, step, self.last_checkpoint)
                    rows.append({"step": step, **logs})
                    bar.update()
                    if step % cfg.log_every == 0:
                        bar.set_postfix({n: f"{v:.3f}" for n, v in logs.items()}, refresh=False)
                    for cb in self.callbacks:
                        cb.on_step(self, step, logs)
                if first is None:
                    started, first = time.perf_counter(), step
                stop = self.stop_reason is not None
                if stop or step % cfg.checkpoint_every == 0 or step == cfg.steps:
                    self.measure_throughput(step - first, started)
                    self.history = pd.concat([self.history, pd.DataFrame(rows)], ignore_index=True)
                    rows = []
                    self.save_checkpoint(step)
                if stop:
                    log.warning(
                        "stopping early at step %d (checkpoint %s): %s",
                        step,
                        self.last_checkpoint,
                        self.stop_reason,
                    )
                    break
        self.history = pd.concat([self.history, pd.DataFrame(rows)], ignore_index=True)
        self.step = step
        for cb in self.callbacks:
            cb.on_end(self, step)
        return self.history
