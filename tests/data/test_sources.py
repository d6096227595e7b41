"""Tests for ganops.data.sources: every format, its bad inputs, and the config dispatcher."""

import gzip
import json
import re
import struct
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from ganops.data.sources import (
    DigitsSource,
    MixtureSource,
    NpzSource,
    ingest,
    load_digits,
    make_mixture,
    parse_source,
    read_idx,
    read_image_folder,
    read_npz,
    select_dataset,
    stratified_test,
)
from ganops.data.transforms import PreprocessConfig, to_model_input
from ganops.errors import ConfigError, DataError

TRAIN_X = "train-images-idx3-ubyte"
TRAIN_Y = "train-labels-idx1-ubyte"
TEST_X = "t10k-images-idx3-ubyte"
TEST_Y = "t10k-labels-idx1-ubyte"


def idx_bytes(array: np.ndarray) -> bytes:
    """Encode a uint8 array as an IDX file."""
    header = struct.pack(">HBB", 0, 8, array.ndim)
    header += b"".join(struct.pack(">I", d) for d in array.shape)
    return header + array.astype(np.uint8).tobytes()


def write_idx(path: Path, array: np.ndarray, gz: bool = False) -> Path:
    """Write an array as a raw or gzipped IDX file and return its path."""
    data = idx_bytes(array)
    if gz:
        path = path.with_name(path.name + ".gz")
        path.write_bytes(gzip.compress(data))
    else:
        path.write_bytes(data)
    return path


def make_idx_folder(
    folder: Path, n_train: int = 6, n_test: int = 0, gz: bool = False
) -> tuple[np.ndarray, ...]:
    """Write a small MNIST-like IDX folder; returns the arrays written."""
    rng = np.random.default_rng(1)
    folder.mkdir(parents=True, exist_ok=True)
    xtr = rng.integers(0, 256, (n_train, 5, 4), dtype=np.uint8)
    ytr = rng.integers(0, 10, n_train, dtype=np.uint8)
    write_idx(folder / TRAIN_X, xtr, gz)
    write_idx(folder / TRAIN_Y, ytr, gz)
    if not n_test:
        return xtr, ytr
    xte = rng.integers(0, 256, (n_test, 5, 4), dtype=np.uint8)
    yte = rng.integers(0, 10, n_test, dtype=np.uint8)
    write_idx(folder / TEST_X, xte, gz)
    write_idx(folder / TEST_Y, yte, gz)
    return xtr, ytr, xte, yte


def assert_json(meta: dict) -> None:
    """Meta must survive a JSON round trip unchanged."""
    assert json.loads(json.dumps(meta)) == meta


# ---------------------------------------------------------------------------- digits


def test_digits_shape_dtype_labels_range():
    data = load_digits()
    x, y = data["x"], data["y"]
    assert x.shape == (1797, 8, 8, 1) and x.dtype == np.uint8
    assert y.shape == (1797,) and y.dtype == np.int64
    assert set(np.unique(y)) == set(range(10))
    assert x.min() == 0 and x.max() == 255
    assert set(np.unique(x)) <= {round(v * 255 / 16) for v in range(17)}
    assert "is_test" not in data
    meta = data["meta"]
    assert meta["kind"] == "images" and meta["source"] == "digits"
    assert meta["value_range"] == [0, 255]
    assert meta["class_names"] == [str(i) for i in range(10)]
    assert_json(meta)


def test_mnist5k_is_read_from_mlxtends_wheel_offline_with_a_stratified_split(monkeypatch):
    import socket

    def no_network(*args, **kwargs):
        raise AssertionError("mnist5k tried the network")

    monkeypatch.setattr(socket, "socket", no_network)
    data = ingest("mnist5k", {"format": "mnist5k", "image_size": 28})
    x, y, is_test = data["x"], data["y"], data["is_test"]
    assert x.shape == (5000, 28, 28, 1) and x.dtype == np.uint8 and x.max() == 255
    assert np.bincount(y).tolist() == [500] * 10
    assert np.bincount(y[is_test]).tolist() == [50] * 10  # stratified
    assert data["meta"]["image_size"] == 28 and data["meta"]["class_names"][3] == "3"
    out = to_model_input(data, PreprocessConfig(image_size=16))  # the dataset's size wins
    assert out["x_train"].shape == (4500, 28, 28, 1) and out["meta"]["n_test"] == 500
    again = stratified_test(y, 50, seed=0)
    assert (again == is_test).all() and not (stratified_test(y, 50, seed=1) == is_test).all()


