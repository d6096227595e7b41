"""Paired images (every target has its input): the ``pairs`` config and the derivations.

A dataset is paired when its raw dict carries ``meta["pairs"]``. Sources that come as pairs
(pix2pix, paired_folders) also carry ``"source"`` (uint8, aligned index-by-index with ``"x"``,
the targets) and have task ``given``; for any other image source the inputs are derived from
the prepared targets (float32 in [-1, 1], already resized to ``size``) by the pure, seeded
functions below.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, PositiveInt, ValidationError

from ganops.errors import ConfigError, DataError

LUMA = np.array([0.299, 0.587, 0.114], np.float32)  # ITU-R BT.601 luma weights
DERIVED_TASKS = ("colorize", "super_resolution", "inpaint")
TASK_KEYS = {  # the keys each task uses besides ``task`` and ``size``
    "given": frozenset(),
    "colorize": frozenset(),
    "super_resolution": frozenset({"factor"}),
    "inpaint": frozenset({"hole", "position", "seed"}),
}


class PairsConfig(BaseModel):
    """How a dataset's inputs relate to its targets (``x``)."""

    model_config = ConfigDict(extra="forbid")

    task: Literal["given", "colorize", "super_resolution", "inpaint"]
    size: PositiveInt = Field(64, description="square side of the targets; beats image_size")
    factor: int = Field(4, ge=2, description="super_resolution: downscaling factor")
    hole: PositiveInt = Field(16, description="inpaint: side of the square hole in pixels")
    position: Literal["random", "center"] = "random"
    seed: int = 0

    def settings(self) -> dict[str, Any]:
        """The task, the size and the keys the task uses (what ``meta["pairs"]`` records)."""
        return self.model_dump(include={"task", "size", *TASK_KEYS[self.task]})


def _error(name: str, detail: str) -> ConfigError:
    """A ConfigError naming the dataset and the pairs key."""
    return ConfigError(f"dataset {name!r}: pairs.{detail}")


def parse_pairs(name: str, raw: Any, given_by: str | None) -> PairsConfig:
    """Validate a dataset's ``pairs`` block; ``given_by`` is the format of a source that
    comes as pairs (task ``given``, set here), None for sources whose inputs are derived."""
    if not isinstance(raw, dict):
        raise ConfigError(f"dataset {name!r}: pairs: must be a mapping, got {raw!r}")
    task = raw.get("task")
    if given_by is not None:
        if task not in (None, "given"):
            raise _error(name, f"task: {given_by} gives its own pairs; leave task out")
        raw = {**raw, "task": "given"}
    elif task == "given":
        tasks = ", ".join(DERIVED_TASKS)
        raise _error(name, f"task: 'given' is set by sources that come as pairs; use {tasks}")
    try:
        config = PairsConfig.model_validate(raw)
    except ValidationError as exc:
        details = "; ".join(
            f"pairs.{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise ConfigError(f"dataset {name!r}: {details}") from exc
    unused = sorted(set(raw) - {"task", "size"} - TASK_KEYS[config.task])
    if unused:
        raise _error(name, f"{unused[0]}: not used by task {config.task!r}")
    return config


def colorize_source(x: np.ndarray, name: str) -> np.ndarray:
    """Gray inputs (N, S, S, 1) of RGB targets: their BT.601 luma, like ``set_channels``."""
    if x.shape[-1] != 3:
        raise DataError(f"colorization needs colour targets; {name} is gray")
    return (x @ LUMA)[..., None].astype(np.float32)


def downscale(x: np.ndarray, factor: int, name: str) -> np.ndarray:
    """Low-resolution inputs (N, S/f, S/f, C): the mean of each f x f block (area averaging,
    no PIL resampling), so every input pixel is exactly its block's average."""
    n, h, w, c = x.shape
    if h % factor or w % factor:
        raise DataError(f"{name}: pairs.size {h} is not divisible by pairs.factor {factor}")
    blocks = x.reshape(n, h // factor, factor, w // factor, factor, c)
    return blocks.mean(axis=(2, 4), dtype=np.float32)


def hole_corners(
    n: int, size: int, hole: int, position: Literal["random", "center"], seed: int
) -> np.ndarray:
    """Top-left (row, col) of each image's hole, (n, 2): the centre, or positions drawn by one
    generator seeded with ``seed`` in index order (image i's hole depends only on seed and i)."""
    if position == "center":
        return np.full((n, 2), (size - hole) // 2, np.int64)
    rng = np.random.default_rng(seed)
    return rng.integers(0, size - hole + 1, size=(n, 2), dtype=np.int64)


def inpaint_source(
    x: np.ndarray, hole: int, position: Literal["random", "center"], seed: int, name: str
) -> np.ndarray:
    """Masked inputs (N, S, S, C + 1): the targets with the hole's pixels set to 0.0, and a
    last channel that is +1 where pixels are known and -1 inside the hole."""
    n, size = len(x), x.shape[1]
    if hole >= size:
        raise DataError(f"{name}: pairs.hole {hole} must be smaller than pairs.size {size}")
    known = np.ones((n, size, size, 1), np.float32)
    for i, (r, c) in enumerate(hole_corners(n, size, hole, position, seed)):
        known[i, r : r + hole, c : c + hole] = 0.0
    masked = np.where(known > 0.0, x, np.float32(0.0))
    return np.concatenate([masked, known * 2.0 - 1.0], axis=-1).astype(np.float32)


def derive_source(x: np.ndarray, config: PairsConfig, name: str) -> np.ndarray:
    """The inputs of prepared targets ``x`` (float32 [-1, 1], (N, S, S, C)) for a derived task."""
    if config.task == "colorize":
        return colorize_source(x, name)
    if config.task == "super_resolution":
        return downscale(x, config.factor, name)
    if config.task == "inpaint":
        return inpaint_source(x, config.hole, config.position, config.seed, name)
    raise DataError(f"{name}: pairs.task {config.task!r} is not derived; the source gives inputs")
