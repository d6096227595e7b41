"""Tests for paired images: derivations, the pairs config, alignment through preprocessing,
the photos source (split by photo) and the pix2pix / paired-folder readers."""

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from ganops.data.pairs import (
    PairsConfig,
    colorize_source,
    derive_source,
    downscale,
    hole_corners,
    inpaint_source,
    parse_pairs,
)
from ganops.data.sources import (
    ingest,
    photo_patches,
    read_paired_folders,
    read_pix2pix,
    shrink_photo,
)
from ganops.data.transforms import PreprocessConfig, set_channels, to_model_input
from ganops.errors import ConfigError, DataError
from ganops.pipelines.preprocess.nodes import dataset_card


def unit_images(n=4, size=8, channels=3, seed=0):
    """Random float32 images in [-1, 1]."""
    rng = np.random.default_rng(seed)
    return rng.uniform(-1.0, 1.0, (n, size, size, channels)).astype(np.float32)


# ---------------------------------------------------------------------------- derivations


def test_colorize_is_the_luma_of_set_channels():
    x = unit_images()
    source = colorize_source(x, "toy")
    assert source.shape == (4, 8, 8, 1) and source.dtype == np.float32
    np.testing.assert_allclose(source, set_channels(x, 1), rtol=1e-6)
    np.testing.assert_allclose(source[0, 0, 0, 0], x[0, 0, 0] @ [0.299, 0.587, 0.114], rtol=1e-5)


def test_colorize_refuses_gray_targets():
    with pytest.raises(DataError, match="colorization needs colour targets; toy is gray"):
        colorize_source(unit_images(channels=1), "toy")


def test_downscale_takes_block_means():
    x = unit_images(2, 8, 3)
    source = downscale(x, 4, "toy")
    assert source.shape == (2, 2, 2, 3) and source.dtype == np.float32
    np.testing.assert_allclose(source[1, 0, 1], x[1, 0:4, 4:8].mean(axis=(0, 1)), rtol=1e-5)
    np.testing.assert_allclose(source[0, 1, 0], x[0, 4:8, 0:4].mean(axis=(0, 1)), rtol=1e-5)


def test_downscale_refuses_indivisible_size():
    with pytest.raises(DataError, match=r"toy: pairs\.size 10 is not divisible by pairs\.factor 4"):
        downscale(unit_images(1, 10), 4, "toy")


def test_inpaint_center_hole_and_known_channel():
    x = unit_images(3, 8, 3)
    source = inpaint_source(x, 4, "center", 0, "toy")
    assert source.shape == (3, 8, 8, 4) and source.dtype == np.float32
    inside = np.zeros((8, 8), bool)
    inside[2:6, 2:6] = True
    for i in range(3):
        assert (source[i][inside][:, :3] == 0.0).all()
        np.testing.assert_array_equal(source[i][~inside][:, :3], x[i][~inside])
        assert (source[i][inside][:, 3] == -1.0).all() and (source[i][~inside][:, 3] == 1.0).all()


def test_inpaint_random_positions_are_seeded_per_index():
    corners = hole_corners(10, 8, 3, "random", seed=5)
    np.testing.assert_array_equal(corners, hole_corners(10, 8, 3, "random", seed=5))
    np.testing.assert_array_equal(corners[:4], hole_corners(4, 8, 3, "random", seed=5))
    assert not np.array_equal(corners, hole_corners(10, 8, 3, "random", seed=6))
    assert corners.min() >= 0 and corners.max() <= 8 - 3 and len({tuple(c) for c in corners}) > 1
    source = inpaint_source(unit_images(10, 8, 1), 3, "random", 5, "toy")
    for i, (r, c) in enumerate(corners):
        hole = source[i, :, :, 1] == -1.0
        assert hole.sum() == 9 and hole[r : r + 3, c : c + 3].all()