def test_stratified_test_refuses_to_hold_out_a_whole_class():
    with pytest.raises(ConfigError, match="test_per_class: 2 leaves no class 1 to train on"):
        stratified_test(np.array([0, 0, 0, 1, 1]), 2, seed=0)


# ---------------------------------------------------------------------------- mixtures


@pytest.mark.parametrize(("layout", "modes"), [("ring", 8), ("grid", 9), ("grid", 1)])
def test_mixture_basic(layout, modes):
    data = make_mixture(layout, modes=modes, n=2000, std=0.02, radius=2.0, seed=3)
    x, y, meta = data["x"], data["y"], data["meta"]
    assert x.shape == (2000, 2) and x.dtype == np.float32
    assert y.shape == (2000,) and y.dtype == np.int64
    assert y.min() >= 0 and y.max() < modes
    assert len(meta["means"]) == modes and len(meta["weights"]) == modes
    assert meta == {
        "kind": "points",
        "source": "mixture",
        "layout": layout,
        "modes": modes,
        "std": 0.02,
        "radius": 2.0,
        "seed": 3,
        "n": 2000,
        "means": meta["means"],
        "weights": [1.0 / modes] * modes,
    }
    means = np.asarray(meta["means"])
    assert np.abs(x - means[y]).max() < 0.02 * 6
    assert_json(meta)


def test_mixture_ring_means_on_circle():
    means = np.asarray(make_mixture("ring", 8, 10, 0.1, 3.0, 0)["meta"]["means"])
    np.testing.assert_allclose(np.hypot(means[:, 0], means[:, 1]), 3.0)
    assert len({tuple(np.round(m, 6)) for m in means}) == 8


def test_mixture_grid_means_span_radius():
    means = np.asarray(make_mixture("grid", 16, 10, 0.1, 1.5, 0)["meta"]["means"])
    assert sorted(set(np.round(means[:, 0], 6))) == pytest.approx([-1.5, -0.5, 0.5, 1.5])
    assert sorted(set(np.round(means[:, 1], 6))) == pytest.approx([-1.5, -0.5, 0.5, 1.5])
    assert len({tuple(m) for m in means}) == 16


def test_mixture_deterministic_for_seed():
    a = make_mixture("ring", 8, 500, 0.05, 2.0, seed=7)
    b = make_mixture("ring", 8, 500, 0.05, 2.0, seed=7)
    c = make_mixture("ring", 8, 500, 0.05, 2.0, seed=8)
    np.testing.assert_array_equal(a["x"], b["x"])
    np.testing.assert_array_equal(a["y"], b["y"])
    assert not np.array_equal(a["x"], c["x"])


def test_mixture_uses_all_modes():
    y = make_mixture("grid", 25, 5000, 0.01, 2.0, 0)["y"]
    assert set(np.unique(y)) == set(range(25))


@pytest.mark.parametrize(
    ("kwargs", "key"),
    [
        ({"modes": 0}, "modes"),
        ({"layout": "grid", "modes": 8}, "modes"),
        ({"std": 0.0}, "std"),
        ({"std": -1.0}, "std"),
        ({"n": 0}, "n"),
        ({"radius": -1.0}, "radius"),
        ({"layout": "spiral"}, "layout"),
    ],
)
def test_mixture_invalid_values(kwargs, key):
    args = {"layout": "ring", "modes": 4, "n": 10, "std": 0.1, "radius": 1.0, "seed": 0}
    with pytest.raises(ConfigError, match=rf"^{key}:"):
        make_mixture(**{**args, **kwargs})


# ---------------------------------------------------------------------------- IDX


