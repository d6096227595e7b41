"""Reading untrusted data files: each check lives in one place, and every failure is a DataError
that names the file (one line).

- ``open_regular``: the only way a reader opens a file; anything but a readable regular file
  (missing, a dangling or looping link, a directory, a FIFO that would block) is refused.
- ``read_regular``: a small file's bytes, through ``open_regular``.
- ``list_folder``: a folder's entries; a folder that vanishes or cannot be listed is refused.
- ``read_declared``: reads the bytes a header declares, in chunks, so a declared size is never
  allocated before the file shows it holds that many (and a gzip bomb is never inflated past
  it); a file holding fewer or more bytes is refused.
- ``read_npy``: a ``.npy`` array (an ``.npz`` member) of numbers, header length, dtype and
  shape checked before its data is read with ``read_declared``; never unpickled.
- ``open_image``: a decoded image of the formats the readers take, its declared pixel count
  checked against the file's size before decoding (and PIL's decompression bomb checks made
  errors).
"""

from __future__ import annotations

import io
import lzma
import math
import os
import stat
import tokenize
import warnings
import zipfile
import zlib
from pathlib import Path
from typing import BinaryIO

import numpy as np
from PIL import Image

from ganops.errors import DataError

CHUNK = 1 << 20  # bytes read at a time
NPY_MAGIC = b"\x93NUMPY"
NPY_MAX_HEADER = 10_000  # numpy's own limit on a header's length
NPY_KINDS = "biuf"  # bool, signed and unsigned integers, floats: no objects, strings, records
# what numpy's header parser (ast.literal_eval, then tokenize for Python 2 headers) raises
NPY_HEADER_ERRORS = (ValueError, TypeError, SyntaxError, RecursionError, tokenize.TokenError)
IMAGE_FORMATS = ("PNG", "JPEG", "BMP", "GIF", "WEBP")  # those of IMAGE_SUFFIXES
# An image may declare at most PIXELS_PER_BYTE pixels per byte of its file, and any file
# MIN_PIXEL_BOUND (2048 x 2048). Only one-colour images come near: ~1,000 as a gray PNG, ~8,000
# as a 1-bit PNG, ~24,000 as a lossless WebP (refused past 2048 x 2048).
PIXELS_PER_BYTE = 1 << 13
MIN_PIXEL_BOUND = 1 << 22
IMAGE_ERRORS = (
    OSError,  # includes PIL's UnidentifiedImageError and truncated-file errors
    ValueError,
    SyntaxError,
    EOFError,
    Image.DecompressionBombError,
    Image.DecompressionBombWarning,
)
ZIP_ERRORS = (  # reading an .npz
    *(zipfile.BadZipFile, zlib.error, lzma.LZMAError, OSError, EOFError, ValueError),
    NotImplementedError,  # an unknown compression method
    RuntimeError,  # an encrypted member
)


def first_line(exc: BaseException) -> str:
    """An exception's message, first line only (some span several), or its type's name."""
    return next(iter(str(exc).splitlines()), "") or type(exc).__name__


def _kind(mode: int) -> str:
    """What a non-regular file is, in words."""
    if stat.S_ISDIR(mode):
        return "a directory"
    return "a FIFO" if stat.S_ISFIFO(mode) else "a special file"


def open_regular(path: Path) -> BinaryIO:
    """Open a regular file for reading: it is opened non-blocking and checked after opening, so
    a FIFO never blocks and a file swapped after a check is still refused."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as exc:
        raise DataError(f"{path}: cannot open ({exc.strerror or exc})") from exc
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise DataError(f"{path}: is {_kind(mode)}, not a regular file")
    return os.fdopen(fd, "rb")


def read_regular(path: Path) -> bytes:
    """A (small) regular file's bytes."""
    with open_regular(path) as fh:
        try:
            return fh.read()
        except OSError as exc:
            raise DataError(f"{path}: cannot read ({exc.strerror or exc})") from exc


def list_folder(folder: Path) -> list[Path]:
    """A folder's entries, sorted."""
    try:
        return sorted(folder.iterdir())
    except OSError as exc:
        raise DataError(f"{folder}: cannot list the folder ({exc.strerror or exc})") from exc


