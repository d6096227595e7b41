"""Tests for unpaired images: the CycleGAN and two-folder readers, digits -> digits-M, photo ->
cartoon, edge smoothing, the dataset-level image_size and the unpaired preprocessing."""

import json
import logging
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from ganops.data.sources import (
    NATURAL_PHOTOS,
    cartoon_patches,
    ingest,
    load_cartoon,
    load_digits,
    load_digits_m,
    make_digits_m,
    mnist5k_digits,
    parse_source,
    pick_photos,
    read_cyclegan,
    read_unpaired_folders,
    shrink_photo,
)
from ganops.data.transforms import PreprocessConfig, to_model_input
from ganops.data.unpaired import cartoonize, edge_smooth, resize_digits
from ganops.errors import ConfigError, DataError
from ganops.io import load_arrays, save_arrays
from ganops.pipelines.preprocess.nodes import dataset_card


def save_pngs(folder: Path, n: int, mode: str = "L", size=(6, 4), start: int = 0) -> None:
    """Write n flat PNGs of one mode and size (WxH), image i of value 10 * (start + i)."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        value = 10 * (start + i)
        Image.new(mode, size, value if mode == "L" else (value, value, value)).save(
            folder / f"{i:03d}.png"
        )


def assert_json(meta: dict) -> None:
    """Meta must survive a JSON round trip unchanged."""
    assert json.loads(json.dumps(meta)) == meta


# ---------------------------------------------------------------------------- cyclegan


def test_cyclegan_reads_both_domains_and_the_test_split(tmp_path):
    save_pngs(tmp_path / "trainA", 3, start=0)
    save_pngs(tmp_path / "testA", 1, start=3)
    save_pngs(tmp_path / "trainB", 2, start=10)
    save_pngs(tmp_path / "testB", 2, start=12)
    data = read_cyclegan(tmp_path, ("horse", "zebra"))
    assert data["x"].shape == (8, 4, 6, 1) and data["x"].dtype == np.uint8
    assert list(data["x"][:, 0, 0, 0]) == [0, 10, 20, 30, 100, 110, 120, 130]  # A then B
    assert list(data["domain"]) == [0, 0, 0, 0, 1, 1, 1, 1] and data["domain"].dtype == np.int64
    np.testing.assert_array_equal(data["y"], data["domain"])
    assert list(data["is_test"]) == [False] * 3 + [True] + [False] * 2 + [True] * 2
    meta = data["meta"]
    assert meta["domains"] == meta["class_names"] == ["horse", "zebra"]
    assert meta["shared_labels"] is False and meta["source"] == "cyclegan"
    assert meta["files"][3] == "testA/000.png" and meta["files"][4] == "trainB/000.png"
    assert meta["n"] == {"trainA": 3, "testA": 1, "trainB": 2, "testB": 2}
    assert meta["modes"] == {"horse": "L", "zebra": "L"}
    assert_json(meta)


def test_cyclegan_without_test_folders_is_all_training(tmp_path):
    save_pngs(tmp_path / "trainA", 2)
    save_pngs(tmp_path / "trainB", 3)
    data = read_cyclegan(tmp_path)
    assert not data["is_test"].any() and data["meta"]["domains"] == ["A", "B"]
    assert data["meta"]["n"] == {"trainA": 2, "trainB": 3}


@pytest.mark.parametrize(("have", "lack"), [("testA", "testB"), ("testB", "testA")])
def test_cyclegan_half_a_test_split_is_refused(tmp_path, have, lack):
    save_pngs(tmp_path / "trainA", 2)
    save_pngs(tmp_path / "trainB", 2)
    save_pngs(tmp_path / have, 1)
    with pytest.raises(DataError, match=f"{have}/ without {lack}/"):
        read_cyclegan(tmp_path)


def test_cyclegan_empty_or_missing_domain_folder_is_named(tmp_path):
    save_pngs(tmp_path / "trainA", 2)
    with pytest.raises(DataError, match=r"trainB: folder not found"):
        read_cyclegan(tmp_path)
    (tmp_path / "trainB").mkdir()
    with pytest.raises(DataError, match=r"trainB: no images"):
        read_cyclegan(tmp_path)
    with pytest.raises(DataError, match="CycleGAN folder not found"):
        read_cyclegan(tmp_path / "nowhere")


def test_cyclegan_domains_of_different_sizes_are_refused(tmp_path):
    save_pngs(tmp_path / "trainA", 2, size=(6, 4))
    save_pngs(tmp_path / "trainB", 2, size=(8, 4))
    with pytest.raises(DataError, match=r"trainA holds 6x4 .*trainB holds 8x4.*share one size"):
        read_cyclegan(tmp_path)


def test_gray_beside_colour_domain_becomes_rgb(tmp_path, caplog):
    save_pngs(tmp_path / "trainA", 2, mode="L", start=5)
    save_pngs(tmp_path / "trainB", 2, mode="RGB")
    with caplog.at_level(logging.INFO, logger="ganops.data.unpaired"):
        data = read_cyclegan(tmp_path)
    assert data["x"].shape == (4, 4, 6, 3)
    assert (data["x"][0] == 50).all() and (data["x"][1] == 60).all()
    assert data["meta"]["modes"] == {"A": "L", "B": "RGB"}
    assert "trainA: gray images converted to RGB" in caplog.text


# ---------------------------------------------------------------------------- unpaired_folders


def test_unpaired_folders_are_named_after_their_folders(tmp_path):
    save_pngs(tmp_path / "summer", 3)
    save_pngs(tmp_path / "winter", 2, mode="RGB")
    data = read_unpaired_folders(tmp_path / "summer", tmp_path / "winter")
    assert data["x"].shape == (5, 4, 6, 3) and list(data["domain"]) == [0, 0, 0, 1, 1]
    assert "is_test" not in data
    meta = data["meta"]
    assert meta["domains"] == meta["class_names"] == ["summer", "winter"]
    assert meta["n"] == {"a": 3, "b": 2} and len(meta["files"]) == 5
    assert_json(meta)
    named = read_unpaired_folders(tmp_path / "summer", tmp_path / "winter", ("s", "w"))
    assert named["meta"]["domains"] == ["s", "w"]


def test_relative_folders_are_named_after_the_folders_they_are(tmp_path, monkeypatch):
    save_pngs(tmp_path / "summer", 3)
    save_pngs(tmp_path / "winter", 2)
    monkeypatch.chdir(tmp_path / "summer")
    data = read_unpaired_folders(".", "../winter")
    assert data["meta"]["domains"] == ["summer", "winter"]


def test_unpaired_folders_bad_folders_are_named(tmp_path):
    save_pngs(tmp_path / "a", 2)
    (tmp_path / "empty").mkdir()
    save_pngs(tmp_path / "wide", 2, size=(9, 4))
    save_pngs(tmp_path / "x" / "a", 2)
    with pytest.raises(DataError, match=r"empty: no images"):
        read_unpaired_folders(tmp_path / "a", tmp_path / "empty")
    with pytest.raises(DataError, match=r"gone: folder not found"):
        read_unpaired_folders(tmp_path / "gone", tmp_path / "a")
    with pytest.raises(DataError, match=r"a holds 6x4 .*wide holds 9x4.*share one size"):
        read_unpaired_folders(tmp_path / "a", tmp_path / "wide")
    with pytest.raises(ConfigError, match="both named 'a'; set domains"):
        read_unpaired_folders(tmp_path / "a", tmp_path / "x" / "a")
    with pytest.raises(ConfigError, match="both are the folder"):
        read_unpaired_folders(tmp_path / "a", tmp_path / "a", ("p", "q"))


# ---------------------------------------------------------------------------- config and ingest


def test_unpaired_configs_parse_with_defaults():
    cfg = parse_source("d", {"format": "cartoon"})
    assert cfg.photos_a == ["astronaut", "coffee", "china"] and cfg.patch == 32
    assert not set(cfg.photos_a) & set(cfg.photos_b)
    assert parse_source("d", {"format": "digits_m"}).size == 16
    assert parse_source("d", {"format": "cyclegan", "path": "p"}).domains == ("A", "B")
    assert parse_source("d", {"format": "unpaired_folders", "a": "x", "b": "y"}).domains is None
    with pytest.raises(ConfigError, match="dataset 'd': domains: .*must differ"):
        parse_source("d", {"format": "cyclegan", "path": "p", "domains": ["A", "A"]})
    with pytest.raises(ConfigError, match="dataset 'd': photos_b: .*at least 1"):
        parse_source("d", {"format": "cartoon", "photos_b": []})


def test_ingest_records_image_size_and_refuses_bad_ones(tmp_path):
    save_pngs(tmp_path / "A", 2)
    save_pngs(tmp_path / "B", 2)
    config = {"format": "unpaired_folders", "a": str(tmp_path / "A"), "b": str(tmp_path / "B")}
    data = ingest("two", {**config, "image_size": 8})
    assert data["meta"]["image_size"] == 8 and data["meta"]["dataset"] == "two"
    for bad in (0, -3, 2.5, "16", True, None):
        with pytest.raises(ConfigError, match="dataset 'two': image_size: must be a positive"):
            ingest("two", {**config, "image_size": bad})
    with pytest.raises(ConfigError, match="dataset 'ring': image_size: a mixture"):
        ingest("ring", {"format": "mixture", "layout": "ring", "modes": 4, "std": 0.1,
                        "radius": 1.0, "image_size": 8})  # fmt: skip


def test_pairs_on_an_unpaired_source_is_refused(tmp_path):
    config = {"format": "cyclegan", "path": str(tmp_path), "pairs": {"size": 32}}
    with pytest.raises(ConfigError, match="dataset 'h2z': pairs: cyclegan gives two unpaired"):
        ingest("h2z", config)


# ---------------------------------------------------------------------------- digits_m


@pytest.fixture(scope="module")
def digits_m():
    return load_digits_m(size=16, photos=list(NATURAL_PHOTOS), shorter_side=128, seed=0)


def test_digits_m_is_deterministic_rgb_and_labelled(digits_m):
    again = load_digits_m(size=16, photos=list(NATURAL_PHOTOS), shorter_side=128, seed=0)
    assert again["x"].tobytes() == digits_m["x"].tobytes()
    other = load_digits_m(size=16, photos=list(NATURAL_PHOTOS), shorter_side=128, seed=1)
    assert other["x"].tobytes() != digits_m["x"].tobytes()
    x, y, domain, meta = digits_m["x"], digits_m["y"], digits_m["domain"], digits_m["meta"]
    assert x.shape == (1797, 16, 16, 3) and x.dtype == np.uint8
    assert list(np.bincount(domain)) == [898, 899] and set(np.unique(y)) == set(range(10))
    assert meta["domains"] == ["digits", "digits_m"] and meta["shared_labels"] is True
    assert meta["class_names"] == [str(i) for i in range(10)]
    assert_json(meta)


def test_digits_m_halves_are_disjoint_and_a_is_the_digits(digits_m):
    digits = load_digits()
    idx_a, idx_b = (np.asarray(i) for i in digits_m["meta"]["digit_indices"])
    assert not set(idx_a) & set(idx_b) and len(idx_a) + len(idx_b) == 1797
    a = digits_m["x"][digits_m["domain"] == 0]
    np.testing.assert_array_equal(a, np.repeat(resize_digits(digits["x"][idx_a], 16), 3, -1))
    np.testing.assert_array_equal(digits_m["y"], digits["y"][np.concatenate([idx_a, idx_b])])


def test_digits_m_b_is_the_other_digits_blended_onto_the_photos():
    digits = load_digits()
    white = [("white", np.full((20, 30, 3), 255, np.uint8))]
    data = make_digits_m(digits, white, size=12, seed=4)
    a, b = data["x"][data["domain"] == 0], data["x"][data["domain"] == 1]
    under_b = 255 - b  # |255 - digit| gives the digit back
    assert (under_b == under_b[..., :1]).all()
    idx_b = data["meta"]["digit_indices"][1]
    np.testing.assert_array_equal(under_b[..., :1], resize_digits(digits["x"][idx_b], 12))
    assert not {img.tobytes() for img in a} & {img.tobytes() for img in under_b}
    with pytest.raises(ConfigError, match="size: 24 px does not fit photo 'white'"):
        make_digits_m(digits, white, size=24, seed=4)


def test_mnist5k_m_pairs_mlxtends_real_digits_with_their_m_half():
    data = load_digits_m(16, ["coffee"], 128, seed=0, digits="mnist5k")
    assert data["x"].shape == (5000, 16, 16, 3) and list(np.bincount(data["domain"])) == [2500] * 2
    assert data["meta"]["domains"] == ["mnist5k", "mnist5k_m"]
    idx_a, idx_b = (np.asarray(i) for i in data["meta"]["digit_indices"])
    assert not set(idx_a) & set(idx_b) and len(idx_a) + len(idx_b) == 5000
    mnist = mnist5k_digits()
    a = data["x"][data["domain"] == 0]
    np.testing.assert_array_equal(a, np.repeat(resize_digits(mnist["x"][idx_a], 16), 3, -1))
    np.testing.assert_array_equal(data["y"], mnist["y"][np.concatenate([idx_a, idx_b])])
    assert parse_source("m", {"format": "digits_m", "digits": "mnist5k"}).digits == "mnist5k"
    with pytest.raises(ConfigError, match="digits"):
        parse_source("m", {"format": "digits_m", "digits": "emnist"})


def test_digits_m_b_differs_from_a_in_colour(digits_m):
    x, domain = digits_m["x"].astype(np.float32), digits_m["domain"]
    spread = x.std(axis=-1).mean(axis=(1, 2))  # how far a pixel's channels are apart
    assert spread[domain == 0].max() == 0.0 and spread[domain == 1].mean() > 10.0
    black = (x < 10).all(axis=-1)  # A's background is black, B's is a photo
    assert black[domain == 0].mean() > 0.3 and black[domain == 1].mean() < 0.05


def test_pick_photos_refuses_unknown_or_repeated_names():
    photos = [("p", np.zeros((4, 4, 3), np.uint8)), ("q", np.ones((4, 4, 3), np.uint8))]
    assert [name for name, _ in pick_photos(photos, ["q", "p"], "photos")] == ["q", "p"]
    with pytest.raises(ConfigError, match="photos: unknown photo 'r'; bundled photos: p, q"):
        pick_photos(photos, ["p", "r"], "photos")
    with pytest.raises(ConfigError, match="photos: photo 'p' is named twice"):
        pick_photos(photos, ["p", "p"], "photos")


# ---------------------------------------------------------------------------- cartoon


def flat_photos(names="abcd", size=(24, 30)):
    """Flat synthetic photos, photo i of value 40 * i + 20, so a patch tells its photo."""
    return [(n, np.full((*size, 3), 40 * i + 20, np.uint8)) for i, n in enumerate(names)]


def test_cartoon_patches_keep_each_photo_in_one_domain():
    data = cartoon_patches(flat_photos(), ["a", "c"], ["b", "d"], 8, 5, seed=2, segments=10)
    x, y, domain, meta = data["x"], data["y"], data["domain"], data["meta"]
    assert x.shape == (20, 8, 8, 3) and list(np.bincount(domain)) == [10, 10]
    assert meta["class_names"] == ["a", "c", "b", "d"] and meta["domains"] == ["photo", "cartoon"]
    np.testing.assert_array_equal(domain, (y >= 2).astype(np.int64))
    photo = (x[:, 0, 0, 0].astype(int) - 20) // 40  # flat photos stay flat when cartoonized
    assert set(photo[domain == 0]) == {0, 2} and set(photo[domain == 1]) == {1, 3}
    assert meta["shared_labels"] is False and meta["style"] == {"segments": 10}
    assert_json(meta)


def test_cartoon_photo_lists_must_be_disjoint_and_known():
    with pytest.raises(ConfigError, match="photos_a and photos_b share b"):
        cartoon_patches(flat_photos(), ["a", "b"], ["b"], 8, 2, seed=0)
    with pytest.raises(ConfigError, match="photos_b: unknown photo 'zebra'"):
        cartoon_patches(flat_photos(), ["a"], ["zebra"], 8, 2, seed=0)
    with pytest.raises(ConfigError, match="patch: 32 px does not fit photo 'a'"):
        cartoon_patches(flat_photos(), ["a"], ["b"], 32, 2, seed=0)
    with pytest.raises(ConfigError, match="dataset 'toon': photos_a: unknown photo 'nope'"):
        ingest("toon", {"format": "cartoon", "photos_a": ["nope"], "patches_per_photo": 1})


def test_cartoon_of_the_bundled_photos():
    data = load_cartoon(["coffee"], ["chelsea", "rocket"], 96, patch=16, patches_per_photo=4,
                        seed=0)  # fmt: skip
    assert data["x"].shape == (12, 16, 16, 3) and list(data["domain"]) == [0] * 4 + [1] * 8
    assert data["meta"]["photos_a"] == ["coffee"] and data["meta"]["shorter_side"] == 96


def test_cartoonize_flattens_colours_and_draws_dark_edges():
    import skimage.data

    photo = shrink_photo(skimage.data.chelsea(), 96)
    cartoon = cartoonize(photo, edge_shade=0.0)
    assert cartoon.shape == photo.shape and cartoon.dtype == np.uint8
    colours = [len(np.unique(img.reshape(-1, 3), axis=0)) for img in (photo, cartoon)]
    assert colours[1] * 10 < colours[0]
    black = (cartoon == 0).all(axis=-1)
    assert 0.01 < black.mean() < 0.3 and (photo[black].max(axis=-1) > 0).mean() > 0.9
    assert cartoonize(photo, edge_shade=0.0).tobytes() == cartoon.tobytes()


# ---------------------------------------------------------------------------- edge_smooth


def step_images(channels=3):
    """Two 32x32 images: -1 left of column 16, +1 from it (an edge), and a flat one."""
    x = np.full((2, 32, 32, channels), -1.0, np.float32)
    x[0, :, 16:] = 1.0
    return x


@pytest.mark.parametrize("channels", [1, 3])
def test_edge_smooth_blurs_only_near_edges(channels):
    x = step_images(channels)
    out = edge_smooth(x)
    assert out.shape == x.shape and out.dtype == np.float32
    np.testing.assert_array_equal(out[0, :, :11], x[0, :, :11])
    np.testing.assert_array_equal(out[0, :, 21:], x[0, :, 21:])
    assert (np.abs(out[0, :, 15:17] - x[0, :, 15:17]) > 0.1).all()
    np.testing.assert_array_equal(out[1], x[1])  # no edges, nothing changes
    np.testing.assert_array_equal(edge_smooth(x), out)
    assert out.min() >= -1.0 and out.max() <= 1.0


# ---------------------------------------------------------------------------- preprocessing


def unpaired_raw(n_a=6, n_b=4, is_test=None, **meta):
    """Flat RGB 8x8 images of values 10 * i, so a preprocessed image tells its index."""
    n = n_a + n_b
    x = np.repeat(np.arange(0, 10 * n, 10, dtype=np.uint8), 8 * 8 * 3).reshape(n, 8, 8, 3)
    domain = np.repeat(np.array([0, 1], np.int64), [n_a, n_b])
    raw = {
        "x": x,
        "y": domain.copy(),
        "domain": domain,
        "meta": {
            "kind": "images",
            "dataset": "toy",
            "value_range": [0, 255],
            "domains": ["A", "B"],
            "shared_labels": False,
            "class_names": ["A", "B"],
            **meta,
        },
    }
    if is_test is not None:
        raw["is_test"] = np.asarray(is_test, bool)
    return raw


def index_of(x: np.ndarray) -> np.ndarray:
    """The raw index of each flat preprocessed image of ``unpaired_raw``."""
    return np.rint((x[:, 0, 0, 0] + 1.0) / 2.0 * 255.0 / 10.0).astype(int)


@pytest.mark.parametrize("official", [True, False])
def test_unpaired_model_input_keeps_domains_aligned(official):
    is_test = [0, 0, 0, 0, 0, 1, 0, 0, 1, 1] if official else None
    raw = unpaired_raw(is_test=is_test)
    out = to_model_input(raw, PreprocessConfig(image_size=None, test_fraction=0.3))
    for split in ("train", "test"):
        index = index_of(out[f"x_{split}"])
        np.testing.assert_array_equal(out[f"domain_{split}"], raw["domain"][index])
        assert out[f"domain_{split}"].dtype == np.int64
    meta = out["meta"]
    assert meta["n_train_a"] + meta["n_test_a"] == 6 and meta["n_train_b"] + meta["n_test_b"] == 4
    if official:
        assert list(index_of(out["x_test"])) == [5, 8, 9] and meta["n_test_b"] == 2


def test_unpaired_data_hash_sees_the_domains():
    config = PreprocessConfig(image_size=None, test_fraction=0.0)
    raw = unpaired_raw()
    base = to_model_input(raw, config)["meta"]["data_hash"]
    assert to_model_input(unpaired_raw(), config)["meta"]["data_hash"] == base
    raw["domain"] = raw["domain"].copy()
    raw["domain"][0] = 1
    assert to_model_input(raw, config)["meta"]["data_hash"] != base


def test_a_domain_without_training_images_is_refused():
    raw = unpaired_raw(is_test=[0] * 6 + [1] * 4)
    with pytest.raises(DataError, match=r"toy: domain B \('B'\) has no training images \(4 in"):
        to_model_input(raw, PreprocessConfig())


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda raw: raw.pop("domain"), "toy: unpaired .* no 'domain' array"),
        (lambda raw: raw.update(domain=np.zeros(3, np.int64)), r"shape \(3,\); expected \(10,\)"),
        (
            lambda raw: raw.update(domain=np.full(10, 2)),
            "must hold 0 \\(A\\) or 1 \\(B\\); found 2",
        ),
        (lambda raw: raw["meta"].pop("domains"), "toy: has a 'domain' array but no meta"),
    ],
)
def test_bad_domain_arrays_are_refused(change, message):
    raw = unpaired_raw()
    change(raw)
    with pytest.raises(DataError, match=message):
        to_model_input(raw, PreprocessConfig())


def test_dataset_image_size_beats_preprocess_but_not_pairs():
    config = PreprocessConfig(image_size=16)
    out = to_model_input(unpaired_raw(image_size=4), config)
    assert out["x_train"].shape[1:] == (4, 4, 3) and out["meta"]["preprocess"]["image_size"] == 4
    paired = unpaired_raw(image_size=4, pairs={"task": "colorize", "size": 8})
    for key in ("domains", "shared_labels"):
        paired["meta"].pop(key)
    paired.pop("domain")
    assert to_model_input(paired, config)["x_train"].shape[1:] == (8, 8, 3)


def test_unpaired_arrays_round_trip_and_card_shows_both_domains(tmp_path):
    out = to_model_input(unpaired_raw(n_a=12, n_b=5), PreprocessConfig(test_fraction=0.2))
    save_arrays(tmp_path / "model_input.npz", out)
    back = load_arrays(tmp_path / "model_input.npz")
    for key in ("domain_train", "domain_test"):
        np.testing.assert_array_equal(back[key], out[key])
        assert back[key].dtype == np.int64
    assert back["meta"] == json.loads(json.dumps(out["meta"]))
    raw = unpaired_raw()
    save_arrays(tmp_path / "raw.npz", raw)
    np.testing.assert_array_equal(load_arrays(tmp_path / "raw.npz")["domain"], raw["domain"])
    card, picture = dataset_card(out)
    meta = out["meta"]
    assert card["domains"] == {
        "A": {"n_train": meta["n_train_a"], "n_test": meta["n_test_a"]},
        "B": {"n_train": meta["n_train_b"], "n_test": meta["n_test_b"]},
    }
    rows = -(-meta["n_train_a"] // 8) + -(-meta["n_train_b"] // 8)
    assert picture.size[1] == (rows * 17 + 1) * 8  # 16-px images, scaled 8x, one row per 8
