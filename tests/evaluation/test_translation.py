import numpy as np
import pytest
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

from ganops.errors import ConfigError, DataError
from ganops.evaluation.translation import (
    PSNR_CAP,
    baseline,
    bicubic_upsample,
    biharmonic_baseline,
    colorize_baseline,
    paste,
    pixel_metrics,
    sr_metrics,
    translation_metrics,
    y_channel,
)

WANG = {"gaussian_weights": True, "sigma": 1.5, "use_sample_covariance": False}


def textured(n=2, size=32, channels=3, seed=0):
    """Random images in [-1, 1] (float32)."""
    return np.random.default_rng(seed).uniform(-1, 1, (n, size, size, channels)).astype(np.float32)


def gradient(n=2, size=32, channels=3):
    """Smooth images in [-1, 1]: a slow sine across, a ramp down, a per-channel offset."""
    rows, cols = np.mgrid[0:size, 0:size] / (size - 1)
    base = 0.5 * np.sin(3 * cols) + 0.4 * rows - 0.2
    image = np.stack([base + 0.1 * c for c in range(channels)], axis=-1)
    return np.repeat(image[None], n, axis=0).astype(np.float32)


def inpaint_sources(images, top=8, size=12):
    """Images with a square hole zeroed and the mask channel (+1 known / -1 hole)."""
    known = np.ones(images.shape[:3] + (1,), np.float32)
    known[:, top : top + size, top : top + size] = -1.0
    return np.concatenate([np.where(known < 0, 0.0, images), known], axis=-1).astype(np.float32)


def unit(x):
    return (x.astype(np.float64) + 1) / 2


def test_identical_images_have_zero_l1_unit_ssim_and_the_psnr_cap():
    x = textured()
    assert pixel_metrics(x, x) == {"l1": 0.0, "psnr": PSNR_CAP, "ssim": pytest.approx(1.0)}


def test_a_shifted_image_scores_as_skimage_itself():
    x = gradient(1, channels=3) + 0.3 * textured(1, seed=1) * 0.5
    x = np.clip(x, -1, 1)
    shifted = np.roll(x, 1, axis=2)
    metrics = pixel_metrics(shifted, x)
    expected_ssim = structural_similarity(
        unit(x[0]), unit(shifted[0]), data_range=1.0, channel_axis=-1, **WANG
    )
    expected_psnr = peak_signal_noise_ratio(unit(x[0]), unit(shifted[0]), data_range=1.0)
    assert metrics["ssim"] < 1.0
    assert metrics["ssim"] == pytest.approx(expected_ssim, rel=1e-12)
    assert metrics["psnr"] == pytest.approx(expected_psnr, rel=1e-12)


def test_a_constant_offset_of_a_tenth_gives_20_db():
    x = textured(3, channels=1) * 0.8 - 0.1  # in [-0.9, 0.7]: the offset stays inside [-1, 1]
    metrics = pixel_metrics(x + np.float32(0.2), x)
    assert metrics["psnr"] == pytest.approx(20.0, abs=1e-5)
    assert metrics["l1"] == pytest.approx(0.1, abs=1e-6)


def test_small_images_use_the_largest_odd_window_and_tiny_ones_are_refused():
    x, y = textured(1, size=8, seed=2), textured(1, size=8, seed=3)
    expected = structural_similarity(
        unit(x[0]), unit(y[0]), data_range=1.0, channel_axis=-1, win_size=7, **WANG
    )
    assert pixel_metrics(y, x)["ssim"] == pytest.approx(expected, rel=1e-12)
    with pytest.raises(DataError, match="at least 7x7"):
        pixel_metrics(textured(1, size=6), textured(1, size=6))


def test_malformed_inputs_are_data_errors():
    with pytest.raises(DataError, match="differ in shape"):
        pixel_metrics(textured(2, size=32), textured(2, size=16))
    with pytest.raises(DataError, match=r"in \[-1, 1\]"):
        pixel_metrics(textured() * 255, textured())
    with pytest.raises(DataError, match="C in"):
        pixel_metrics(textured(channels=2), textured(channels=2))


def test_y_channel_follows_the_bt601_formula_on_pure_colours():
    colours = np.array([[1, 1, 1], [-1, -1, -1], [1, -1, -1], [-1, 1, -1], [-1, -1, 1]])
    images = np.broadcast_to(colours[:, None, None, :], (5, 2, 2, 3)).astype(np.float32)
    expected = np.array([235, 16, 16 + 65.481, 16 + 128.553, 16 + 24.966]) / 255
    y = y_channel(images)
    assert y.shape == (5, 2, 2, 1)
    np.testing.assert_allclose(y[:, 0, 0, 0], expected, atol=1e-12)
    gray = textured(channels=1)
    np.testing.assert_allclose(y_channel(gray), unit(gray))


