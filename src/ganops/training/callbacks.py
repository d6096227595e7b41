"""Things that happen around the loop: sample grids and the progress GIF."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from ganops.evaluation.plots import gif_bytes, samples_picture
from ganops.io import atomic_write


class Callback:
    """Hooks the Trainer calls; ``step`` counts completed generator updates."""

    def on_start(self, trainer: Any, step: int) -> None: ...

    def on_step(self, trainer: Any, step: int, logs: dict[str, float]) -> None: ...

    def on_end(self, trainer: Any, step: int) -> None: ...


def save_png(path: Path, picture: np.ndarray) -> None:
    atomic_write(path, lambda tmp: Image.fromarray(picture).save(tmp, format="PNG"))


class SampleGrid(Callback):
    """Every ``every`` steps, draw the same latent vectors; at the end, a GIF of the grids.

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
    ):
        self.folder, self.every, self.count, self.seed = Path(folder), every, count, seed
        self.reference = reference
        self.frames = self.folder / "samples"

    def picture(self, trainer: Any) -> np.ndarray:
        samples = trainer.gan.generate(trainer.gan.latent(self.count, self.seed))
        return samples_picture(samples, self.reference)

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
