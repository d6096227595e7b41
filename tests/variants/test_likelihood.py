"""The likelihood baselines: the VAE and PixelCNN through the one Trainer, and their NLLs."""

import itertools
import math
from pathlib import Path

import keras
import numpy as np
import pytest
import tensorflow as tf

from ganops.errors import ConfigError
from ganops.nets.likelihood import MaskedConv2D, pixelcnn
from ganops.sampling import feed, generate, latents
from ganops.training.callbacks import BestCheckpoint, Callback
from ganops.training.config import TrainConfig
from ganops.training.trainer import Trainer
from ganops.variants import LIKELIHOOD, build_variant
from ganops.variants.base import DataSpec
from ganops.variants.likelihood import binarise, bits_per_dim
from tiny import TINY_MODELS

DIGITS = DataSpec("images", (16, 16, 1), 10)


def tiny(name: str, spec: DataSpec = DIGITS, **model):
    keras.utils.set_random_seed(0)
    return build_variant(name, TINY_MODELS[name] | model, spec)


def train(gan, data: dict, steps: int, folder: Path) -> None:
    config = TrainConfig(steps=steps, batch_size=32, progress_bar=False, checkpoint_every=steps)
    Trainer(gan, config, folder, "likelihood").fit(gan.pools(data, 0))


def test_the_likelihood_variants_are_one_player_with_no_discriminator():
    assert LIKELIHOOD == ("vae", "pixelcnn")
    for name in LIKELIHOOD:
        gan = tiny(name)
        assert [p.name for p in gan.players] == [name] and gan.likelihood is not None
        assert gan.model == gan.networks  # every network's best weights are kept
        with pytest.raises(ConfigError, match="no discriminator: train.d_steps must be 1"):
            build_variant(name, TINY_MODELS[name], DIGITS, d_steps=5)
        with pytest.raises(ConfigError, match="binarised gray images.*preprocess.channels: 1"):
            build_variant(name, TINY_MODELS[name], DataSpec("images", (16, 16, 3)))
        with pytest.raises(ConfigError, match="discriminator_optimizer"):
            build_variant(name, {"discriminator_optimizer": {}}, DIGITS)


def test_binarisation_is_the_books_threshold_of_the_range():
    images = np.array([-1.0, -0.35, -0.33, 0.0, 1.0], np.float32)  # 0, .325, .335, .5, 1
    assert keras.ops.convert_to_numpy(binarise(images, 0.33)).tolist() == [0, 0, 1, 1, 1]
    assert bits_per_dim(543.4 * math.log(2.0) * 784 / 543.4, (28, 28, 1)) == pytest.approx(1.0)


def test_a_masked_convolution_sees_only_the_pixels_before_its_centre():
    for mask, centre in (("A", 0.0), ("B", 1.0)):
        layer = MaskedConv2D(mask, filters=1, kernel_size=3, use_bias=False)
        layer.build((None, 3, 3, 1))
        assert layer.mask[..., 0, 0].tolist() == [[1, 1, 1], [1, centre, 0], [0, 0, 0]]


def test_pixelcnn_logits_depend_only_on_earlier_pixels_in_raster_order():
    keras.utils.set_random_seed(0)
    network = pixelcnn(5, filters=8, residual_blocks=2, output_layers=1)
    base = np.random.default_rng(0).integers(0, 2, (1, 5, 5, 1)).astype(np.float32)
    logits = network(base).numpy()[0, ..., 0].ravel()
    for pixel in range(25):
        flipped = base.copy().reshape(-1)
        flipped[pixel] = 1 - flipped[pixel]
        changed = network(flipped.reshape(base.shape)).numpy()[0, ..., 0].ravel() != logits
        assert not changed[: pixel + 1].any(), f"pixel {pixel} leaks into its own or earlier"


def test_pixelcnn_probabilities_of_every_binary_image_sum_to_one():
    """The exact likelihood is a distribution: over all 2^9 binary 3x3 images, sum p = 1."""
    gan = tiny("pixelcnn", DataSpec("images", (3, 3, 1)))
    every = np.array(list(itertools.product([-1.0, 1.0], repeat=9)), np.float32)
    nll = gan.likelihood(every.reshape(-1, 3, 3, 1))["nll"]
    assert np.exp(-nll.astype(np.float64)).sum() == pytest.approx(1.0, abs=1e-4)