def read_declared(fh: BinaryIO, dims: tuple[int, ...], itemsize: int, where: str) -> bytearray:
    """Read exactly the prod(dims) * itemsize bytes a header declares, a chunk at a time (memory
    grows only with what the file really holds); fewer or more bytes raise DataError."""
    want, data = math.prod(dims) * itemsize, bytearray()
    while len(data) <= want:
        chunk = fh.read(min(CHUNK, want + 1 - len(data)))
        if not chunk:
            break
        data += chunk
    if len(data) != want:
        size = "×".join(map(str, dims + ((itemsize,) if itemsize != 1 else ()))) or "1"
        held = f"more than {want}" if len(data) > want else str(len(data))
        raise DataError(f"{where}: declares {size} bytes but holds {held}")
    return data


def _read_exactly(fh: BinaryIO, size: int, where: str, what: str) -> bytes:
    """Read ``size`` bytes (a small header field) or raise DataError."""
    data = fh.read(size)
    if len(data) != size:
        raise DataError(f"{where}: truncated {what} ({len(data)} of {size} bytes)")
    return data


def _npy_header(fh: BinaryIO, where: str) -> tuple[tuple[int, ...], bool, np.dtype]:
    """A .npy header's (shape, fortran_order, dtype), its length bounded before it is read."""
    start = _read_exactly(fh, 8, where, ".npy header")
    if start[:6] != NPY_MAGIC:
        raise DataError(f"{where}: not a .npy array (no NUMPY magic)")
    if start[6:] not in (b"\x01\x00", b"\x02\x00"):
        raise DataError(f"{where}: unsupported .npy version {start[6]}.{start[7]}")
    length_field = _read_exactly(fh, 2 if start[6] == 1 else 4, where, ".npy header")
    length = int.from_bytes(length_field, "little")
    if length > NPY_MAX_HEADER:
        raise DataError(f"{where}: .npy header of {length} bytes (at most {NPY_MAX_HEADER})")
    header = io.BytesIO(length_field + _read_exactly(fh, length, where, ".npy header"))
    fmt = np.lib.format
    read = fmt.read_array_header_1_0 if start[6] == 1 else fmt.read_array_header_2_0
    try:
        shape, fortran, dtype = read(header)
    except NPY_HEADER_ERRORS as exc:
        raise DataError(f"{where}: bad .npy header ({first_line(exc)})") from exc
    if not all(type(d) is int and d >= 0 for d in shape):
        raise DataError(f"{where}: bad .npy shape {shape}")
    if dtype.kind not in NPY_KINDS:
        raise DataError(f"{where}: dtype {dtype} is not bool, integer or float")
    return shape, fortran, dtype


def read_npy(fh: BinaryIO, where: str) -> np.ndarray:
    """A .npy array of numbers (see ``_npy_header``), its data read with ``read_declared``."""
    shape, fortran, dtype = _npy_header(fh, where)
    data = read_declared(fh, shape, dtype.itemsize, where)
    return np.frombuffer(data, dtype).reshape(shape, order="F" if fortran else "C")


def _check_pixels(path: Path, img: Image.Image, size: int) -> None:
    """Refuse an image declaring more pixels than a file of ``size`` bytes can hold."""
    w, h = img.size
    if w * h > max(MIN_PIXEL_BOUND, PIXELS_PER_BYTE * size):
        raise DataError(f"{path}: declares {w}x{h} pixels but holds only {size} bytes")


def open_image(path: Path) -> Image.Image:
    """Open and fully decode an image (PNG, JPEG, BMP, GIF or WebP, whatever its suffix). PIL
    reads from the file's bytes in memory: a declared chunk length is then never allocated."""
    data = read_regular(path)
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data), formats=IMAGE_FORMATS) as img:
                _check_pixels(path, img, len(data))
                img.load()
                return img
        except DataError:
            raise
        except Image.UnidentifiedImageError as exc:
            kinds = "/".join(IMAGE_FORMATS)
            raise DataError(f"{path}: cannot read image (not a {kinds} file)") from exc
        except IMAGE_ERRORS as exc:
            raise DataError(f"{path}: cannot read image ({first_line(exc)})") from exc
