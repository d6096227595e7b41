"""Kedro datasets the project needs beyond kedro-datasets: arrays with metadata, folders."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
from kedro.io import AbstractDataset

from ganops.data.files import ZIP_ERRORS, first_line
from ganops.errors import DataError
from ganops.storage import atomic_write, save_model


def save_arrays(path: Path, data: dict[str, Any]) -> None:
    """Save a dict of arrays plus a JSON-able ``meta`` dict as one ``.npz``, atomically."""
    arrays = {k: np.asarray(v) for k, v in data.items() if k != "meta"}
    arrays["meta"] = np.asarray(json.dumps(data.get("meta", {})))

    def write(tmp: Path) -> None:
        with open(tmp, "wb") as f:
            np.savez_compressed(f, **arrays)

    atomic_write(Path(path), write)


def load_arrays(path: Path) -> dict[str, Any]:
    """Inverse of :func:`save_arrays`; a missing or corrupt file raises ``DataError``."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: no such file (run the pipeline that produces it first)")
    try:
        with np.load(path, allow_pickle=False) as npz:
            data = {k: npz[k] for k in npz.files}
        data["meta"] = json.loads(str(data.pop("meta", "{}")))
    except ZIP_ERRORS as err:  # a JSONDecodeError is a ValueError
        raise DataError(f"{path}: not a readable .npz file ({first_line(err)})") from err
    return data


class ArraysDataset(AbstractDataset[dict, dict]):
    """A dict of numpy arrays plus a ``meta`` dict, stored as one compressed ``.npz``."""

    def __init__(self, filepath: str, metadata: dict | None = None):
        self._filepath = Path(filepath)
        self.metadata = metadata

    def load(self) -> dict[str, Any]:
        return load_arrays(self._filepath)

    def save(self, data: dict[str, Any]) -> None:
        save_arrays(self._filepath, data)

    def _exists(self) -> bool:
        return self._filepath.is_file()

    def _describe(self) -> dict[str, Any]:
        return {"filepath": str(self._filepath)}


class DirectoryDataset(AbstractDataset[None, Path]):
    """A folder that a node writes into itself (checkpoints, live samples): loads as its Path."""

    def __init__(self, path: str, metadata: dict | None = None):
        self._path = Path(path)
        self.metadata = metadata

    def load(self) -> Path:
        return self._path  # created by whoever writes into it, so failures leave no folder

    def save(self, data: None) -> None:
        raise DataError(f"{self._path}: a directory dataset is load-only")

    def _exists(self) -> bool:
        return True

    def _describe(self) -> dict[str, Any]:
        return {"path": str(self._path)}


class KerasModelDataset(AbstractDataset["keras.Model", "keras.Model"]):
    """A Keras model in the native ``.keras`` format, written atomically (any backend)."""

    def __init__(self, filepath: str, metadata: dict | None = None):
        self._filepath = Path(filepath)
        self.metadata = metadata

    def load(self):
        import keras

        if not self._filepath.is_file():
            raise DataError(
                f"{self._filepath}: no such model file (run the pipeline that writes it first)"
            )
        return keras.saving.load_model(self._filepath)

    def save(self, model) -> None:
        save_model(model, self._filepath)

    def _exists(self) -> bool:
        return self._filepath.is_file()

    def _describe(self) -> dict[str, Any]:
        return {"filepath": str(self._filepath)}
