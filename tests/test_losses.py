import math

import numpy as np
import pytest

from ganops.losses import discriminator_minimax, generator_minimax, generator_non_saturating

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
