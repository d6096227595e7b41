"""Atomic, resumable checkpoints: every variable of a run plus its step and loss history."""

from __future__ import annotations

import logging
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np
import pandas as pd

from ganops.storage import atomic_write
from ganops.variants.base import Trainable

log = logging.getLogger(__name__)
PATTERN = re.compile(r"ckpt-(\d{8})\.npz$")
DAMAGED = (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile)  # an empty file: EOF


@dataclass
class Checkpoint:
    """What a run needs to go on: its step, its identity, its losses so far, its variables,
    the training throughput measured up to it and the Keras backend that wrote it (random
    numbers differ between backends: a run resumes under its own)."""

    step: int
    fingerprint: str
    history: pd.DataFrame
    values: list[np.ndarray]
    images_per_second: float = float("nan")
    backend: str = "tensorflow"


def checkpoint_path(folder: Path, step: int) -> Path:
    return folder / f"ckpt-{step:08d}.npz"


def list_checkpoints(folder: Path) -> list[Path]:
    """Checkpoint files in ``folder``, oldest first."""
    return sorted(p for p in folder.glob("ckpt-*.npz") if PATTERN.search(p.name))


def save(folder: Path, ckpt: Checkpoint, keep: int) -> Path:
    """Write ``ckpt`` atomically, then delete all but the newest ``keep`` up to it."""
    path = checkpoint_path(folder, ckpt.step)
    arrays = {f"var{i:04d}": value for i, value in enumerate(ckpt.values)}
    arrays |= {f"history/{c}": ckpt.history[c].to_numpy() for c in ckpt.history.columns}

    def write(tmp: Path) -> None:
        with open(tmp, "wb") as f:
            np.savez(
                f,
                step=ckpt.step,
                fingerprint=ckpt.fingerprint,
                images_per_second=ckpt.images_per_second,
                backend=ckpt.backend,
                **arrays,
            )

    atomic_write(path, write)
    for old in [p for p in list_checkpoints(folder) if p.name <= path.name][:-keep]:
        old.unlink()  # a later file is a damaged one resuming skipped: not among the newest
    return path


def load(path: Path) -> Checkpoint:
    """Read one checkpoint file (raises one of ``DAMAGED`` if it is damaged)."""
    with np.load(path, allow_pickle=False) as npz:
        names = sorted(k for k in npz.files if k.startswith("var"))
        history = {k.split("/", 1)[1]: npz[k] for k in npz.files if k.startswith("history/")}
        return Checkpoint(
            int(npz["step"]),
            str(npz["fingerprint"]),
            pd.DataFrame(history),
            [npz[k] for k in names],
            float(npz["images_per_second"]),
            str(npz["backend"]) if "backend" in npz.files else "tensorflow",
        )


def latest(folder: Path) -> Checkpoint | None:
    """The newest readable checkpoint; damaged ones are reported and skipped."""
    for path in reversed(list_checkpoints(folder)):
        try:
            return load(path)
        except DAMAGED as err:
            log.warning("skipping damaged checkpoint %s: %s", path, err)
    return None


def capture(gan: Trainable) -> list[np.ndarray]:
    """Current values of every state variable (read as tensors first: a replicated scalar,
    ``train.distribution``, has no array form of its own)."""
    return [keras.ops.convert_to_numpy(keras.ops.convert_to_tensor(v)) for v in gan.variables]


def restore(gan: Trainable, values: list[np.ndarray]) -> None:
    """Assign saved values back; a different architecture is refused by shape."""
    variables = gan.variables
    if len(variables) != len(values):
        raise ValueError(f"checkpoint holds {len(values)} variables, the model {len(variables)}")
    for variable, value in zip(variables, values, strict=True):
        variable.assign(value)