@pytest.mark.parametrize("gz", [False, True])
def test_idx_round_trip_train_only(tmp_path, gz):
    xtr, ytr = make_idx_folder(tmp_path / "mnist", n_train=6, gz=gz)
    data = read_idx(tmp_path / "mnist")
    assert data["x"].shape == (6, 5, 4, 1) and data["x"].dtype == np.uint8
    np.testing.assert_array_equal(data["x"][..., 0], xtr)
    np.testing.assert_array_equal(data["y"], ytr.astype(np.int64))
    assert data["y"].dtype == np.int64
    assert not data["is_test"].any() and data["is_test"].shape == (6,)
    suffix = ".gz" if gz else ""
    assert data["meta"]["files"] == [TRAIN_X + suffix, TRAIN_Y + suffix]
    assert data["meta"]["kind"] == "images" and data["meta"]["source"] == "idx"
    assert data["meta"]["value_range"] == [0, 255]
    assert_json(data["meta"])


@pytest.mark.parametrize("gz", [False, True])
def test_idx_round_trip_with_test(tmp_path, gz):
    xtr, ytr, xte, yte = make_idx_folder(tmp_path, n_train=6, n_test=3, gz=gz)
    data = read_idx(str(tmp_path))
    assert data["x"].shape == (9, 5, 4, 1)
    np.testing.assert_array_equal(data["x"][..., 0], np.concatenate([xtr, xte]))
    np.testing.assert_array_equal(data["y"], np.concatenate([ytr, yte]))
    np.testing.assert_array_equal(data["is_test"], [False] * 6 + [True] * 3)
    assert data["meta"]["n_train"] == 6 and data["meta"]["n_test"] == 3
    assert len(data["meta"]["files"]) == 4


def test_idx_result_is_writable(tmp_path):
    make_idx_folder(tmp_path)
    data = read_idx(tmp_path)
    data["x"][0, 0, 0, 0] = 1  # must not raise on a read-only buffer


def test_idx_wrong_magic(tmp_path):
    make_idx_folder(tmp_path)
    raw = bytearray((tmp_path / TRAIN_X).read_bytes())
    raw[0] = 0x12
    (tmp_path / TRAIN_X).write_bytes(bytes(raw))
    with pytest.raises(DataError, match=rf"{TRAIN_X}.*magic 0x12000803"):
        read_idx(tmp_path)


def test_idx_unsupported_type(tmp_path):
    make_idx_folder(tmp_path)
    raw = bytearray((tmp_path / TRAIN_Y).read_bytes())
    raw[2] = 0x0D
    (tmp_path / TRAIN_Y).write_bytes(bytes(raw))
    with pytest.raises(DataError, match=rf"{TRAIN_Y}.*type 0x0d"):
        read_idx(tmp_path)


def test_idx_wrong_ndim(tmp_path):
    make_idx_folder(tmp_path)
    write_idx(tmp_path / TRAIN_X, np.zeros((6, 20), np.uint8))
    with pytest.raises(DataError, match=rf"{TRAIN_X}.*ndim 2, expected 3"):
        read_idx(tmp_path)


def test_idx_truncated(tmp_path):
    make_idx_folder(tmp_path)
    raw = (tmp_path / TRAIN_X).read_bytes()
    (tmp_path / TRAIN_X).write_bytes(raw[:-7])
    with pytest.raises(DataError, match=rf"{TRAIN_X}: declares 6×5×4 bytes but holds 113$"):
        read_idx(tmp_path)


def test_idx_oversized(tmp_path):
    make_idx_folder(tmp_path)
    raw = (tmp_path / TRAIN_Y).read_bytes()
    (tmp_path / TRAIN_Y).write_bytes(raw + b"\x00\x01")
    with pytest.raises(DataError, match=rf"{TRAIN_Y}: declares 6 bytes but holds more than 6$"):
        read_idx(tmp_path)


def test_idx_truncated_header(tmp_path):
    make_idx_folder(tmp_path)
    (tmp_path / TRAIN_X).write_bytes(idx_bytes(np.zeros((2, 3, 3), np.uint8))[:9])
    with pytest.raises(DataError, match=TRAIN_X):
        read_idx(tmp_path)