def test_inpaint_source_is_an_rgba_png_with_alpha_zero_in_the_hole():
    x = unit_images(1, 4, 3)
    source = inpaint_source(x, 2, "center", 0, "toy")
    alpha = (source[0, :, :, 3] + 1.0) / 2.0 * 255.0
    assert set(np.unique(alpha)) == {0.0, 255.0} and (alpha[1:3, 1:3] == 0).all()


def test_inpaint_refuses_hole_as_big_as_the_image():
    with pytest.raises(DataError, match=r"toy: pairs\.hole 8 must be smaller than pairs\.size 8"):
        inpaint_source(unit_images(1, 8), 8, "center", 0, "toy")


def test_derive_refuses_given():
    with pytest.raises(DataError, match="not derived"):
        derive_source(unit_images(), PairsConfig(task="given"), "toy")


# ---------------------------------------------------------------------------- pairs config


def test_parse_pairs_defaults_and_given():
    assert parse_pairs("d", {"task": "colorize"}, None).model_dump() == {
        "task": "colorize",
        "size": 64,
        "factor": 4,
        "hole": 16,
        "position": "random",
        "seed": 0,
    }
    given = parse_pairs("m", {"size": 32}, "pix2pix")
    assert given.task == "given" and given.size == 32
    assert parse_pairs("m", {"task": "given"}, "pix2pix").task == "given"


@pytest.mark.parametrize(
    ("raw", "given_by", "message"),
    [
        ({"task": "colorize", "colour": 1}, None, r"pairs\.colour: Extra inputs"),
        ({"size": 32}, None, r"pairs\.task: Field required"),
        ({"task": "deblur"}, None, r"pairs\.task: Input should be"),
        ({"task": "super_resolution", "factor": 1}, None, r"pairs\.factor: .*greater"),
        ({"task": "inpaint", "position": "corner"}, None, r"pairs\.position"),
        ({"task": "colorize", "hole": 8}, None, r"pairs\.hole: not used by task 'colorize'"),
        ({"task": "given"}, None, r"pairs\.task: 'given' is set by sources that come as pairs"),
        ({"task": "colorize"}, "pix2pix", r"pairs\.task: pix2pix gives its own pairs"),
        ({"factor": 2}, "paired_folders", r"pairs\.factor: not used by task 'given'"),
        ([32], None, r"pairs: must be a mapping"),
    ],
)
def test_parse_pairs_refuses_bad_blocks(raw, given_by, message):
    with pytest.raises(ConfigError, match=rf"^dataset 'd': .*{message}"):
        parse_pairs("d", raw, given_by)


def test_ingest_stores_pairs_and_refuses_points():
    data = ingest("dsr", {"format": "digits", "pairs": {"task": "super_resolution", "size": 16}})
    assert data["meta"]["pairs"]["task"] == "super_resolution" and "source" not in data
    assert json.loads(json.dumps(data["meta"])) == data["meta"]
    raw = {"format": "mixture", "layout": "ring", "modes": 4, "std": 0.1, "radius": 1.0}
    with pytest.raises(ConfigError, match=r"dataset 'r': pairs: a mixture gives 2-D points"):
        ingest("r", {**raw, "pairs": {"task": "inpaint"}})
    with pytest.raises(ConfigError, match=r"dataset 'd': pairs\.bogus: Extra inputs"):
        ingest("d", {"format": "digits", "pairs": {"task": "inpaint", "bogus": 1}})


# ---------------------------------------------------------------------------- model input


def marked_pairs(n=12, official_split=True):
    """A given-pairs raw dataset where pair i is uniformly of intensity 10 * i + 5 on both
    sides (RGB 6x6 targets, gray 4x4 sources), labelled i: any drift breaks the match."""
    values = (10 * np.arange(n) + 5).astype(np.uint8)
    raw = {
        "x": np.broadcast_to(values[:, None, None, None], (n, 6, 6, 3)).copy(),
        "source": np.broadcast_to(values[:, None, None, None], (n, 4, 4, 1)).copy(),
        "y": np.arange(n, dtype=np.int64),
        "meta": {
            "kind": "images",
            "dataset": "marked",
            "value_range": [0, 255],
            "pairs": {"task": "given", "size": 8},
        },
    }
    if official_split:
        raw["is_test"] = np.arange(n) % 3 == 0
    return raw


