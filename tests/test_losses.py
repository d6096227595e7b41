import math

import numpy as np
import pytest

from ganops.losses import (
    critic_wasserstein,
    discriminator_hinge,
    discriminator_least_squares,
    discriminator_minimax,
    generator_hinge,
    generator_least_squares,
    generator_minimax,
    generator_non_saturating,
    generator_squared_error,
    generator_wasserstein,
    gradient_penalty,
    interpolate,
)

LOG2 = math.log(2.0)


def f(x):
    return float(np.asarray(x))


def test_undecided_discriminator_gives_log_two_per_term():
    zero = np.zeros((4, 1), np.float32)
    assert f(discriminator_minimax(zero, zero)) == pytest.approx(2 * LOG2, rel=1e-5)
    assert f(generator_non_saturating(zero)) == pytest.approx(LOG2, rel=1e-5)
    assert f(generator_minimax(zero)) == pytest.approx(-LOG2, rel=1e-5)


def test_confident_correct_discriminator_has_small_loss_and_label_smoothing_raises_it():
    real, fake = np.full((4, 1), 8.0, np.float32), np.full((4, 1), -8.0, np.float32)
    assert f(discriminator_minimax(real, fake)) < 1e-3
    assert f(discriminator_minimax(real, fake, real_label=0.9)) > 0.5


def test_non_saturating_keeps_a_large_loss_when_fakes_are_caught():
    caught = np.full((4, 1), -8.0, np.float32)
    assert f(generator_non_saturating(caught)) == pytest.approx(8.0, abs=1e-2)
    assert f(generator_minimax(caught)) == pytest.approx(0.0, abs=1e-3)  # saturated


def test_wasserstein_losses_are_differences_of_mean_scores():
    real, fake = np.array([[1.0], [3.0]], np.float32), np.array([[-2.0], [0.0]], np.float32)
    assert f(critic_wasserstein(real, fake)) == pytest.approx(-1.0 - 2.0)
    assert f(generator_wasserstein(fake)) == pytest.approx(1.0)


def test_least_squares_losses_by_hand():
    real, fake = np.array([[1.0], [0.0]], np.float32), np.array([[0.0], [2.0]], np.float32)
    # real: ((0)^2 + (-1)^2)/2 = 0.5; fake: (0 + 4)/2 = 2 -> 0.5 * 0.5 + 0.5 * 2
    assert f(discriminator_least_squares(real, fake)) == pytest.approx(1.25)
    # real label 0.5: ((0.5)^2 + (0.5)^2)/2 = 0.25 -> 0.125 + 1
    assert f(discriminator_least_squares(real, fake, real_label=0.5)) == pytest.approx(1.125)
    # fake: ((-1)^2 + 1^2)/2 = 1 -> 0.5
    assert f(generator_least_squares(fake)) == pytest.approx(0.5)
    # the translation papers' generator side: the same mean square, not halved
    assert f(generator_squared_error(fake)) == pytest.approx(1.0)


def test_the_translation_families_weigh_least_squares_as_their_papers():
    from ganops.variants.game import OBJECTIVES, TRANSLATION_OBJECTIVES

    assert TRANSLATION_OBJECTIVES["least_squares"][1] is generator_squared_error
    assert OBJECTIVES["least_squares"][1] is generator_least_squares  # LSGAN: Mao's 1/2


def test_hinge_losses_ignore_outputs_beyond_the_margin():
    real, fake = np.array([[2.0], [0.5]], np.float32), np.array([[-3.0], [0.0]], np.float32)
    # real: (0 + 0.5)/2 = 0.25; fake: (0 + 1)/2 = 0.5
    assert f(discriminator_hinge(real, fake)) == pytest.approx(0.75)
    assert f(generator_hinge(fake)) == pytest.approx(1.5)


def test_gradient_penalty_takes_each_image_norm_over_all_pixel_axes():
    grads = np.stack([np.full((2, 2, 1), 0.5), np.full((2, 2, 1), 1.5)]).astype(np.float32)
    # norms sqrt(4 * 0.25) = 1 and sqrt(4 * 2.25) = 3 -> ((1 - 1)^2 + (3 - 1)^2) / 2
    assert f(gradient_penalty(grads)) == pytest.approx(2.0, rel=1e-5)


def test_gradient_penalty_on_points_has_a_finite_gradient_at_zero():
    import tensorflow as tf

    grads = tf.Variable([[3.0, 4.0], [0.0, 0.0]])  # norms 5 and 0
    with tf.GradientTape() as tape:
        penalty = gradient_penalty(grads)
    assert f(penalty) == pytest.approx((16.0 + 1.0) / 2, rel=1e-5)
    assert np.isfinite(tape.gradient(penalty, grads).numpy()).all()


@pytest.mark.parametrize("shape", [(3, 2), (3, 4, 4, 2)])
def test_interpolate_moves_each_sample_by_its_own_alpha(shape):
    rng = np.random.default_rng(0)
    real, fake = rng.normal(size=(2, *shape)).astype(np.float32)
    out = np.asarray(interpolate(real, fake, np.array([0.0, 1.0, 0.5], np.float32)))
    expected = np.stack([real[0], fake[1], (real[2] + fake[2]) / 2])
    np.testing.assert_allclose(out, expected, atol=1e-6)