def test_pixel_by_pixel_sampling_on_row_bands_equals_sampling_on_whole_images():
    gan = tiny("pixelcnn", DataSpec("images", (8, 6, 1)))  # reach 4: bands of 5 of 8 rows
    network = gan.players[0].networks[0]
    inputs = feed(gan.generator, latents(6, 0, 3), seed=3)
    uniform = 0.5 * (1 + np.vectorize(math.erf)(inputs / math.sqrt(2)))
    pixels = np.zeros_like(inputs)
    for row, col in itertools.product(range(8), range(6)):
        p = keras.ops.sigmoid(network(pixels)).numpy()[:, row, col]
        pixels[:, row, col] = uniform[:, row, col] < p
    drawn = generate(gan.generator, 6, seed=3)
    np.testing.assert_array_equal(drawn, 2 * pixels - 1)
    assert set(np.unique(drawn)) <= {-1.0, 1.0}
    np.testing.assert_array_equal(generate(gan.generator, 6, seed=3), drawn)  # seeded
    assert not np.array_equal(generate(gan.generator, 6, seed=4), drawn)


@pytest.mark.parametrize("name", LIKELIHOOD)
def test_training_lowers_the_held_out_nll_and_the_saved_generator_samples_alike(
    name, digits_input, tmp_path
):
    gan = tiny(name)
    held_out = digits_input["x_test"][:60]
    before = gan.likelihood(held_out)
    train(gan, digits_input, 60, tmp_path / "ckpt")
    after = gan.likelihood(held_out)
    assert set(after) == ({"nll", "nll_elbo"} if name == "vae" else {"nll"})
    assert np.isfinite(after["nll"]).all() and (after["nll"] > 0).all()
    assert after["nll"].mean() < before["nll"].mean() - 10  # nats per image
    gan.generator.save(tmp_path / "generator.keras")
    loaded = keras.saving.load_model(tmp_path / "generator.keras")
    np.testing.assert_array_equal(generate(loaded, 8, 5), generate(gan.generator, 8, 5))


def test_the_vae_importance_weighted_bound_is_tighter_than_its_elbo(digits_input, tmp_path):
    gan = tiny("vae", importance_samples=20)
    train(gan, digits_input, 30, tmp_path)
    bounds = gan.likelihood(digits_input["x_test"][:100])
    assert bounds["nll"].mean() < bounds["nll_elbo"].mean()
    assert gan.likelihood(digits_input["x_test"][:100])["nll"] == pytest.approx(bounds["nll"])


def test_the_vae_draws_the_books_three_figures(digits_input):
    pictures = tiny("vae").pictures(digits_input)
    assert list(pictures) == ["reconstructions", "latent_scatter", "latent_grid"]
    for caption, picture in pictures.values():
        assert "held-out" in caption.lower() or "grid" in caption
        assert picture.dtype == np.uint8 and picture.size > 0
    rows = pictures["reconstructions"][1]
    assert rows.shape[:2] == (4 * 17 * 4 + 4, 10 * 17 * 4 + 4)  # 4 rows of 10, 16px x4


@pytest.mark.parametrize("name", LIKELIHOOD)
def test_a_resumed_run_reaches_the_weights_of_an_uninterrupted_one(name, digits_input, tmp_path):
    tf.config.experimental.enable_op_determinism()
    runs = {}
    for label, stops in (("straight", [6]), ("resumed", [3, 6])):
        for steps in stops:  # the second Trainer resumes the first's checkpoint at step 3
            gan = tiny(name)
            config = TrainConfig(steps=steps, batch_size=16, progress_bar=False, checkpoint_every=3)
            history = Trainer(gan, config, tmp_path / label, "run").fit(gan.pools(digits_input, 0))
        runs[label] = (history, [np.array(v) for v in gan.players[0].variables])
    assert list(runs["resumed"][0]["step"]) == [1, 2, 3, 4, 5, 6]
    for a, b in zip(runs["straight"][1], runs["resumed"][1], strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_the_best_checkpoint_keeps_the_vae_encoder_of_the_best_step(digits_input, tmp_path):
    scores = iter([1.0, 5.0])  # the step-2 generator is the best
    gan = tiny("vae")
    best = BestCheckpoint(lambda _: next(scores), every=2, folder=tmp_path)
    encoder = gan.players[0].networks[0]
    config = TrainConfig(steps=4, batch_size=16, progress_bar=False, checkpoint_every=2)
    kept = {}

    class Snapshot(Callback):
        def on_step(self, trainer, step, logs):
            kept[step] = [np.array(w) for w in encoder.get_weights()]

    Trainer(gan, config, tmp_path, "run", [Snapshot(), best]).fit(gan.pools(digits_input, 0))
    for now, at_best in zip(encoder.get_weights(), kept[2], strict=True):
        np.testing.assert_array_equal(now, at_best)
    assert not all(np.array_equal(a, b) for a, b in zip(kept[2], kept[4], strict=True))