@pytest.mark.parametrize("official_split", [True, False])
@pytest.mark.parametrize(
    "pairs",
    [
        {"task": "given", "size": 8},
        {"task": "colorize", "size": 8},
        {"task": "super_resolution", "size": 8, "factor": 2},
        {"task": "inpaint", "size": 8, "hole": 3},
    ],
)
def test_pairs_stay_aligned_through_preprocessing(pairs, official_split):
    raw = marked_pairs(official_split=official_split)
    raw["meta"]["pairs"] = pairs
    if pairs["task"] != "given":
        del raw["source"]
    out = to_model_input(raw, PreprocessConfig(image_size=16, channels=3, test_fraction=0.25))
    expected = (10 * np.arange(12) + 5) / 127.5 - 1.0
    for split in ("train", "test"):
        x, source, y = out[f"x_{split}"], out[f"source_{split}"], out[f"y_{split}"]
        assert len(x) == len(source) == len(y) > 0
        for i in range(len(x)):
            known = source[i, ..., -1] > 0 if pairs["task"] == "inpaint" else slice(None)
            np.testing.assert_allclose(x[i], expected[y[i]], atol=1e-4)
            np.testing.assert_allclose(source[i, ..., 0][known], expected[y[i]], atol=1e-4)


def test_paired_model_input_meta_and_hash():
    raw = marked_pairs()
    out = to_model_input(raw, PreprocessConfig(image_size=16, channels=None))
    assert out["x_train"].shape == (8, 8, 8, 3) and out["source_train"].shape == (8, 8, 8, 1)
    assert out["source_test"].shape == (4, 8, 8, 1) and out["source_train"].dtype == np.float32
    meta = out["meta"]
    assert meta["sample_shape"] == [8, 8, 3] and meta["preprocess"]["image_size"] == 8
    assert meta["pairs"] == {
        "task": "given",
        "size": 8,
        "source_shape": [8, 8, 1],
    }
    assert json.loads(json.dumps(meta)) == meta
    changed = marked_pairs()
    changed["source"][1] = 0  # pair 1 is in train: only its source changes
    assert (
        to_model_input(marked_pairs(), PreprocessConfig())["meta"]["data_hash"] == meta["data_hash"]
    )
    assert to_model_input(changed, PreprocessConfig())["meta"]["data_hash"] != meta["data_hash"]


def test_paired_model_input_refuses_inconsistent_raw():
    raw = marked_pairs()
    del raw["source"]
    with pytest.raises(DataError, match=r"marked: pairs\.task 'given' needs 'source'"):
        to_model_input(raw, PreprocessConfig())
    raw = marked_pairs()
    del raw["meta"]["pairs"]
    with pytest.raises(DataError, match=r"marked: has 'source' images but no meta\['pairs'\]"):
        to_model_input(raw, PreprocessConfig())
    raw = marked_pairs()
    raw["source"] = raw["source"][:5]
    with pytest.raises(DataError, match="marked: 5 source images for 12 targets"):
        to_model_input(raw, PreprocessConfig())


def test_colorize_of_gray_dataset_is_refused():
    raw = ingest("dc", {"format": "digits", "pairs": {"task": "colorize", "size": 8}})
    with pytest.raises(DataError, match="colorization needs colour targets; dc is gray"):
        to_model_input(raw, PreprocessConfig())


def test_existing_sources_become_pairs(tmp_path):
    x = np.random.default_rng(0).integers(0, 256, (6, 28, 28), dtype=np.uint8)
    np.savez(tmp_path / "m.npz", x_train=x, y_train=np.arange(6), x_test=x[:2], y_test=[0, 1])
    raw = ingest(
        "mnist_inpaint",
        {
            "format": "npz",
            "path": str(tmp_path / "m.npz"),
            "pairs": {"task": "inpaint", "size": 32, "hole": 8},
        },
    )
    out = to_model_input(raw, PreprocessConfig(image_size=16))
    assert out["x_train"].shape == (6, 32, 32, 1) and out["source_train"].shape == (6, 32, 32, 2)
    assert out["source_test"].shape == (2, 32, 32, 2)
    assert ((out["source_train"][..., 1] == -1).sum(axis=(1, 2)) == 64).all()
    assert out["meta"]["pairs"]["source_shape"] == [32, 32, 2]


