"""Generator inputs known by name, and the Feed every caller draws through."""

import keras
import numpy as np
import pytest

from ganops.errors import ConfigError, GanopsError
from ganops.evaluation.evaluate import better, held_out, primary
from ganops.sampling import Feed, Inputs, feed, latents, source_pictures


def model(**inputs):
    tensors = [keras.Input(shape, name=name) for name, shape in inputs.items()]
    flat = [keras.layers.Flatten()(t) for t in tensors]
    joined = keras.layers.Concatenate()(flat) if len(flat) > 1 else flat[0]
    return keras.Model(tensors if len(tensors) > 1 else tensors[0], keras.layers.Dense(4)(joined))


def test_inputs_are_known_by_name_only():
    assert Inputs.of(model(z=(8,))) == Inputs(latent_dim=8)
    assert Inputs.of(model(z=(8,), label=(3,))) == Inputs(8, "label", 3)
    assert Inputs.of(model(image=(4, 4, 2))) == Inputs(image=(4, 4, 2))
    assert Inputs.of(model(noise=(4, 4, 1))) == Inputs(noise=(4, 4, 1))
    with pytest.raises(GanopsError, match=r"input\(s\) \['mystery'\] have no known name"):
        Inputs.of(model(mystery=(8,)))


def test_noise_is_drawn_from_the_seed():
    noisy = model(noise=(4, 4, 1))
    first, again, other = (feed(noisy, latents(3, 0, seed), seed=seed) for seed in (5, 5, 6))
    assert first.shape == (3, 4, 4, 1) and np.array_equal(first, again)
    assert not np.array_equal(first, other)


def test_feed_translates_held_out_sources_in_order_and_draws_latents_otherwise():
    image = keras.Input((4, 4, 1), name="image")
    double = keras.Model(image, keras.layers.Rescaling(2.0)(image))
    sources = np.arange(3 * 16, dtype=np.float32).reshape(3, 4, 4, 1) / 100
    feed = Feed(sources, -sources)
    np.testing.assert_allclose(feed.samples(double, 4, seed=0), 2 * sources[[0, 1, 2, 0]])
    rows, cols = feed.rows(double, 2, seed=0)  # sources, outputs, targets
    assert cols == 2 and rows.shape == (6, 4, 4, 1)
    np.testing.assert_allclose(rows[4:], -sources[:2])
    with pytest.raises(GanopsError, match="no source images"):
        Feed().samples(double, 2, 0)
    sampler = model(z=(8,))
    a, b = Feed().samples(sampler, 5, seed=1), Feed(sources).samples(sampler, 5, seed=1)
    np.testing.assert_array_equal(a, b)


def test_a_style_taker_without_held_out_styles_is_one_message():
    image, style = keras.Input((4, 4, 1), name="image"), keras.Input((4, 4, 1), name="style")
    styled = keras.Model([image, style], keras.layers.Add()([image, style]))
    only_a = Feed(np.zeros((3, 4, 4, 1), np.float32), domains=np.zeros(3, np.int64))
    with pytest.raises(GanopsError, match="no held-out images of domain B to take the style of"):
        only_a.samples(styled, 2, seed=0)


def test_source_pictures_match_the_outputs_shape():
    low = np.zeros((2, 4, 4, 1), np.float32)
    assert source_pictures(low, np.zeros((2, 16, 16, 3))).shape == (2, 16, 16, 3)
    holed = np.ones((1, 4, 4, 4), np.float32)
    holed[0, 1, 1, -1] = -1.0
    shown = source_pictures(holed, np.zeros((1, 4, 4, 3)))
    assert shown.shape == (1, 4, 4, 3) and shown[0, 1, 1, 0] == -1.0 and shown[0, 0, 0, 0] == 1.0
    colour = np.full((2, 4, 4, 3), 0.5, np.float32)  # colour sources beside gray outputs: luma
    np.testing.assert_allclose(source_pictures(colour, np.zeros((2, 4, 4, 1))), 0.5, rtol=1e-6)


def test_held_out_feed_of_paired_and_unpaired_data(digits_input, paired_inputs):
    assert held_out(digits_input).sources is None
    feed = held_out(paired_inputs["inpaint"])
    assert feed.sources is paired_inputs["inpaint"]["source_test"]


def test_primary_metrics_have_a_direction():
    assert primary("psnr") == ("psnr", "higher") and primary("l1") == ("l1", "lower")
    assert better(2.0, 1.0, "higher") and not better(1.0, 1.0, "lower")
    with pytest.raises(ConfigError, match="unknown metric 'accuracy'; known: fid"):
        primary("accuracy")


def test_a_primary_metric_the_data_does_not_measure_is_refused_before_training(
    digits_input, paired_inputs
):
    from ganops.evaluation.evaluate import primary_score
    from ganops.evaluation.features import build_classifier

    with pytest.raises(ConfigError, match="primary_metric 'l1' needs paired data"):
        primary_score(None, {}, 8, metric="l1", model_input=digits_input)
    data = paired_inputs["colorize"]
    extractor = build_classifier(tuple(data["meta"]["sample_shape"]), 3, 8)
    with pytest.raises(ConfigError, match="'psnr_y' is not measured for colorize pairs"):
        primary_score(extractor, {}, 8, metric="psnr_y", model_input=data)
    assert callable(primary_score(extractor, {}, 8, metric="ssim", model_input=data))
