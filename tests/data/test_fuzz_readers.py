"""Fuzzed readers: every file reader of ganops.data.sources, given random, truncated or mutated
bytes, odd dtypes and image modes, wrong archive members, or paths that are not readable regular
files, returns a well-formed dataset or raises DataError: no other exception, no hang, no
allocation from a declared size, and nothing written.

Examples are derandomized (no database, no deadline; ``outcome`` guards time itself), so a run
is the same every time; truncations at every offset of a small valid file are plain loops."""

import functools
import gzip
import io
import json
import os
import shutil
import signal
import stat
import struct
import sys
import tempfile
import tracemalloc
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from PIL import Image
from test_sources import TEST_X, TEST_Y, TRAIN_X, TRAIN_Y, idx_bytes, make_idx_folder

from ganops.data.sources import (
    read_cyclegan,
    read_idx,
    read_image_folder,
    read_npz,
    read_paired_folders,
    read_pix2pix,
    read_unpaired_folders,
)
from ganops.errors import ConfigError, DataError

settings.register_profile(
    "fuzz-readers",
    derandomize=True,
    database=None,
    deadline=None,  # outcome's TIME_LIMIT_S guards each call instead
    max_examples=200,
    suppress_health_check=[HealthCheck.too_slow],
)
FUZZ = settings.get_profile("fuzz-readers")

TIME_LIMIT_S = 10  # a reader still running on a tiny file after this long is hung
MEMORY_LIMIT = 64 << 20  # peak bytes traced (Python and numpy) while reading one tiny input

# ---------------------------------------------------------------------------- the guard

WRITE_EVENTS = frozenset(
    [
        *("os.remove", "os.rename", "os.mkdir", "os.rmdir", "os.chmod", "os.chown", "os.link"),
        *("os.symlink", "os.truncate", "os.utime", "shutil.copyfile", "shutil.copytree"),
        *("shutil.move", "shutil.rmtree", "tempfile.mkstemp", "tempfile.mkdtemp"),
    ]
)
WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC
# While a reader runs: what it wrote, and a path to make vanish or refuse when it is opened.
WATCH: dict[str, Any] = {"writes": None, "vanish": None, "deny": None}


def _on_audit(event: str, args: tuple) -> None:
    """Record writes while WATCH is on; make WATCH's path vanish, or refuse it, on its opening."""
    if WATCH["writes"] is None:
        return
    if event in ("open", "os.listdir", "os.scandir") and args and args[0] is not None:
        target = os.fspath(args[0]) if isinstance(args[0], (str, Path)) else None
        if target is not None and target == WATCH["deny"]:
            raise PermissionError(13, "Permission denied", target)
        if target is not None and target == WATCH["vanish"]:
            writes, WATCH["writes"], WATCH["vanish"] = WATCH["writes"], None, None
            try:  # the test's own removal, not the reader's
                shutil.rmtree(target) if os.path.isdir(target) else os.unlink(target)
            finally:
                WATCH["writes"] = writes
            return
    if event == "open" and len(args) > 2 and isinstance(args[2], int) and args[2] & WRITE_FLAGS:
        WATCH["writes"].append((event, args[0]))
    elif event in WRITE_EVENTS:
        WATCH["writes"].append((event, args))


sys.addaudithook(_on_audit)  # inert (one dict lookup) outside outcome


class Hung(BaseException):
    """A reader ran past TIME_LIMIT_S (BaseException: no reader's handler can swallow it)."""


def _hung(signum: int, frame: Any) -> None:
    raise Hung(f"reader still running after {TIME_LIMIT_S} s")


def snapshot(root: Path) -> dict[str, tuple[int, int, int]]:
    """Every entry under root, links not followed: its type, size and mtime."""
    entries = {}
    for folder, dirs, files in os.walk(root):
        for name in [".", *dirs, *files]:
            st_ = os.lstat(os.path.join(folder, name))
            key = os.path.relpath(os.path.join(folder, name), root)
            entries[key] = (stat.S_IFMT(st_.st_mode), st_.st_size, st_.st_mtime_ns)
    return entries


def check_dataset(data: dict[str, Any]) -> None:
    """A raw image dataset must be well formed: uint8 (N, H, W, C) images, N >= 1, C in {1, 3},
    every per-image array aligned with them, and JSON meta."""
    x = data["x"]
    assert isinstance(x, np.ndarray) and x.dtype == np.uint8 and x.ndim == 4, x
    assert len(x) >= 1 and min(x.shape[1:3]) >= 1 and x.shape[3] in (1, 3), x.shape
    for key, dtype in (("y", np.int64), ("domain", np.int64), ("is_test", np.bool_)):
        if key in data:
            assert data[key].dtype == dtype and data[key].shape == (len(x),), key
    if "domain" in data:
        assert set(np.unique(data["domain"]).tolist()) <= {0, 1}
    if "source" in data:
        source = data["source"]
        assert source.dtype == np.uint8 and source.ndim == 4 and len(source) == len(x)
    meta = data["meta"]
    assert json.loads(json.dumps(meta)) == meta
    assert meta["kind"] == "images" and meta["value_range"] == [0, 255]


