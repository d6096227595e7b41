import warnings

import numpy as np
import pytest

from ganops.data.sources import make_mixture
from ganops.evaluation import metrics
from ganops.evaluation.metrics import (
    classifier_score,
    density_coverage,
    fid,
    frechet_distance,
    kid,
    knn_radii,
    mixture_metrics,
    nearest_neighbours,
    precision_recall,
)

RNG = np.random.default_rng(0)


def gaussian(n=2000, d=8, shift=0.0, scale=1.0, seed=0):
    return np.random.default_rng(seed).normal(shift, scale, size=(n, d))


def test_frechet_distance_closed_form_for_shifted_and_scaled_gaussians():
    d = 4
    eye = np.eye(d)
    assert frechet_distance(np.zeros(d), eye, np.zeros(d), eye) == pytest.approx(0, abs=1e-9)
    # ||mu||^2 + Tr(I + 4I - 2 * 2I) = d * shift^2 + d
    value = frechet_distance(np.zeros(d), eye, np.full(d, 3.0), 4 * eye)
    assert value == pytest.approx(d * 9 + d, rel=1e-9)


def test_fid_of_a_set_with_itself_is_zero_and_grows_with_the_shift():
    a = gaussian()
    assert fid(a, a) == pytest.approx(0, abs=1e-6)
    near, far = fid(a, gaussian(shift=0.5, seed=1)), fid(a, gaussian(shift=2.0, seed=1))
    assert near == pytest.approx(8 * 0.25, rel=0.15) and far == pytest.approx(8 * 4, rel=0.1)


def test_fid_uses_no_scipy_argument_on_its_way_out():
    with warnings.catch_warnings():  # pytest hides DeprecationWarnings: SciPy 1.18 drops `disp`
        warnings.simplefilter("error")
        assert fid(gaussian(50), gaussian(50, seed=1)) > 0


def test_kid_is_unbiased_near_zero_for_one_distribution_and_positive_otherwise():
    same, _ = kid(gaussian(seed=1), gaussian(seed=2), subsets=20, subset_size=500)
    other, _ = kid(gaussian(seed=1), gaussian(shift=1.0, seed=2), subsets=20, subset_size=500)
    assert abs(same) < 0.02 and other > 0.5


def test_knn_radius_excludes_the_point_itself():
    x = np.array([[0.0], [1.0], [3.0]])
    np.testing.assert_allclose(knn_radii(x, 1), [1.0, 1.0, 2.0])


def test_precision_recall_separate_quality_from_diversity():
    real = gaussian(1000, 2)
    p, r = precision_recall(real, gaussian(1000, 2, seed=5))
    assert p > 0.9 and r > 0.9
    collapsed = np.repeat(real[:1], 1000, axis=0)  # perfect quality, no diversity
    p, r = precision_recall(real, collapsed)
    assert p == 1.0 and r < 0.05
    p, r = precision_recall(real, gaussian(1000, 2, shift=10.0, seed=5))
    assert p == 0.0 and r == 0.0


def test_density_and_coverage():
    real = gaussian(1000, 2)
    density, coverage = density_coverage(real, gaussian(1000, 2, seed=7))
    assert 0.8 < density < 1.2 and coverage > 0.9
    density, coverage = density_coverage(real, np.repeat(real[:1], 1000, axis=0))
    assert coverage < 0.05


def test_classifier_score_bounds():
    confident_uniform = np.eye(10)[np.arange(1000) % 10]
    assert classifier_score(confident_uniform)[0] == pytest.approx(10, rel=1e-6)
    assert classifier_score(np.full((1000, 10), 0.1))[0] == pytest.approx(1, rel=1e-6)
    one_class = np.eye(10)[np.zeros(1000, int)]
    assert classifier_score(one_class)[0] == pytest.approx(1, rel=1e-6)


def test_exact_mixture_samples_cover_every_mode_with_the_2d_three_sigma_share():
    for layout, modes in (("ring", 8), ("grid", 25)):
        raw = make_mixture(layout, modes=modes, n=20000, std=0.05, radius=2.0, seed=3)
        result = mixture_metrics(raw["x"], raw["meta"]["means"], 0.05)
        assert result["modes_covered"] == modes
        assert result["high_quality"] == pytest.approx(1 - np.exp(-4.5), abs=0.004)
        assert result["kl_from_uniform"] < 0.01