def test_unpaired_input_has_no_sources():
    out = to_model_input(ingest("d", {"format": "digits"}), PreprocessConfig(image_size=8))
    assert not {"source_train", "source_test"} & out.keys() and "pairs" not in out["meta"]


# ---------------------------------------------------------------------------- photos


def flat_photos(sizes=((20, 30), (25, 25), (18, 40), (22, 22), (30, 19))):
    """Synthetic photos, each of one intensity (40 * i + 10) so a patch tells its photo."""
    return [(f"p{i}", np.full((h, w, 3), 40 * i + 10, np.uint8)) for i, (h, w) in enumerate(sizes)]


def test_photo_patches_split_by_photo():
    data = photo_patches(flat_photos(), patch=8, patches_per_photo=3, test_photos=2, seed=1)
    x, y, is_test, meta = data["x"], data["y"], data["is_test"], data["meta"]
    assert x.shape == (15, 8, 8, 3) and x.dtype == np.uint8 and is_test.sum() == 6
    assert (x == x[:, :1, :1]).all()  # each patch lies inside one photo
    photo = (x[:, 0, 0, 0].astype(int) - 10) // 40
    assert not set(photo[is_test]) & set(photo[~is_test])
    assert sorted(meta["test_photos"]) == sorted(f"p{i}" for i in set(photo[is_test]))
    assert (y[is_test] == -1).all() and sorted(set(y[~is_test])) == [0, 1, 2]
    assert [meta["class_names"][k] for k in y[~is_test]] == [f"p{i}" for i in photo[~is_test]]
    assert not set(meta["class_names"]) & set(meta["test_photos"])
    assert json.loads(json.dumps(meta)) == meta
    again = photo_patches(flat_photos(), patch=8, patches_per_photo=3, test_photos=2, seed=1)
    np.testing.assert_array_equal(again["x"], x)
    np.testing.assert_array_equal(again["is_test"], is_test)


def noise_photos():
    """Three 30x30 photos of seeded noise: every patch position gives a different patch."""
    rng = np.random.default_rng(0)
    return [(f"r{i}", rng.integers(0, 256, (30, 30, 3), dtype=np.uint8)) for i in range(3)]


def test_photo_patches_positions_are_seeded():
    photos = noise_photos()
    a = photo_patches(photos, 6, 4, 1, seed=3)["x"]
    assert np.array_equal(a, photo_patches(photos, 6, 4, 1, seed=3)["x"])
    assert not np.array_equal(a, photo_patches(photos, 6, 4, 1, seed=4)["x"])


def test_photo_patches_flip_about_half_the_training_patches_and_no_held_out_one():
    photos = noise_photos()
    plain, flipped = (photo_patches(photos, 6, 100, 1, seed=3, flip=f) for f in (False, True))
    is_test = plain["is_test"]
    same = (plain["x"] == flipped["x"]).all(axis=(1, 2, 3))
    mirrored = (plain["x"][:, :, ::-1] == flipped["x"]).all(axis=(1, 2, 3))
    assert (same | mirrored).all() and same[is_test].all()  # the same corners, some mirrored
    assert 0.35 < mirrored[~is_test].mean() < 0.65 and flipped["meta"]["flip"] is True