def test_idx_corrupt_gz(tmp_path):
    make_idx_folder(tmp_path, gz=True)
    good = (tmp_path / f"{TRAIN_Y}.gz").read_bytes()
    (tmp_path / f"{TRAIN_Y}.gz").write_bytes(good[: len(good) // 2])
    with pytest.raises(DataError, match=re.escape(f"{TRAIN_Y}.gz") + ".*gzip"):
        read_idx(tmp_path)


def test_idx_gzipped_without_its_suffix_says_so(tmp_path):
    make_idx_folder(tmp_path, gz=True)
    (tmp_path / f"{TRAIN_X}.gz").rename(tmp_path / TRAIN_X)
    with pytest.raises(DataError, match=rf"{TRAIN_X}: gzip-compressed: name it {TRAIN_X}.gz"):
        read_idx(tmp_path)


def test_idx_not_gzip_at_all(tmp_path):
    make_idx_folder(tmp_path, gz=True)
    (tmp_path / f"{TRAIN_X}.gz").write_bytes(b"this is not gzip data at all")
    with pytest.raises(DataError, match=re.escape(f"{TRAIN_X}.gz")):
        read_idx(tmp_path)


@pytest.mark.parametrize("split", ["train", "test"])
def test_idx_declaring_zero_images_is_refused(tmp_path, split):
    make_idx_folder(tmp_path, n_test=3)
    images, labels = (TRAIN_X, TRAIN_Y) if split == "train" else (TEST_X, TEST_Y)
    write_idx(tmp_path / images, np.zeros((0, 5, 4), np.uint8))
    write_idx(tmp_path / labels, np.zeros(0, np.uint8))
    with pytest.raises(DataError, match=rf"{images}: the file declares zero images"):
        read_idx(tmp_path)


def test_idx_count_mismatch(tmp_path):
    make_idx_folder(tmp_path)
    write_idx(tmp_path / TRAIN_Y, np.zeros(5, np.uint8))
    with pytest.raises(DataError, match=rf"{TRAIN_X}.*6 images.*{TRAIN_Y}.*5 labels"):
        read_idx(tmp_path)


def test_idx_test_count_mismatch(tmp_path):
    make_idx_folder(tmp_path, n_test=3)
    write_idx(tmp_path / TEST_Y, np.zeros(4, np.uint8))
    with pytest.raises(DataError, match=rf"{TEST_X}.*{TEST_Y}"):
        read_idx(tmp_path)


def test_idx_test_shape_mismatch(tmp_path):
    make_idx_folder(tmp_path, n_test=3)
    write_idx(tmp_path / TEST_X, np.zeros((3, 7, 7), np.uint8))
    with pytest.raises(DataError, match=TEST_X):
        read_idx(tmp_path)


def test_idx_half_test_pair(tmp_path):
    make_idx_folder(tmp_path)
    write_idx(tmp_path / TEST_X, np.zeros((3, 5, 4), np.uint8))
    with pytest.raises(DataError, match=TEST_Y):
        read_idx(tmp_path)


def test_idx_missing_folder(tmp_path):
    missing = tmp_path / "nope"
    with pytest.raises(DataError, match=rf"{re.escape(str(missing))}.*{TRAIN_X}.*{TRAIN_Y}"):
        read_idx(missing)


def test_idx_half_train_pair(tmp_path):
    write_idx(tmp_path / TRAIN_X, np.zeros((3, 5, 4), np.uint8))
    with pytest.raises(DataError, match=TRAIN_Y):
        read_idx(tmp_path)


def test_idx_no_train_files(tmp_path):
    write_idx(tmp_path / TEST_X, np.zeros((3, 5, 4), np.uint8))
    write_idx(tmp_path / TEST_Y, np.zeros(3, np.uint8))
    with pytest.raises(DataError, match=rf"{re.escape(str(tmp_path))}.*{TRAIN_X}"):
        read_idx(tmp_path)


# ---------------------------------------------------------------------------- npz


def test_npz_uint8_3d_with_test(tmp_path):
    rng = np.random.default_rng(0)
    xtr = rng.integers(0, 256, (5, 6, 6), dtype=np.uint8)
    xte = rng.integers(0, 256, (2, 6, 6), dtype=np.uint8)
    ytr, yte = np.arange(5, dtype=np.uint8), np.array([[1], [2]], dtype=np.int32)
    path = tmp_path / "d.npz"
    np.savez(path, x_train=xtr, y_train=ytr, x_test=xte, y_test=yte)
    data = read_npz(path)
    assert data["x"].shape == (7, 6, 6, 1) and data["x"].dtype == np.uint8
    np.testing.assert_array_equal(data["x"][..., 0], np.concatenate([xtr, xte]))
    np.testing.assert_array_equal(data["y"], [0, 1, 2, 3, 4, 1, 2])
    assert data["y"].dtype == np.int64
    np.testing.assert_array_equal(data["is_test"], [False] * 5 + [True] * 2)
    meta = data["meta"]
    assert meta["kind"] == "images" and meta["source"] == "npz" and meta["file"] == "d.npz"
    assert meta["value_range"] == [0, 255]
    assert_json(meta)


def test_npz_float_4d_rgb_no_labels(tmp_path):
    x = np.linspace(0.0, 1.0, 4 * 3 * 3 * 3, dtype=np.float32).reshape(4, 3, 3, 3)
    path = tmp_path / "f.npz"
    np.savez_compressed(path, x_train=x)
    data = read_npz(str(path))
    assert data["x"].shape == (4, 3, 3, 3) and data["x"].dtype == np.uint8
    np.testing.assert_array_equal(data["x"], np.rint(x * 255).astype(np.uint8))
    assert data["x"].min() == 0 and data["x"].max() == 255
    assert "y" not in data
    assert not data["is_test"].any()


def test_npz_float_out_of_range(tmp_path):
    path = tmp_path / "f.npz"
    np.savez(path, x_train=np.full((2, 3, 3), 255.0))
    with pytest.raises(DataError, match=r"f\.npz.*x_train.*\[0, 1\]"):
        read_npz(path)


def test_npz_bad_channel_count(tmp_path):
    path = tmp_path / "c.npz"
    np.savez(path, x_train=np.zeros((2, 3, 3, 2), np.uint8))
    with pytest.raises(DataError, match=r"c\.npz.*x_train"):
        read_npz(path)


def test_npz_missing_key(tmp_path):
    path = tmp_path / "k.npz"
    np.savez(path, images=np.zeros((2, 3, 3), np.uint8), labels=np.zeros(2))
    with pytest.raises(DataError, match=r"k\.npz.*x_train.*images.*labels"):
        read_npz(path)


def test_npz_corrupt_file(tmp_path):
    path = tmp_path / "bad.npz"
    path.write_bytes(np.random.default_rng(0).bytes(512))
    with pytest.raises(DataError, match=r"bad\.npz"):
        read_npz(path)


def test_npz_truncated_zip(tmp_path):
    path = tmp_path / "cut.npz"
    np.savez(path, x_train=np.zeros((20, 8, 8), np.uint8))
    path.write_bytes(path.read_bytes()[:300])
    with pytest.raises(DataError, match=r"cut\.npz"):
        read_npz(path)


def test_npz_missing_file(tmp_path):
    with pytest.raises(DataError, match=r"absent\.npz"):
        read_npz(tmp_path / "absent.npz")


def test_npz_nan(tmp_path):
    x = np.zeros((2, 3, 3), np.float32)
    x[1, 1, 1] = np.nan
    path = tmp_path / "n.npz"
    np.savez(path, x_train=np.zeros((2, 3, 3), np.float32), x_test=x)
    with pytest.raises(DataError, match=r"n\.npz.*x_test.*NaN"):
        read_npz(path)


def test_npz_inf(tmp_path):
    x = np.zeros((2, 3, 3), np.float64)
    x[0, 0, 0] = np.inf
    path = tmp_path / "i.npz"
    np.savez(path, x_train=x)
    with pytest.raises(DataError, match=r"x_train.*Inf"):
        read_npz(path)


def test_npz_length_mismatch(tmp_path):
    path = tmp_path / "l.npz"
    np.savez(path, x_train=np.zeros((3, 4, 4), np.uint8), y_train=np.zeros(2, np.uint8))
    with pytest.raises(DataError, match=r"l\.npz.*y_train"):
        read_npz(path)


def test_npz_labels_for_only_one_split(tmp_path):
    path = tmp_path / "p.npz"
    np.savez(
        path,
        x_train=np.zeros((3, 4, 4), np.uint8),
        y_train=np.zeros(3, np.uint8),
        x_test=np.zeros((1, 4, 4), np.uint8),
    )
    with pytest.raises(DataError, match=r"p\.npz.*labels"):
        read_npz(path)


# ---------------------------------------------------------------------------- image folders


def save_png(path: Path, mode: str, size: tuple[int, int] = (6, 4), value: int = 100) -> None:
    """Save a solid image of the given mode and (W, H) size."""
    path.parent.mkdir(parents=True, exist_ok=True)
    color = value if mode == "L" else (value, 255 - value, 7)
    Image.new(mode, size, color).save(path)


def test_image_folder_gray(tmp_path):
    save_png(tmp_path / "cats" / "a.png", "L", value=10)
    save_png(tmp_path / "cats" / "b.PNG", "L", value=20)
    save_png(tmp_path / "dogs" / "c.png", "L", value=30)
    (tmp_path / "dogs" / "notes.txt").write_text("ignored")
    data = read_image_folder(tmp_path)
    assert data["x"].shape == (3, 4, 6, 1) and data["x"].dtype == np.uint8
    np.testing.assert_array_equal(data["x"][:, 0, 0, 0], [10, 20, 30])
    np.testing.assert_array_equal(data["y"], [0, 0, 1])
    assert data["y"].dtype == np.int64
    meta = data["meta"]
    assert meta["class_names"] == ["cats", "dogs"]
    assert meta["files"] == ["cats/a.png", "cats/b.PNG", "dogs/c.png"]
    assert meta["kind"] == "images" and meta["source"] == "image_folder"
    assert meta["value_range"] == [0, 255]
    assert_json(meta)


def test_image_folder_mixed_becomes_rgb(tmp_path):
    save_png(tmp_path / "a" / "gray.png", "L", value=50)
    save_png(tmp_path / "b" / "color.png", "RGB", value=200)
    data = read_image_folder(str(tmp_path))
    assert data["x"].shape == (2, 4, 6, 3)
    np.testing.assert_array_equal(data["x"][0, 0, 0], [50, 50, 50])
    np.testing.assert_array_equal(data["x"][1, 0, 0], [200, 55, 7])
    assert data["meta"]["mode"] == "RGB"


def test_image_folder_mismatched_size(tmp_path):
    save_png(tmp_path / "a" / "ok.png", "L", size=(6, 4))
    save_png(tmp_path / "b" / "big.png", "L", size=(8, 8))
    with pytest.raises(DataError, match=r"big\.png.*8x8.*6x4"):
        read_image_folder(tmp_path)


def test_image_folder_corrupt_image(tmp_path):
    save_png(tmp_path / "a" / "ok.png", "L")
    (tmp_path / "a" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n garbage")
    with pytest.raises(DataError, match=r"broken\.png"):
        read_image_folder(tmp_path)


def test_image_folder_file_that_is_no_image_says_so(tmp_path):
    save_png(tmp_path / "a" / "ok.png", "L")
    (tmp_path / "a" / "page.jpg").write_text("<html>a web page saved as .jpg</html>")
    with pytest.raises(DataError) as caught:
        read_image_folder(tmp_path)
    assert str(caught.value).endswith(
        "page.jpg: cannot read image (not a PNG/JPEG/BMP/GIF/WEBP file)"
    )


def test_image_folder_empty_class(tmp_path):
    save_png(tmp_path / "a" / "ok.png", "L")
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "readme.md").write_text("no images")
    with pytest.raises(DataError, match=r"empty"):
        read_image_folder(tmp_path)


def test_image_folder_no_classes(tmp_path):
    save_png(tmp_path / "loose.png", "L")
    with pytest.raises(DataError, match=re.escape(str(tmp_path))):
        read_image_folder(tmp_path)


def test_image_folder_missing(tmp_path):
    with pytest.raises(DataError, match=r"missing_dir"):
        read_image_folder(tmp_path / "missing_dir")


# ---------------------------------------------------------------------------- config


def test_parse_source_valid():
    raw = {"format": "mixture", "layout": "ring", "modes": 8, "std": 0.02, "radius": 2.0}
    cfg = parse_source("ring8", raw)
    assert isinstance(cfg, MixtureSource) and cfg.n == 10000 and cfg.seed == 0
    assert isinstance(parse_source("d", {"format": "digits"}), DigitsSource)
    assert isinstance(parse_source("k", {"format": "npz", "path": "x.npz"}), NpzSource)


def test_parse_source_unknown_format():
    with pytest.raises(ConfigError, match=r"dataset 'foo'.*format.*'csv'.*digits.*image_folder"):
        parse_source("foo", {"format": "csv", "path": "x"})


def test_parse_source_missing_format():
    with pytest.raises(ConfigError, match=r"dataset 'foo'.*format"):
        parse_source("foo", {"path": "x"})


def test_parse_source_negative_modes():
    raw = {"format": "mixture", "layout": "ring", "modes": -1, "std": 0.1, "radius": 1.0}
    with pytest.raises(ConfigError, match=r"dataset 'ring8': modes: Input should be greater"):
        parse_source("ring8", raw)


def test_parse_source_extra_key():
    with pytest.raises(ConfigError, match=r"dataset 'd': colour: Extra inputs"):
        parse_source("d", {"format": "digits", "colour": "red"})


def test_parse_source_reports_every_bad_key():
    raw = {"format": "mixture", "layout": "star", "modes": 0, "radius": 1.0}
    with pytest.raises(ConfigError) as info:
        parse_source("m", raw)
    message = str(info.value)
    for key in ("layout:", "modes:", "std:"):
        assert key in message


def test_parse_source_missing_path():
    with pytest.raises(ConfigError, match=r"dataset 'x': path: Field required"):
        parse_source("x", {"format": "idx"})


def test_ingest_dispatch(tmp_path):
    raw = {"format": "mixture", "layout": "grid", "modes": 4, "n": 50, "std": 0.1, "radius": 1.0}
    data = ingest("grid4", raw)
    assert data["x"].shape == (50, 2) and data["meta"]["dataset"] == "grid4"
    assert data["meta"]["modes"] == 4 and data["meta"]["seed"] == 0
    assert ingest("dg", {"format": "digits"})["meta"]["dataset"] == "dg"
    make_idx_folder(tmp_path / "idx", n_test=2)
    assert ingest("mn", {"format": "idx", "path": str(tmp_path / "idx")})["x"].shape[0] == 8
    np.savez(tmp_path / "a.npz", x_train=np.zeros((3, 2, 2), np.uint8))
    npz = ingest("nz", {"format": "npz", "path": str(tmp_path / "a.npz")})
    assert npz["meta"]["source"] == "npz" and npz["meta"]["dataset"] == "nz"
    save_png(tmp_path / "imgs" / "a" / "x.png", "RGB")
    imgs = ingest("im", {"format": "image_folder", "path": str(tmp_path / "imgs")})
    assert imgs["x"].shape == (1, 4, 6, 3) and imgs["meta"]["dataset"] == "im"


def test_ingest_bad_config():
    with pytest.raises(ConfigError, match=r"dataset 'z'"):
        ingest("z", {"format": "mixture", "layout": "ring"})
    raw = {"format": "mixture", "layout": "grid", "modes": 8, "std": 0.1, "radius": 1.0}
    with pytest.raises(ConfigError, match=r"dataset 'g': modes: .*perfect square"):
        ingest("g", raw)


def test_select_dataset():
    catalog = {"b": {"format": "digits"}, "a": {"format": "npz", "path": "p"}}
    assert select_dataset("a", catalog) == {"format": "npz", "path": "p"}
    with pytest.raises(ConfigError, match=r"unknown dataset 'x'; known: a, b"):
        select_dataset("x", catalog)