def outcome(
    reader: Callable[[Path], dict[str, Any]],
    path: Path,
    vanish: Path | None = None,
    deny: Path | None = None,
) -> dict[str, Any] | DataError:
    """reader(path): its dataset (checked well formed) or the DataError it raised. Anything
    else fails the test: another exception, a run past TIME_LIMIT_S, a traced peak over
    MEMORY_LIMIT, a write, or a change to the files around ``path``. ``vanish`` is removed when
    the reader opens or lists it (and expected gone); opening ``deny`` fails with EACCES."""
    root = Path(path).parent

    def kept(key: str) -> bool:  # vanish's parent loses an entry
        return vanish is None or not (
            Path(root, key).is_relative_to(vanish) or Path(root, key) == vanish.parent
        )

    before = {k: v for k, v in snapshot(root).items() if kept(k)}
    WATCH.update(writes=[], vanish=vanish and str(vanish), deny=deny and str(deny))
    previous = signal.signal(signal.SIGALRM, _hung)
    signal.setitimer(signal.ITIMER_REAL, TIME_LIMIT_S)
    tracing = tracemalloc.is_tracing()  # e.g. under python -X tracemalloc: leave it on
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    tracemalloc.reset_peak()
    try:
        result: dict[str, Any] | DataError = reader(path)
    except DataError as exc:
        result = exc
    finally:
        peak = tracemalloc.get_traced_memory()[1] - base
        if not tracing:
            tracemalloc.stop()
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        writes = WATCH["writes"]
        WATCH.update(writes=None, vanish=None, deny=None)
    assert not writes, f"the reader wrote: {writes}"
    after = {k: v for k, v in snapshot(root).items() if kept(k)}
    assert after == before, "the reader changed the files it read"
    assert peak < MEMORY_LIMIT, f"reading {path} traced a peak of {peak} bytes"
    if isinstance(result, DataError):
        message = str(result)
        assert "\n" not in message and message.strip(), message
    else:
        check_dataset(result)
    return result


def refused(result: dict[str, Any] | DataError, *fragments: str) -> None:
    """The outcome was a DataError whose message holds every fragment."""
    assert isinstance(result, DataError), "expected a DataError, got a dataset"
    for fragment in fragments:
        assert fragment in str(result), f"{fragment!r} not in {result}"


# ---------------------------------------------------------------------------- valid inputs


def image_bytes(fmt: str = "PNG", mode: str = "L", size=(4, 2), value: int = 90) -> bytes:
    """A small image in memory: a horizontal ramp from ``value``, so halves differ."""
    w, h = size
    ramp = (np.arange(w * h).reshape(h, w) * 7 + value) % 256
    img = Image.fromarray(ramp.astype(np.uint8), "L").convert(mode)
    buffer = io.BytesIO()
    img.save(buffer, format=fmt)
    return buffer.getvalue()


def npz_bytes(compressed: bool = False, **arrays: np.ndarray) -> bytes:
    """An .npz archive in memory (by default a small labelled x_train)."""
    arrays = arrays or {
        "x_train": np.arange(12, dtype=np.uint8).reshape(2, 3, 2),
        "y_train": np.array([1, 0], np.uint8),
    }
    buffer = io.BytesIO()
    (np.savez_compressed if compressed else np.savez)(buffer, **arrays)
    return buffer.getvalue()


def _unpaired(path: Path) -> dict[str, Any]:
    return read_unpaired_folders(path / "a", path / "b")


# name: (reader, its files relative to the path it is given); the first file is the one fuzzed
IMAGE_LAYOUTS: dict[str, tuple[Callable[[Path], dict[str, Any]], tuple[str, ...]]] = {
    "image_folder": (read_image_folder, ("c0/a.png", "c1/b.png")),
    "pix2pix": (functools.partial(read_pix2pix, direction="AtoB"), ("train/a.png", "val/b.png")),
    "paired_folders": (
        functools.partial(read_paired_folders, direction="BtoA"),
        ("A/a.png", "B/a.png"),
    ),
    "cyclegan": (read_cyclegan, ("trainA/a.png", "trainB/b.png")),
    "unpaired_folders": (_unpaired, ("a/a.png", "b/b.png")),
}
READERS = ("idx", "npz", *IMAGE_LAYOUTS)