def test_photo_patches_rotate_training_patches_by_quarter_turns_and_no_held_out_one():
    photos = noise_photos()
    plain, turned = (photo_patches(photos, 6, 100, 1, seed=3, rotate=r) for r in (False, True))
    is_test = plain["is_test"]
    turns = np.stack(
        [
            (np.rot90(plain["x"], k, axes=(1, 2)) == turned["x"]).all(axis=(1, 2, 3))
            for k in range(4)
        ]
    )
    assert turns.any(axis=0).all() and turns[0, is_test].all()  # the same corners, some turned
    assert all(0.15 < share < 0.35 for share in turns[:, ~is_test].mean(axis=1))
    assert turned["meta"]["rotate"] is True


def test_photo_patches_held_out_photos_give_their_own_count():
    dataset = photo_patches(noise_photos(), 6, 50, 1, seed=3, test_patches_per_photo=7)
    assert dataset["is_test"].sum() == 7 and (~dataset["is_test"]).sum() == 100
    assert dataset["meta"]["test_patches_per_photo"] == 7


def test_photo_patches_refuse_bad_options():
    with pytest.raises(ConfigError, match="test_photos: must leave a photo for training; 5 photos"):
        photo_patches(flat_photos(), 8, 2, 5, 0)
    with pytest.raises(ConfigError, match=r"patch: 20 px does not fit photo 'p2' \(40x18 WxH\)"):
        photo_patches(flat_photos(), 20, 2, 1, 0)


def test_shrink_photo():
    photo = np.zeros((400, 600, 3), np.uint8)
    assert shrink_photo(photo, 300).shape == (300, 450, 3)
    assert shrink_photo(photo, 500) is photo and shrink_photo(photo, None) is photo


@pytest.fixture(scope="module")
def photos_raw():
    return ingest("photos", {"format": "photos", "patch": 16, "patches_per_photo": 2})


def test_photos_bundled_are_the_natural_ones_of_three_wheels_and_split_by_photo(photos_raw):
    x, y, is_test, meta = (photos_raw[k] for k in ("x", "y", "is_test", "meta"))
    assert meta["photos"] == [
        "astronaut", "chelsea", "coffee", "rocket", "motorcycle_left",  # scikit-image
        "china", "flower",  # scikit-learn
        "grace_hopper",  # matplotlib
    ]  # fmt: skip
    assert meta["test_photos"] == ["china", "grace_hopper"]  # natural scenes, as those trained on
    assert x.shape == (2 * len(meta["photos"]), 16, 16, 3) and x.dtype == np.uint8
    assert len(meta["test_photos"]) == 2 and is_test.sum() == 4 and (y[is_test] == -1).all()
    assert sorted(meta["class_names"] + meta["test_photos"]) == sorted(meta["photos"])
    out = to_model_input(photos_raw, PreprocessConfig(image_size=8))
    assert out["meta"]["num_classes"] == len(meta["class_names"]) == len(set(out["y_train"]))
    assert (out["y_test"] == -1).all() and out["meta"]["n_test"] == 4
    card, _ = dataset_card(out)  # how many photos and patches each split has
    assert card["photos"] == {"train": meta["class_names"], "test": ["china", "grace_hopper"]}
    assert (card["n_train"], card["n_test"]) == (12, 4) and set(card["class_histogram"]) == set(
        meta["class_names"]
    )


def test_photos_pairs(photos_raw):
    raw = {
        **photos_raw,
        "meta": {
            **photos_raw["meta"],
            "pairs": {"task": "super_resolution", "size": 8, "factor": 4},
        },
    }
    out = to_model_input(raw, PreprocessConfig())
    assert out["x_train"].shape[1:] == (8, 8, 3) and out["source_test"].shape[1:] == (2, 2, 3)


# ---------------------------------------------------------------------------- pix2pix


def save_pair(path: Path, left: int, right: int, size=(4, 3), mode="RGB") -> None:
    """Save an A|B image: two solid halves of (W, H) ``size`` each, side by side."""
    path.parent.mkdir(parents=True, exist_ok=True)
    w, h = size
    img = Image.new(mode, (2 * w, h), left if mode == "L" else (left,) * 3)
    img.paste(right if mode == "L" else (right,) * 3, (w, 0, 2 * w, h))
    img.save(path, quality=100) if path.suffix == ".jpg" else img.save(path)


