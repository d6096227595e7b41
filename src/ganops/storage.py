"""Writes that never leave half a file: the one place outputs reach the disk through.

Free of Kedro, so that training and the benchmark run where only the backend is installed."""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ganops.errors import StorageError


def _new_file_mode() -> int:
    """The mode ``open`` gives a new file under this process's umask (``mkstemp``'s is 0600)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


NEW_FILE_MODE = _new_file_mode()


def atomic_write(path: Path, write: Callable[[Path], object]) -> None:
    """Call ``write(tmp_path)`` then rename onto ``path``: readers never see half a file.

    The temporary file keeps ``path``'s suffix, for writers that insist on one (Keras). A
    write the disk refuses (full, file too large, no permission) is a ``StorageError`` naming
    ``path``; the file it would have replaced is intact.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(
            dir=path.parent, prefix=f".{path.name}.", suffix=f".tmp{path.suffix}"
        )
        os.close(fd)
    except OSError as err:
        raise storage_error(path, err) from err
    try:
        write(Path(tmp))
        os.chmod(tmp, NEW_FILE_MODE)
        os.replace(tmp, path)
    except OSError as err:
        raise storage_error(path, err) from err
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def save_model(model: Any, path: Path) -> None:
    """``model.save(path)`` atomically, in the same bytes for the same model.

    A ``.keras`` archive holds its save date, its weights file's time and Python object ids
    (``shared_object_id``, memory addresses), so two saves of identical weights differ and DVC
    would rerun every stage after an unchanged one; here the date is blanked, the times are
    the zip epoch and the ids are numbered in order of appearance (see ``renumbered``).
    """

    def write(tmp: Path) -> None:
        model.save(tmp)
        with zipfile.ZipFile(tmp) as archive:
            members = [(info, archive.read(info)) for info in archive.infolist()]
        with zipfile.ZipFile(tmp, "w") as archive:
            for info, data in members:
                if info.filename == "metadata.json":
                    data = json.dumps(json.loads(data) | {"date_saved": None}).encode()
                elif info.filename == "config.json":
                    data = json.dumps(renumbered(json.loads(data), {})).encode()
                fixed = zipfile.ZipInfo(info.filename)  # date_time: the zip epoch, 1980
                fixed.compress_type = info.compress_type
                archive.writestr(fixed, data)

    atomic_write(path, write)


def renumbered(node: Any, ids: dict[int, int]) -> Any:
    """``node`` with every ``shared_object_id`` replaced by its rank of first appearance, and
    none on dtype policies: a built model's layers share one policy object, a loaded model's
    have one each, and the same model would save to other bytes after a load."""
    if isinstance(node, dict):
        policy = str(node.get("class_name", "")).endswith("DTypePolicy")
        return {
            key: ids.setdefault(value, len(ids))
            if key == "shared_object_id"
            else renumbered(value, ids)
            for key, value in node.items()
            if not (policy and key == "shared_object_id")
        }
    if isinstance(node, list):
        return [renumbered(value, ids) for value in node]
    return node


def storage_error(path: Path, err: OSError) -> StorageError:
    """What a refused write says: the file, why, and that nothing was replaced."""
    why = err.strerror or str(err) or type(err).__name__
    return StorageError(
        f"{path}: cannot write ({why}): free some space (or fix the permissions) and run "
        "again; the previous file, if any, is intact"
    )