def build(name: str, root: Path) -> tuple[Callable[[Path], dict[str, Any]], Path, Path]:
    """Write a small valid input for reader ``name`` under root; return the reader, the path
    to give it and the input's first data file (the one to fuzz)."""
    if name == "idx":
        make_idx_folder(root / "in", n_train=2)
        return read_idx, root / "in", root / "in" / TRAIN_X
    if name == "npz":
        (root / "in.npz").write_bytes(npz_bytes())
        return read_npz, root / "in.npz", root / "in.npz"
    reader, files = IMAGE_LAYOUTS[name]
    for i, rel in enumerate(files):
        (root / "in" / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / "in" / rel).write_bytes(image_bytes(value=40 * i))
    return reader, root / "in", root / "in" / files[0]


def fuzz_file(name: str, content: bytes) -> dict[str, Any] | DataError:
    """Outcome of reader ``name`` on its valid input whose first file now holds ``content``."""
    with tempfile.TemporaryDirectory() as tmp:
        reader, path, target = build(name, Path(tmp))
        target.write_bytes(content)
        return outcome(reader, path)


@pytest.mark.parametrize("name", READERS)
def test_valid_inputs_are_read(tmp_path, name):
    reader, path, _ = build(name, tmp_path)
    data = outcome(reader, path)
    assert not isinstance(data, DataError), data
    assert len(data["x"]) == (1 if name == "paired_folders" else 2)  # one A/B pair


# ---------------------------------------------------------------------------- truncations


@pytest.mark.parametrize("gz", [False, True])
@pytest.mark.parametrize("name", [TRAIN_X, TRAIN_Y])
def test_idx_truncated_at_every_offset(tmp_path, name, gz):
    make_idx_folder(tmp_path / "in", n_train=2, gz=gz)
    target = tmp_path / "in" / (name + (".gz" if gz else ""))
    whole = target.read_bytes()
    for end in range(len(whole)):
        target.write_bytes(whole[:end])
        refused(outcome(read_idx, tmp_path / "in"), target.name)
    target.write_bytes(whole)
    assert not isinstance(outcome(read_idx, tmp_path / "in"), DataError)


@pytest.mark.parametrize("compressed", [False, True])
def test_npz_truncated_at_every_offset(tmp_path, compressed):
    whole, target = npz_bytes(compressed), tmp_path / "in.npz"
    for end in range(len(whole)):
        target.write_bytes(whole[:end])
        refused(outcome(read_npz, target), "in.npz")


SMALL_IMAGES = {  # a small valid file of each format the image readers take
    fmt: image_bytes(fmt, "RGB" if fmt == "BMP" else "L")  # a gray BMP has a 1 kB palette
    for fmt in ("PNG", "BMP", "GIF", "JPEG", "WEBP")
}


@pytest.mark.parametrize("fmt", SMALL_IMAGES)
def test_image_truncated_at_every_offset(tmp_path, fmt):
    reader, path, target = build("image_folder", tmp_path)
    whole = SMALL_IMAGES[fmt]
    for end in range(len(whole)):
        target.write_bytes(whole[:end])
        outcome(reader, path)
    target.write_bytes(whole)
    assert not isinstance(outcome(reader, path), DataError)


# ---------------------------------------------------------------------------- IDX


@st.composite
def mutations(draw: st.DrawFn, valid: bytes) -> bytes:
    """``valid`` with one to four spans of up to four bytes replaced by up to four random bytes
    (overwritten, inserted or deleted), then maybe cut short."""
    data = bytearray(valid)
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(data)))
        data[at : at + draw(st.integers(0, 4))] = draw(st.binary(max_size=4))
    return bytes(data[: draw(st.one_of(st.none(), st.integers(0, len(data))))])


def fuzz_idx(name: str, content: bytes, gz: bool, compress: bool = True) -> Any:
    """Outcome of read_idx on a valid (raw or gzipped) train pair whose file ``name`` now holds
    ``content`` (gzipped first when ``gz`` and ``compress``)."""
    with tempfile.TemporaryDirectory() as tmp:
        make_idx_folder(Path(tmp) / "in", n_train=2, gz=gz)
        target = Path(tmp) / "in" / (name + (".gz" if gz else ""))
        target.write_bytes(gzip.compress(content, mtime=0) if gz and compress else content)
        return outcome(read_idx, Path(tmp) / "in")


DIM = st.one_of(st.integers(0, 6), st.sampled_from([2**31, 2**32 - 1]), st.integers(0, 2**32 - 1))


