import numpy as np
import pytest

from ganops.data.sources import ingest
from ganops.data.transforms import (
    PreprocessConfig,
    fingerprint,
    resize_images,
    scale_to_unit,
    set_channels,
    split_indices,
    to_model_input,
)
from ganops.errors import ConfigError, DataError
from ganops.pipelines.preprocess.nodes import dataset_card


def images(n=10, size=8, channels=1, seed=0):
    x = np.random.default_rng(seed).integers(0, 256, (n, size, size, channels), dtype=np.uint8)
    return {
        "x": x,
        "y": np.arange(n) % 3,
        "meta": {"kind": "images", "dataset": "toy", "value_range": [0, 255]},
    }


def test_scale_maps_value_range_onto_minus_one_one():
    x = np.array([0, 127.5, 255], np.float32)
    np.testing.assert_allclose(scale_to_unit(x, (0, 255)), [-1, 0, 1])
    with pytest.raises(DataError, match="value_range"):
        scale_to_unit(x, (1, 1))


def test_resize_keeps_range_and_shape():
    x = scale_to_unit(images(4, 8)["x"], (0, 255))
    out = resize_images(x, 16)
    assert out.shape == (4, 16, 16, 1) and out.dtype == np.float32
    assert out.min() >= -1 and out.max() <= 1
    assert resize_images(x, 8) is x


def test_channels_convert_both_ways():
    gray = np.zeros((2, 4, 4, 1), np.float32)
    assert set_channels(gray, 3).shape == (2, 4, 4, 3)
    assert set_channels(np.ones((2, 4, 4, 3), np.float32), 1).shape == (2, 4, 4, 1)
    np.testing.assert_allclose(set_channels(np.ones((1, 2, 2, 3), np.float32), 1), 1, rtol=1e-6)
    assert set_channels(gray, None) is gray


def test_split_is_seeded_and_respects_official_split():
    a = split_indices(100, 0.2, seed=3)
    b = split_indices(100, 0.2, seed=3)
    assert all(np.array_equal(p, q) for p, q in zip(a, b, strict=True))
    assert len(a[1]) == 20 and not set(a[0]) & set(a[1])
    is_test = np.arange(10) >= 7
    train, test = split_indices(10, 0.5, 0, is_test)
    assert list(test) == [7, 8, 9] and list(train) == list(range(7))


def test_model_input_has_labels_meta_and_hash():
    out = to_model_input(images(20), PreprocessConfig(image_size=16, test_fraction=0.25))
    assert out["x_train"].shape == (15, 16, 16, 1) and out["x_test"].shape == (5, 16, 16, 1)
    assert out["meta"]["num_classes"] == 3 and out["meta"]["sample_shape"] == [16, 16, 1]
    assert out["x_train"].min() >= -1 and out["x_train"].max() <= 1
    again = to_model_input(images(20), PreprocessConfig(image_size=16, test_fraction=0.25))
    assert again["meta"]["data_hash"] == out["meta"]["data_hash"]
    other = to_model_input(images(20, seed=1), PreprocessConfig(image_size=16))
    assert other["meta"]["data_hash"] != out["meta"]["data_hash"]


@pytest.mark.parametrize(
    ("labels", "message"),
    [
        (
            [0, 1, 2, 255],
            r"labels run from 0 to 255 but 252 of those classes .*\(3, 4, 5, 6, 7, \.\.\.\)",
        ),
        ([0, 2, 2, 0], r"toy: labels run from 0 to 2 but 1 of those classes have no images \(1\)"),
        (  # found without counting up to the largest label (8 TiB of memory)
            [0, 1, 2**40, 3],
            r"labels run from 0 to 1099511627776 but 1099511627773 .*\(2, 4, 5, 6, 7, \.\.\.\)",
        ),
    ],
)
def test_classes_without_images_are_refused(labels, message):
    raw = images(4) | {"y": np.array(labels)}
    with pytest.raises(DataError, match=message):
        to_model_input(raw, PreprocessConfig(image_size=8, test_fraction=0.0))