def test_a_collapsed_generator_covers_one_mode():
    raw = make_mixture("ring", modes=8, n=100, std=0.05, radius=2.0, seed=0)
    means = np.asarray(raw["meta"]["means"])
    collapsed = means[2] + RNG.normal(0, 0.01, size=(500, 2))
    result = mixture_metrics(collapsed, means, 0.05)
    assert result["modes_covered"] == 1 and result["high_quality"] == 1.0
    assert result["kl_from_uniform"] == pytest.approx(np.log(8), rel=1e-6)


def test_nearest_neighbours_find_copies():
    pool = gaussian(300, 5)
    index, distance = nearest_neighbours(pool[[7, 42]], pool)
    assert list(index) == [7, 42] and np.allclose(distance, 0, atol=1e-6)


def test_class_coverage_counts_classes_and_measures_imbalance():
    eye = np.eye(10)
    balanced = metrics.class_coverage(np.tile(eye, (10, 1)))
    assert balanced["classes_covered"] == 10
    assert balanced["class_kl_from_uniform"] == pytest.approx(0)
    collapsed = metrics.class_coverage(np.tile(eye[3], (100, 1)))
    assert collapsed["classes_covered"] == 1
    assert collapsed["class_kl_from_uniform"] == pytest.approx(np.log(10))
    few = np.concatenate([np.tile(eye[0], (199, 1)), eye[[1]]])  # 1 of 200 < 10% of 20
    assert metrics.class_coverage(few)["classes_covered"] == 1


def test_a_diffuse_cloud_passes_fd_but_not_the_mixture_metrics():
    """The README's old example: a Gaussian cloud with the ring's mean and covariance scores
    FD ≈ 0 on 2-D points; the mixture fit and the modes counted on the papers' 2,500 samples
    (with a minimum share each, not a single chance hit) are not fooled."""
    ring = make_mixture("ring", modes=8, n=20000, std=0.02, radius=2.0, seed=0)
    means = np.asarray(ring["meta"]["means"])
    cloud = np.random.default_rng(1).multivariate_normal(
        ring["x"].mean(0), np.cov(ring["x"].T), size=2500
    )
    assert metrics.fid(ring["x"], cloud) < 0.05
    result = mixture_metrics(cloud, means, 0.02)
    assert result["mixture_fit"] < 0.05 and result["modes_covered"] == 0
    on_ring = mixture_metrics(ring["x"][:2500], means, 0.02)
    assert on_ring["mixture_fit"] > 0.95 and on_ring["modes_covered"] == 8


def test_mixture_fit_of_a_collapse_is_one_mode_s_share():
    means = np.asarray(make_mixture("ring", 8, 100, 0.05, 2.0, 0)["meta"]["means"])
    collapsed = means[2] + RNG.normal(0, 0.01, size=(2500, 2))
    assert mixture_metrics(collapsed, means, 0.05)["mixture_fit"] == pytest.approx(1 / 8)


def test_reverse_kl_is_over_the_samples_on_the_data():
    """Off-data samples do not count: half the samples on two modes, half far away."""
    means = np.asarray(make_mixture("ring", 8, 100, 0.05, 2.0, 0)["meta"]["means"])
    on = np.repeat(means[:2], 500, axis=0)
    result = mixture_metrics(np.concatenate([on, np.full((1000, 2), 9.0)]), means, 0.05)
    assert result["kl_from_uniform"] == pytest.approx(np.log(4), rel=1e-6)
    assert result["high_quality"] == 0.5
    assert result["mixture_fit"] == pytest.approx(2 / 8)  # two modes, each up to its due 1/8


def test_no_sample_on_the_data_is_as_far_from_uniform_as_a_collapse():
    means = np.asarray(make_mixture("ring", 8, 100, 0.05, 2.0, 0)["meta"]["means"])
    result = mixture_metrics(np.zeros((2500, 2)), means, 0.05)  # all at the ring's centre
    assert result["high_quality"] == 0 and result["kl_from_uniform"] == pytest.approx(np.log(8))