@settings(FUZZ, max_examples=600)
@given(
    magic=st.one_of(st.just(0), st.integers(0, 0xFFFF)),
    code=st.one_of(st.just(8), st.integers(0, 255)),
    ndim=st.one_of(st.just(3), st.integers(0, 255)),
    dims=st.lists(DIM, min_size=0, max_size=5),
    gz=st.booleans(),
    data=st.data(),
)
def test_idx_header_fields(magic, code, ndim, dims, gz, data):
    declared = int(np.prod(dims, dtype=object)) if dims else 1
    exact = st.just(bytes(declared)) if declared <= 256 else st.nothing()
    payload = data.draw(st.one_of(exact, st.binary(max_size=64)))
    header = struct.pack(">HBB", magic, code, ndim) + b"".join(struct.pack(">I", d) for d in dims)
    result = fuzz_idx(TRAIN_X, header + payload, gz)
    well_formed = (magic, code, ndim, len(dims)) == (0, 8, 3, 3) and dims[0] == 2
    if well_formed and min(dims) >= 1 and len(payload) == declared:
        assert not isinstance(result, DataError), result
        assert result["x"].shape == (2, dims[1], dims[2], 1)
    else:
        refused(result, TRAIN_X)


@settings(FUZZ, max_examples=400)
@given(
    name=st.sampled_from([TRAIN_X, TRAIN_Y]),
    content=st.one_of(
        st.binary(max_size=128),
        mutations(idx_bytes(np.zeros((2, 5, 4), np.uint8))),
        mutations(gzip.compress(idx_bytes(np.zeros((2, 5, 4), np.uint8)), mtime=0)),
    ),
    gz=st.booleans(),
)
def test_idx_random_and_mutated_bytes(name, content, gz):
    fuzz_idx(name, content, gz, compress=False)


def test_idx_huge_declared_sizes_are_refused_before_reading(tmp_path):
    make_idx_folder(tmp_path / "in", n_train=2)
    target = tmp_path / "in" / TRAIN_X
    target.write_bytes(struct.pack(">HBBIII", 0, 8, 3, 60000, 28, 28) + bytes(1234))
    refused(outcome(read_idx, tmp_path / "in"), TRAIN_X, "declares 60000×28×28 bytes", "1234")
    target.write_bytes(struct.pack(">HBBIII", 0, 8, 3, 2**32 - 1, 2**32 - 1, 2**32 - 1))
    refused(outcome(read_idx, tmp_path / "in"), TRAIN_X, "declares")


def test_idx_gzip_bomb_is_not_decompressed(tmp_path):
    make_idx_folder(tmp_path / "in", n_train=2, gz=True)
    header = struct.pack(">HBBIII", 0, 8, 3, 2, 5, 4)
    bomb = zlib.compressobj(9, zlib.DEFLATED, 31)  # gzip framing
    zeros = bytes(1 << 20)
    chunks = [bomb.compress(header)] + [bomb.compress(zeros) for _ in range(96)]
    (tmp_path / "in" / f"{TRAIN_X}.gz").write_bytes(b"".join(chunks) + bomb.flush())
    refused(outcome(read_idx, tmp_path / "in"), TRAIN_X, "declares 2×5×4 bytes")


def test_idx_test_pair_is_fuzzed_too(tmp_path):
    make_idx_folder(tmp_path / "in", n_train=2, n_test=1)
    (tmp_path / "in" / TEST_Y).write_bytes(b"\x00\x00\x08\x01\x00")
    refused(outcome(read_idx, tmp_path / "in"), TEST_Y)
    (tmp_path / "in" / TEST_Y).write_bytes(idx_bytes(np.zeros(1, np.uint8)))
    (tmp_path / "in" / TEST_X).write_bytes(idx_bytes(np.zeros((1, 0, 4), np.uint8)))
    refused(outcome(read_idx, tmp_path / "in"), TEST_X)


# ---------------------------------------------------------------------------- npz


def npy_bytes(descr: Any, fortran: Any, shape: Any, data: bytes, version=(1, 0)) -> bytes:
    """A .npy file whose header holds exactly the given values (valid or not)."""
    text = f"{{'descr': {descr!r}, 'fortran_order': {fortran!r}, 'shape': {shape!r}, }}"
    text += " " * (63 - (len(text) + 10) % 64) + "\n"
    length = struct.pack("<H" if version == (1, 0) else "<I", len(text))
    return b"\x93NUMPY" + bytes(version) + length + text.encode("latin1") + data


