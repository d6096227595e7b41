"""Writes that never leave half a file: the one place outputs reach the disk through.

Free of Kedro, so that training and the benchmark run where only the backend is installed."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from ganops.errors import StorageError


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
        os.replace(tmp, path)
    except OSError as err:
        raise storage_error(path, err) from err
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def storage_error(path: Path, err: OSError) -> StorageError:
    """What a refused write says: the file, why, and that nothing was replaced."""
    why = err.strerror or str(err) or type(err).__name__
    return StorageError(
        f"{path}: cannot write ({why}): free some space (or fix the permissions) and run "
        "again; the previous file, if any, is intact"
    )