def test_sr_metrics_ignore_the_cropped_border():
    target, factor = textured(2, size=32, seed=4), 4
    output = target.copy()
    output[:, :factor] = -output[:, :factor]
    output[:, :, -factor:] = 0.0
    assert pixel_metrics(output, target)["psnr"] < 20
    assert sr_metrics(output, target, factor) == {"psnr_y": PSNR_CAP, "ssim_y": pytest.approx(1.0)}
    output[:, factor] = 0.0  # the first row inside the crop
    assert sr_metrics(output, target, factor)["psnr_y"] < PSNR_CAP
    with pytest.raises(ConfigError, match="factor"):
        sr_metrics(output, target, 0)


def test_colorize_baseline_repeats_the_gray_channel():
    gray = textured(channels=1)
    colour = baseline("colorize", gray, (2, 32, 32, 3))
    assert colour.shape == (2, 32, 32, 3) and colour.dtype == np.float32
    assert (colour == gray).all()  # each channel equals the gray source
    assert colorize_baseline(gray).shape == colour.shape


def test_bicubic_upsampling_keeps_constants_and_stays_in_range():
    constant = np.full((2, 8, 8, 3), 0.37, np.float32)
    up = baseline("super_resolution", constant, (2, 32, 32, 3), factor=4)
    assert up.shape == (2, 32, 32, 3)
    np.testing.assert_allclose(up, 0.37, atol=1e-6)
    checker = np.where(np.indices((8, 8)).sum(0) % 2, 1.0, -1.0)[None, :, :, None]
    up = bicubic_upsample(checker.astype(np.float32), 2)  # Keys bicubic overshoots: clipped
    assert up.shape == (1, 16, 16, 1) and up.min() >= -1 and up.max() <= 1
    inferred = baseline("super_resolution", constant, (2, 16, 16, 3))  # factor from the shapes
    assert inferred.shape == (2, 16, 16, 3)
    with pytest.raises(DataError, match="baseline has shape"):
        baseline("super_resolution", constant, (2, 16, 16, 3), factor=4)


def test_biharmonic_fills_a_smooth_hole_closely_and_keeps_known_pixels():
    images = gradient(2, size=32, channels=3)
    sources = inpaint_sources(images)
    filled = baseline("inpaint", sources, images.shape)
    hole = sources[..., -1] < 0
    assert filled.shape == images.shape and filled.dtype == np.float32
    assert (filled[~hole] == images[~hole]).all()
    assert np.abs(filled - images)[hole].max() < 0.02
    gray = biharmonic_baseline(inpaint_sources(gradient(1, channels=1)))
    assert gray.shape == (1, 32, 32, 1)
    everything = inpaint_sources(images, top=0, size=32)
    with pytest.raises(DataError, match="all hole"):
        biharmonic_baseline(everything)


def test_paste_takes_predictions_only_inside_the_hole():
    images, predictions = textured(seed=5), textured(seed=6)
    sources = inpaint_sources(images)
    hole = sources[..., -1] < 0
    pasted = paste(sources, predictions)
    assert (pasted[hole] == predictions[hole]).all() and (pasted[~hole] == images[~hole]).all()
    with pytest.raises(DataError, match="do not match"):
        paste(sources, predictions[..., :1])


def test_baseline_dispatch():
    assert baseline("given", textured(), (2, 32, 32, 3)) is None
    with pytest.raises(ConfigError, match="task"):
        baseline("deblur", textured(), (2, 32, 32, 3))


def test_translation_metrics_per_task():
    target = textured(2, seed=7) * 0.8 - 0.1
    sources = inpaint_sources(target)
    hole = sources[..., -1:] < 0
    output = np.where(hole, target + np.float32(0.2), target)
    inpaint = translation_metrics(output, target, "inpaint", sources=sources)
    assert inpaint["l1_hole"] == pytest.approx(0.1, abs=1e-6)
    assert inpaint["psnr_hole"] == pytest.approx(20.0, abs=1e-5)
    assert inpaint["l1"] < inpaint["l1_hole"] and inpaint["psnr"] > 20
    assert set(translation_metrics(output, target, "super_resolution", factor=2)) == {
        "l1",
        "psnr",
        "ssim",
        "psnr_y",
        "ssim_y",
    }
    assert set(translation_metrics(output, target, "colorize")) == {"l1", "psnr", "ssim"}
    with pytest.raises(ConfigError, match="sources"):
        translation_metrics(output, target, "inpaint")
    with pytest.raises(ConfigError, match="factor"):
        translation_metrics(output, target, "super_resolution")
    with pytest.raises(DataError, match="no hole"):
        translation_metrics(output, target, "inpaint", sources=inpaint_sources(target, size=0))