def zip_bytes(members: dict[str, bytes], method: int = zipfile.ZIP_STORED) -> bytes:
    """A zip archive of the given members."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as zf:
        for name, content in members.items():
            zf.writestr(name, content)
    return buffer.getvalue()


def fuzz_npz(content: bytes) -> dict[str, Any] | DataError:
    """Outcome of read_npz on an .npz file holding ``content``."""
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "in.npz").write_bytes(content)
        return outcome(read_npz, Path(tmp) / "in.npz")


DESCRS = [
    "|u1", "<u2", ">u2", "<i8", ">i4", "<u8", "<f2", "<f4", ">f8", "|b1", "<c16", "|O", "<U3",
    "|S2", "|S0", "|V0", "|V4", "<M8[s]", "<m8[D]", [("a", "|u1")], [("a", "|O")],
    ("|u1", (2,)), [("a", "|u1", (2,))], "nonsense", 3, None, [], [("a",)],
]  # fmt: skip
SHAPE = st.one_of(
    st.lists(
        st.one_of(st.integers(0, 4), st.sampled_from([-1, 2**31, 2**62, 2**64])), max_size=4
    ).map(tuple),
    st.sampled_from([[2, 3, 2], "2,3", None, (2.0, 3), (True,)]),
)


@settings(FUZZ, max_examples=800)
@given(
    member=st.sampled_from(["x_train.npy", "y_train.npy", "x_test.npy"]),
    descr=st.sampled_from(DESCRS),
    fortran=st.sampled_from([False, True, 1, "no"]),
    shape=SHAPE,
    version=st.sampled_from([(1, 0), (2, 0), (3, 0), (0, 9)]),
    data=st.data(),
    compressed=st.booleans(),
)
def test_npz_npy_header_fields(member, descr, fortran, shape, version, data, compressed):
    try:
        itemsize = np.dtype(descr).itemsize
        declared = int(np.prod(shape, dtype=object)) * itemsize
    except (TypeError, ValueError):
        declared = -1
    exact = st.just(bytes(declared)) if 0 <= declared <= 512 else st.nothing()
    payload = data.draw(st.one_of(exact, st.binary(max_size=64)))
    members = {
        "x_train.npy": npy_bytes("|u1", False, (2, 3, 2), bytes(12)),
        "y_train.npy": npy_bytes("<i8", False, (2,), bytes(16)),
        "x_test.npy": npy_bytes("|u1", False, (1, 3, 2), bytes(6)),
        "y_test.npy": npy_bytes("<i8", False, (1,), bytes(8)),
    }
    members[member] = npy_bytes(descr, fortran, shape, payload, version)
    fuzz_npz(zip_bytes(members, zipfile.ZIP_DEFLATED if compressed else zipfile.ZIP_STORED))


@settings(FUZZ, max_examples=600)
@given(
    content=st.one_of(
        st.binary(max_size=256), mutations(npz_bytes()), mutations(npz_bytes(compressed=True))
    )
)
def test_npz_random_and_mutated_bytes(content):
    fuzz_npz(content)


VALID_NPY = npy_bytes("|u1", False, (2, 3, 2), bytes(12))


@settings(FUZZ, max_examples=500)
@given(npy=mutations(VALID_NPY), compressed=st.booleans())
@example(npy=VALID_NPY.replace(b"False", b"Fadse"), compressed=False)  # numpy's TokenError
def test_npz_mutated_npy_member(npy, compressed):
    method = zipfile.ZIP_DEFLATED if compressed else zipfile.ZIP_STORED
    fuzz_npz(zip_bytes({"x_train.npy": npy}, method))


def _central_entries(data: bytes) -> list[int]:
    """Offsets of a zip's central directory entries."""
    offsets, at = [], data.find(b"PK\x01\x02")
    while at >= 0:
        offsets.append(at)
        at = data.find(b"PK\x01\x02", at + 4)
    return offsets


# central directory entry fields: (offset in the entry, struct format)
CENTRAL_FIELDS = {"flags": (8, "<H"), "method": (10, "<H"), "crc": (16, "<I"),
                  "compress_size": (20, "<I"), "file_size": (24, "<I"),
                  "header_offset": (42, "<I")}  # fmt: skip
FIELD_VALUES = [
    ("flags", 0x1),  # encrypted
    ("flags", 0x40),  # strong encryption
    ("method", 1),
    ("method", 12),  # bzip2
    ("method", 14),  # lzma
    ("method", 99),  # AES
    ("method", 0xFFFF),
    ("crc", 0),
    ("compress_size", 0),
    ("compress_size", 0xFFFFFFF0),
    ("file_size", 0),
    ("file_size", 5),
    ("file_size", 0xFFFFFFF0),
    ("header_offset", 7),
    ("header_offset", 0xFFFFFFF0),
]


@pytest.mark.parametrize("compressed", [False, True])
@pytest.mark.parametrize(("field", "value"), FIELD_VALUES)
def test_npz_zip_header_fields(compressed, field, value):
    data = bytearray(npz_bytes(compressed))
    where, fmt = CENTRAL_FIELDS[field]
    for entry in _central_entries(bytes(data)):
        struct.pack_into(fmt, data, entry + where, value)
    fuzz_npz(bytes(data))