@pytest.mark.parametrize("direction", ["AtoB", "BtoA"])
def test_pix2pix_reads_halves_and_val_split(tmp_path, direction):
    for i in range(3):
        save_pair(tmp_path / "train" / f"{i}.png", 10 + i, 100 + i)
    save_pair(tmp_path / "val" / "9.jpg", 50, 200)
    data = read_pix2pix(tmp_path, direction)
    x, source = data["x"], data["source"]
    assert x.shape == source.shape == (4, 3, 4, 3) and x.dtype == np.uint8
    left, right = np.array([10, 11, 12, 50]), np.array([100, 101, 102, 200])
    inputs, targets = (left, right) if direction == "AtoB" else (right, left)
    np.testing.assert_allclose(source[:, 1, 1, 0], inputs, atol=2)  # JPEG: nearly exact
    np.testing.assert_allclose(x[:, 1, 1, 0], targets, atol=2)
    np.testing.assert_array_equal(data["is_test"], [False, False, False, True])
    meta = data["meta"]
    assert meta["files"] == ["train/0.png", "train/1.png", "train/2.png", "val/9.jpg"]
    assert meta["source"] == "pix2pix" and meta["direction"] == direction
    assert meta["n_train"] == 3 and meta["n_test"] == 1


def test_pix2pix_test_folder_or_none(tmp_path):
    save_pair(tmp_path / "a" / "train" / "0.png", 1, 2)
    save_pair(tmp_path / "a" / "test" / "1.png", 3, 4)
    assert read_pix2pix(tmp_path / "a", "AtoB")["is_test"].tolist() == [False, True]
    save_pair(tmp_path / "b" / "train" / "0.png", 1, 2, mode="L")
    data = read_pix2pix(tmp_path / "b", "AtoB")
    assert data["is_test"].tolist() == [False] and data["x"].shape == (1, 3, 4, 1)


def test_pix2pix_bad_inputs(tmp_path):
    with pytest.raises(DataError, match="nowhere: pix2pix folder not found"):
        read_pix2pix(tmp_path / "nowhere", "AtoB")
    (tmp_path / "train").mkdir()
    with pytest.raises(DataError, match=r"train: no images"):
        read_pix2pix(tmp_path, "AtoB")
    save_pair(tmp_path / "train" / "0.png", 1, 2)
    Image.new("RGB", (7, 3)).save(tmp_path / "train" / "1.png")
    with pytest.raises(DataError, match=r"1\.png: width 7 is odd"):
        read_pix2pix(tmp_path, "AtoB")
    save_pair(tmp_path / "train" / "1.png", 1, 2, size=(5, 3))
    with pytest.raises(DataError, match=r"1\.png: size 10x3 differs from expected 8x3"):
        read_pix2pix(tmp_path, "AtoB")


def test_pix2pix_missing_train(tmp_path):
    save_pair(tmp_path / "val" / "0.png", 1, 2)
    with pytest.raises(DataError, match=r"train: folder not found"):
        read_pix2pix(tmp_path, "AtoB")


def test_pix2pix_ingest_and_model_input(tmp_path):
    for i in range(4):
        save_pair(tmp_path / "train" / f"{i}.png", 10 * i, 100 + 10 * i)
    save_pair(tmp_path / "val" / "v.png", 77, 177)
    raw = ingest("maps", {"format": "pix2pix", "path": str(tmp_path), "pairs": {"size": 4}})
    assert raw["meta"]["pairs"]["task"] == "given" and raw["meta"]["dataset"] == "maps"
    out = to_model_input(raw, PreprocessConfig())
    assert out["x_train"].shape == (4, 4, 4, 3) and out["source_test"].shape == (1, 4, 4, 3)
    assert ingest("f", {"format": "pix2pix", "path": str(tmp_path)})["meta"]["pairs"]["size"] == 64
    with pytest.raises(ConfigError, match=r"dataset 'm': pairs\.task: pix2pix gives its own"):
        ingest("m", {"format": "pix2pix", "path": str(tmp_path), "pairs": {"task": "inpaint"}})