def test_points_pass_through_unscaled():
    raw = {
        "x": np.array([[3.0, -4.0], [0.5, 0.5]], np.float32),
        "meta": {"kind": "points", "dataset": "pts"},
    }
    out = to_model_input(raw, PreprocessConfig(test_fraction=0.0))
    np.testing.assert_array_equal(out["x_train"], raw["x"])
    assert out["meta"]["num_classes"] == 0 and (out["y_train"] == -1).all()


@pytest.mark.parametrize(
    ("x", "message"),
    [
        (np.full((3, 4, 4, 1), np.nan, np.float32), "NaN"),
        (np.zeros((3, 4, 4, 2), np.uint8), "shape"),
        (np.zeros((3, 4, 4), np.uint8), "shape"),
    ],
)
def test_bad_images_are_refused_naming_the_dataset(x, message):
    raw = {"x": x, "meta": {"kind": "images", "dataset": "broken", "value_range": [0, 255]}}
    with pytest.raises(DataError, match=f"broken.*{message}"):
        to_model_input(raw, PreprocessConfig())


def test_empty_dataset_is_refused():
    raw = {
        "x": np.zeros((0, 4, 4, 1), np.uint8),
        "meta": {"kind": "images", "dataset": "empty", "value_range": [0, 255]},
    }
    with pytest.raises(DataError, match="empty: no samples"):
        to_model_input(raw, PreprocessConfig())


@pytest.mark.parametrize("official", [False, True])
def test_a_split_that_leaves_nothing_to_train_on_is_refused(official):
    raw = images(3) | ({"is_test": np.ones(3, bool)} if official else {})
    with pytest.raises(DataError, match="toy: all 3 samples are held out for testing"):
        to_model_input(raw, PreprocessConfig(image_size=8, test_fraction=0.9))


def test_fingerprint_sees_dtype_and_shape():
    a = np.zeros(4, np.float32)
    assert fingerprint(a) != fingerprint(a.astype(np.float64))
    assert fingerprint(a) != fingerprint(a.reshape(2, 2))


def test_a_resize_is_logged_and_noted_with_the_setting_that_asked_for_it(caplog):
    raw = ingest("digits", {"format": "digits"})
    with caplog.at_level("INFO", logger="ganops.data.transforms"):
        shrunk = to_model_input(raw, PreprocessConfig(image_size=16))
    assert "digits: images resized from 8x8 to 16x16 (preprocess.image_size; an image_size" in (
        caplog.text
    )
    assert shrunk["meta"]["resized"]["from"] == [8, 8] and shrunk["meta"]["resized"]["to"] == [
        16,
        16,
    ]
    assert dataset_card(shrunk)[0]["resized"] == shrunk["meta"]["resized"]
    caplog.clear()
    own = ingest("digits", {"format": "digits", "image_size": 12})
    with caplog.at_level("INFO", logger="ganops.data.transforms"):
        to_model_input(own, PreprocessConfig(image_size=16))
        kept = to_model_input(
            ingest("digits", {"format": "digits", "image_size": 8}), PreprocessConfig()
        )
    assert caplog.messages == [
        "digits: images resized from 8x8 to 12x12 (its own image_size in parameters_ingest.yml)"
    ]
    assert "resized" not in kept["meta"] and "resized" not in dataset_card(kept)[0]
    caplog.clear()
    pairs = {"format": "digits", "pairs": {"task": "super_resolution", "size": 16, "factor": 2}}
    with caplog.at_level("INFO", logger="ganops.data.transforms"):
        paired = to_model_input(ingest("digits", pairs), PreprocessConfig())
    assert paired["meta"]["resized"]["by"] == "its pairs.size in parameters_ingest.yml"


def test_a_dataset_may_set_its_own_domain_classifier_and_its_card_says_so():
    own = to_model_input(
        ingest("digits", {"format": "digits", "classifier": {"head": "flatten"}}),
        PreprocessConfig(),
    )
    assert own["meta"]["classifier"] == {"head": "flatten"}
    assert dataset_card(own)[0]["classifier"] == {"head": "flatten"}
    with pytest.raises(ConfigError, match="dataset 'digits': classifier.head: Input should be"):
        ingest("digits", {"format": "digits", "classifier": {"head": "max"}})
    with pytest.raises(ConfigError, match="dataset 'digits': classifier: a mapping"):
        ingest("digits", {"format": "digits", "classifier": "flatten"})