def test_npz_huge_declared_shapes_are_refused_before_reading():
    big = npy_bytes("<f4", False, (60000, 28, 28), bytes(12))
    refused(fuzz_npz(zip_bytes({"x_train.npy": big})), "x_train", "declares 60000×28×28×4 bytes")
    huge = npy_bytes("|u1", False, (2**62, 2**62, 2**62), b"")
    refused(fuzz_npz(zip_bytes({"x_train.npy": huge})), "x_train", "declares")
    negative = npy_bytes("|u1", False, (-2, 3, 2), bytes(12))
    refused(fuzz_npz(zip_bytes({"x_train.npy": negative})), "x_train")
    header_bomb = b"\x93NUMPY\x02\x00" + struct.pack("<I", 2**32 - 1) + bytes(64)
    refused(fuzz_npz(zip_bytes({"x_train.npy": header_bomb})), "x_train")


def test_npz_deflate_bomb_member_is_not_read_past_its_declared_size():
    big = npy_bytes("|u1", False, (2, 3, 2), bytes(12) + bytes(96 << 20))
    refused(fuzz_npz(zip_bytes({"x_train.npy": big}, zipfile.ZIP_DEFLATED)), "x_train")


ODD_ARRAYS = {
    "object": np.array([[[1]], [[2]]], dtype=object),
    "complex": np.zeros((2, 3, 2), np.complex128),
    "strings": np.full((2, 3, 2), "ab"),
    "bytes": np.full((2, 3, 2), b"ab"),
    "structured": np.zeros((2, 3, 2), [("a", "u1"), ("b", "f4")]),
    "float16": np.full((2, 3, 2), 0.5, np.float16),
    "bool": np.ones((2, 3, 2), bool),
    "big-endian int": np.full((2, 3, 2), 7, ">u2"),
    "big-endian float": np.full((2, 3, 2), 0.25, ">f8"),
    "datetime": np.zeros((2, 3, 2), "M8[s]"),
    "fortran": np.asfortranarray(np.arange(12, dtype=np.uint8).reshape(2, 3, 2)),
    "huge floats": np.full((2, 3, 2), 1e30),
    "uint64 beyond int64": np.full((2, 3, 2), 2**64 - 1, np.uint64),
    "zero height": np.zeros((2, 0, 2), np.uint8),
    "no images": np.zeros((0, 3, 2), np.uint8),
    "scalar": np.array(3, np.uint8),
}


READABLE = {  # the odd arrays each key takes, and the x they give
    "x_train": {
        "float16": np.full((2, 3, 2), 128, np.uint8),  # rint(0.5 * 255)
        "big-endian int": np.full((2, 3, 2), 7, np.uint8),
        "big-endian float": np.full((2, 3, 2), 64, np.uint8),  # rint(0.25 * 255)
        "fortran": ODD_ARRAYS["fortran"],
    },
    "y_train": {"big-endian int": None, "fortran": None},
}


@pytest.mark.parametrize("key", ["x_train", "y_train"])
@pytest.mark.parametrize("kind", ODD_ARRAYS)
def test_npz_odd_dtypes(key, kind):
    array = ODD_ARRAYS[kind]
    if key == "y_train":
        array = array.reshape(-1)[:2] if array.size >= 2 else array
    arrays = {"x_train": np.zeros((2, 3, 2), np.uint8), "y_train": np.zeros(2, np.int64)}
    buffer = io.BytesIO()
    np.savez(buffer, **{**arrays, key: array})  # object arrays are pickled
    result = fuzz_npz(buffer.getvalue())
    if kind in READABLE[key]:
        assert not isinstance(result, DataError), result
        if key == "x_train":
            np.testing.assert_array_equal(result["x"][..., 0], READABLE[key][kind])
    else:
        refused(result, "in.npz", key)


NPZ_MEMBERS = {
    "no x_train": {"images.npy": npy_bytes("|u1", False, (2, 3, 2), bytes(12))},
    "extra members": {
        "x_train.npy": npy_bytes("|u1", False, (2, 3, 2), bytes(12)),
        "notes.npy": npy_bytes("<U3", False, (1,), bytes(12)),
        "extra.npy": npy_bytes("|u1", False, (1,), bytes(1)),
    },
    "x_train not .npy": {"x_train": npy_bytes("|u1", False, (2, 3, 2), bytes(12))},
    "text member": {
        "x_train.npy": npy_bytes("|u1", False, (2, 3, 2), bytes(12)),
        "readme.txt": b"hello",
    },
    "not an array": {"x_train.npy": b"this is not an npy file"},
    "directory": {"x_train.npy/": b"", "x_train.npy": npy_bytes("|u1", False, (2, 3, 2), b"")},
    "nested": {"sub/x_train.npy": npy_bytes("|u1", False, (2, 3, 2), bytes(12))},
    "twice": {"x_train.npy": npy_bytes("|u1", False, (2, 3, 2), bytes(12))},
    "trailing bytes": {"x_train.npy": npy_bytes("|u1", False, (2, 3, 2), bytes(20))},
    "pickled": {"x_train.npy": npy_bytes("|O", False, (2,), b"\x80\x04K\x01.")},
    "empty": {},
}