# ---------------------------------------------------------------------------- paired folders


def save_solid(path: Path, mode: str, size: tuple[int, int], value: int) -> None:
    """Save a solid image of (W, H) ``size``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new(mode, size, value if mode == "L" else (value,) * 3).save(path)


@pytest.mark.parametrize("direction", ["AtoB", "BtoA"])
def test_paired_folders_match_by_stem(tmp_path, direction):
    for stem, value in (("b", 20), ("a", 10), ("c", 30)):
        save_solid(tmp_path / "A" / f"{stem}.png", "L", (4, 4), value)
        save_solid(tmp_path / "B" / f"{stem}.bmp", "RGB", (8, 6), value + 100)
    data = read_paired_folders(tmp_path, direction)
    a, b = np.array([10, 20, 30]), np.array([110, 120, 130])
    if direction == "AtoB":
        assert data["source"].shape == (3, 4, 4, 1) and data["x"].shape == (3, 6, 8, 3)
        np.testing.assert_array_equal(data["source"][:, 0, 0, 0], a)
        np.testing.assert_array_equal(data["x"][:, 0, 0, 0], b)
    else:
        assert data["source"].shape == (3, 6, 8, 3) and data["x"].shape == (3, 4, 4, 1)
        np.testing.assert_array_equal(data["source"][:, 0, 0, 0], b)
        np.testing.assert_array_equal(data["x"][:, 0, 0, 0], a)
    meta = data["meta"]
    assert meta["files"] == ["a", "b", "c"] and meta["modes"] == {"A": "L", "B": "RGB"}
    assert "is_test" not in data and meta["source"] == "paired_folders"


def test_paired_folders_names_must_match(tmp_path):
    for stem in ("same", "onlya1", "onlya2"):
        save_solid(tmp_path / "A" / f"{stem}.png", "L", (4, 4), 1)
    for stem in ("same", "onlyb"):
        save_solid(tmp_path / "B" / f"{stem}.png", "L", (4, 4), 1)
    with pytest.raises(DataError, match=r"only in A: onlya1, onlya2; only in B: onlyb$"):
        read_paired_folders(tmp_path, "AtoB")


def test_paired_folders_bad_inputs(tmp_path):
    with pytest.raises(DataError, match="nope: paired folder not found"):
        read_paired_folders(tmp_path / "nope", "AtoB")
    save_solid(tmp_path / "A" / "x.png", "L", (4, 4), 1)
    with pytest.raises(DataError, match=r"B: folder not found"):
        read_paired_folders(tmp_path, "AtoB")
    (tmp_path / "B").mkdir()
    with pytest.raises(DataError, match=r"B: no images"):
        read_paired_folders(tmp_path, "AtoB")
    save_solid(tmp_path / "B" / "x.png", "L", (4, 4), 1)
    save_solid(tmp_path / "B" / "x.jpg", "L", (4, 4), 1)
    with pytest.raises(DataError, match=r"x\.png: same name as x\.jpg"):
        read_paired_folders(tmp_path, "AtoB")
    (tmp_path / "B" / "x.jpg").unlink()
    save_solid(tmp_path / "A" / "y.png", "L", (5, 4), 1)
    save_solid(tmp_path / "B" / "y.png", "L", (4, 4), 1)
    with pytest.raises(DataError, match=r"y\.png: size 5x4 differs from expected 4x4"):
        read_paired_folders(tmp_path, "AtoB")


def test_paired_folders_ingest(tmp_path):
    for stem in ("p", "q"):
        save_solid(tmp_path / "A" / f"{stem}.png", "RGB", (4, 4), 9)
        save_solid(tmp_path / "B" / f"{stem}.png", "RGB", (4, 4), 99)
    raw = ingest("paired", {"format": "paired_folders", "path": str(tmp_path), "direction": "BtoA"})
    assert raw["meta"]["pairs"]["task"] == "given" and raw["x"][0, 0, 0, 0] == 9
