"""Things that happen around the loop: sample grids, the progress GIF, the best checkpoint."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import keras
import numpy as np
import pandas as pd
from PIL import Image

from ganops.evaluation.evaluate import better
from ganops.evaluation.plots import gif_bytes, samples_picture
from ganops.sampling import Feed
from ganops.storage import atomic_write
from ganops.variants.base import Trainable


class Callback:
    """Hooks the Trainer calls; ``step`` counts completed generator updates."""

    def on_start(self, trainer: Any, step: int) -> None: ...

    def on_step(self, trainer: Any, step: int, logs: dict[str, float]) -> None: ...

    def on_end(self, trainer: Any, step: int) -> None: ...


def save_png(path: Path, picture: np.ndarray) -> None:
    atomic_write(path, lambda tmp: Image.fromarray(picture).save(tmp, format="PNG"))


class SampleGrid(Callback):
    """Every ``every`` steps, draw the same latent vectors (or translate the same source
    images); at the end, a GIF of the grids (conditional generators: one row per class or
    code; translation: rows of sources, outputs and targets).

    Writes ``samples/step-XXXXXXXX.png``, ``samples.png`` (the last grid) and ``progress.gif``
    into ``folder``. Frames of a resumed run are kept; frames past the resume point are not.
    """

    FRAME = re.compile(r"step-(\d{8})\.png$")

    def __init__(
        self,
        folder: Path,
        every: int,
        count: int,
        seed: int = 1234,
        reference: np.ndarray | None = None,
        feed: Feed | None = None,
    ):
        self.folder, self.every, self.count, self.seed = Path(folder), every, count, seed
        self.reference, self.feed = reference, feed or Feed()
        self.frames = self.folder / "samples"

    def picture(self, trainer: Any) -> np.ndarray:
        samples, cols = self.feed.rows(trainer.gan.generator, self.count, self.seed)
        return samples_picture(samples, self.reference, cols)

    def frame_files(self) -> list[tuple[int, Path]]:
        found = ((self.FRAME.search(p.name), p) for p in self.frames.glob("step-*.png"))
        return sorted((int(m.group(1)), p) for m, p in found if m)

    def on_start(self, trainer: Any, step: int) -> None:
        self.frames.mkdir(parents=True, exist_ok=True)
        for frame_step, path in self.frame_files():
            if frame_step > step or step == 0:
                path.unlink()
        if step == 0:
            save_png(self.frames / "step-00000000.png", self.picture(trainer))

    def on_step(self, trainer: Any, step: int, logs: dict[str, float]) -> None:
        if step % self.every == 0:
            save_png(self.frames / f"step-{step:08d}.png", self.picture(trainer))

    def on_end(self, trainer: Any, step: int) -> None:
        last = self.picture(trainer)
        save_png(self.folder / "samples.png", last)
        frames = [np.asarray(Image.open(p)) for _, p in self.frame_files()]
        if not frames or not np.array_equal(frames[-1], last):
            frames.append(last)
        gif = gif_bytes(frames)
        atomic_write(self.folder / "progress.gif", lambda tmp: tmp.write_bytes(gif))


class BestCheckpoint(Callback):
    """Every ``every`` steps (and at the end), score the generator by the metric ``name``
    (``better``: ``lower`` or ``higher``); keep the weights of the best model
    (``Trainable.model``: the generator, or every network of a likelihood model) and give
    them back when training ends.

    GAN quality often peaks and then decays: the best step, not the last, is what gets
    evaluated and registered. ``best.npz`` and ``scores.csv`` live in the checkpoint folder,
    so checkpoints of other parameters take them away with them.
    """

    def __init__(
        self,
        score: Callable[[keras.Model], float],
        every: int,
        folder: Path,
        name: str = "fid",
        better: str = "lower",
    ):
        self.score, self.every, self.name, self.better = score, every, name, better
        self.best_path, self.scores_path = Path(folder) / "best.npz", Path(folder) / "scores.csv"
        self.scores = pd.DataFrame(columns=["step", name])
        self.best_step, self.best_value = 0, float("inf") if better == "lower" else float("-inf")

    def on_start(self, trainer: Any, step: int) -> None:
        if self.scores_path.is_file():
            scores = pd.read_csv(self.scores_path)
            if self.name not in scores.columns:  # scored by another metric: start afresh
                return
            self.scores = scores[scores["step"] <= step].reset_index(drop=True)
        if self.best_path.is_file():
            with np.load(self.best_path) as best:
                if int(best["step"]) <= step:  # a later one: a crashed run's, not this one's
                    self.best_step, self.best_value = int(best["step"]), float(best["value"])

    def on_step(self, trainer: Any, step: int, logs: dict[str, float]) -> None:
        if step % self.every == 0:
            self.evaluate(trainer.gan, step)

    def on_end(self, trainer: Any, step: int) -> None:
        if step not in set(self.scores["step"]):
            self.evaluate(trainer.gan, step)
        with np.load(self.best_path) as best:
            weights = iter(best[f"w{i:04d}"] for i in range(len(best.files) - 2))
            for net in trainer.gan.model:
                net.set_weights([next(weights) for _ in net.weights])

    def evaluate(self, gan: Trainable, step: int) -> None:
        value = float(self.score(gan.generator))
        row = pd.DataFrame({"step": [step], self.name: [value]})
        self.scores = pd.concat([self.scores, row], ignore_index=True) if len(self.scores) else row
        csv = self.scores.to_csv(index=False)
        atomic_write(self.scores_path, lambda tmp: tmp.write_text(csv))
        if better(value, self.best_value, self.better):
            self.best_step, self.best_value = step, value
            values = (w for net in gan.model for w in net.get_weights())
            weights = {f"w{i:04d}": w for i, w in enumerate(values)}

            def write(tmp: Path) -> None:
                with open(tmp, "wb") as f:
                    np.savez(f, step=step, value=value, **weights)

            atomic_write(self.best_path, write)