@pytest.mark.parametrize("kind", NPZ_MEMBERS)
def test_npz_wrong_members(kind):
    content = zip_bytes(NPZ_MEMBERS[kind])
    if kind == "twice":
        buffer = io.BytesIO(content)
        with zipfile.ZipFile(buffer, "a") as zf, pytest.warns(UserWarning, match="Duplicate"):
            zf.writestr("x_train.npy", npy_bytes("|u1", False, (1, 3, 2), bytes(6)))
        content = buffer.getvalue()
    result = fuzz_npz(content)
    if kind == "extra members":
        assert not isinstance(result, DataError) and result["x"].shape == (2, 3, 2, 1)
    else:
        refused(result, "in.npz")


def test_npz_single_npy_is_refused():
    refused(fuzz_npz(npy_bytes("|u1", False, (2, 3, 2), bytes(12))), "in.npz")


# ---------------------------------------------------------------------------- images


def png_declaring(width: int, height: int, idat: bytes = zlib.compress(bytes(64))) -> bytes:
    """A PNG whose header declares width x height 8-bit gray pixels, with little data."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


OTHER_FORMATS = {  # content of another format under an image suffix
    fmt: image_bytes(fmt, mode) for fmt, mode in [("TIFF", "L"), ("PPM", "L"), ("TGA", "L"),
        ("ICO", "RGBA"), ("PCX", "L"), ("SGI", "L"), ("DDS", "RGBA"), ("IM", "L")]
}  # fmt: skip


@settings(FUZZ, max_examples=300)
@given(
    name=st.sampled_from(list(IMAGE_LAYOUTS)),
    content=st.one_of(
        st.binary(max_size=200),
        st.sampled_from(list(SMALL_IMAGES.values())).flatmap(mutations),
        st.sampled_from(list(OTHER_FORMATS.values())),
    ),
)
def test_image_readers_random_and_mutated_bytes(name, content):
    fuzz_file(name, content)


@settings(FUZZ, max_examples=400)
@given(content=st.sampled_from(list(SMALL_IMAGES.values())).flatmap(mutations))
@example(content=SMALL_IMAGES["PNG"][:33] + b"\x03" + SMALL_IMAGES["PNG"][34:])  # IDAT of 50 MB
def test_image_mutated_headers(content):
    fuzz_file("image_folder", content)


@pytest.mark.parametrize(
    ("width", "height"), [(100_000, 100_000), (9_000, 9_000), (4_000, 4_000), (2**31 - 1, 1)]
)
def test_image_declaring_more_pixels_than_it_holds_is_refused(width, height):
    refused(fuzz_file("image_folder", png_declaring(width, height)), "c0/a.png")


def test_webp_canvas_declaring_more_than_it_holds_is_refused():
    frames = [Image.new("RGB", (16, 16), c) for c in ("red", "green")]
    buffer = io.BytesIO()
    frames[0].save(buffer, "WEBP", save_all=True, append_images=frames[1:])
    data = bytearray(buffer.getvalue())
    at = data.index(b"VP8X") + 12  # canvas width - 1 and height - 1, 24 bits each
    data[at : at + 6] = (3999).to_bytes(3, "little") * 2
    refused(fuzz_file("image_folder", bytes(data)), "c0/a.png", "declares 4000x4000")


def test_a_big_image_whose_bytes_hold_it_is_read():
    ramp = np.arange(2100 * 2100, dtype=np.uint32).reshape(2100, 2100) % 251
    buffer = io.BytesIO()
    Image.fromarray(ramp.astype(np.uint8)).save(buffer, "PNG", compress_level=1)
    with tempfile.TemporaryDirectory() as tmp:
        for name in ("c0/a.png", "c1/b.png"):
            (Path(tmp) / "in" / name).parent.mkdir(parents=True)
            (Path(tmp) / "in" / name).write_bytes(buffer.getvalue())
        data = read_image_folder(Path(tmp) / "in")
    assert data["x"].shape == (2, 2100, 2100, 1)


MODES = [
    *[("PNG", m) for m in ("1", "L", "LA", "P", "RGB", "RGBA", "I;16")],
    *[("BMP", m) for m in ("1", "L", "P", "RGB")],
    *[("GIF", "L"), ("GIF", "P"), ("JPEG", "L"), ("JPEG", "RGB"), ("JPEG", "CMYK")],
    *[("WEBP", "RGB"), ("WEBP", "RGBA")],
]


@pytest.mark.parametrize(("fmt", "mode"), MODES)
def test_image_modes(tmp_path, fmt, mode):
    reader, path, target = build("image_folder", tmp_path)
    target.write_bytes(image_bytes(fmt, mode))
    data = outcome(reader, path)
    assert not isinstance(data, DataError), data
    assert data["x"].shape[:3] == (2, 2, 4)


@pytest.mark.parametrize("beside", ["L", "RGB"])
def test_16_bit_gray_is_scaled_to_8_bits_not_clipped(tmp_path, beside):
    ramp = (np.arange(8, dtype=np.uint16) * 9362).reshape(2, 4)  # 0 ... 65534
    for name, img in [("c0/a.png", Image.fromarray(ramp)), ("c1/b.png", Image.new(beside, (4, 2)))]:
        (tmp_path / name).parent.mkdir()
        img.save(tmp_path / name)
    x = read_image_folder(tmp_path)["x"][0]
    expected = np.rint(ramp / 257).astype(np.uint8)  # 0, 36, 73, ... 255
    assert (x == expected[..., None]).all()


@pytest.mark.parametrize(("fmt", "mode"), [("PNG", "1"), ("PNG", "I;16"), ("BMP", "RGB")])
@pytest.mark.parametrize("name", list(IMAGE_LAYOUTS))
def test_every_image_reader_reads_odd_modes(name, fmt, mode):
    data = fuzz_file(name, image_bytes(fmt, mode))
    assert not isinstance(data, DataError), data


# ---------------------------------------------------------------------------- paths


def replace(target: Path, kind: str, root: Path) -> None:
    """Put something that is not a readable regular file (or a link to one) at ``target``."""
    content = target.read_bytes() if target.is_file() else b""
    shutil.rmtree(target) if target.is_dir() else target.unlink()
    if kind == "directory":
        target.mkdir()
    elif kind == "fifo":
        os.mkfifo(target)
    elif kind == "file":
        target.write_bytes(b"a file where a folder is expected")
    elif kind == "dangling link":
        target.symlink_to(root / "nowhere")
    elif kind == "link loop":
        target.symlink_to(target.name)
    elif kind == "link to a folder":
        target.symlink_to(root, target_is_directory=True)
    elif kind == "link to a file":
        (root / f"elsewhere{target.suffix}").write_bytes(content)
        target.symlink_to(root / f"elsewhere{target.suffix}")


FILE_KINDS = ["directory", "fifo", "dangling link", "link loop", "link to a folder"]


@pytest.mark.parametrize("kind", [*FILE_KINDS, "link to a file"])
@pytest.mark.parametrize("name", READERS)
def test_a_data_file_that_is_not_a_regular_file(tmp_path, name, kind):
    reader, path, target = build(name, tmp_path)
    replace(target, kind, tmp_path)
    result = outcome(reader, path)
    if kind == "link to a file":
        assert not isinstance(result, DataError), result
    else:
        refused(result, target.name)


@pytest.mark.parametrize("kind", ["file", "fifo", "dangling link", "link loop", "link to a folder"])
@pytest.mark.parametrize("name", [n for n in READERS if n != "npz"])
def test_a_data_folder_that_is_not_a_folder(tmp_path, name, kind):
    reader, path, target = build(name, tmp_path)
    replace(target.parent, kind, tmp_path)  # a link to a folder: to the one above the input
    outcome(reader, path)


# an .npz is one file, and read_idx opens its files by name: only the others list folders
VANISHING = [(name, "file") for name in READERS] + [(name, "folder") for name in IMAGE_LAYOUTS]


@pytest.mark.parametrize(("name", "what"), VANISHING)
def test_a_file_or_folder_that_vanishes_when_opened(tmp_path, name, what):
    reader, path, target = build(name, tmp_path)
    vanish = target if what == "file" else target.parent
    refused(outcome(reader, path, vanish=vanish), vanish.name)


@pytest.mark.parametrize("name", READERS)
def test_a_file_that_cannot_be_read(tmp_path, name):
    reader, path, target = build(name, tmp_path)
    refused(outcome(reader, path, deny=target), target.name, "Permission denied")


def test_unpaired_folder_linked_to_the_other_is_one_folder(tmp_path):
    reader, path, _ = build("unpaired_folders", tmp_path)
    shutil.rmtree(path / "b")
    (path / "b").symlink_to(path / "a")
    with pytest.raises(ConfigError, match="both are the folder"):  # the config names it twice
        reader(path)
