import numpy as np
import pytest

from ganops.data.sources import make_mixture
from ganops.errors import DataError
from ganops.evaluation.evaluate import (
    EvaluationConfig,
    distribution_metrics,
    evaluate,
    fd_kid,
    memorization,
)
from ganops.evaluation.features import fit_extractor, identity_extractor
from ganops.sampling import decode, generate, latents
from ganops.variants import build_variant
from ganops.variants.base import DataSpec

FAST = EvaluationConfig(samples=300, kid_subsets=10, kid_subset_size=100)


def test_real_images_beat_noise_on_every_metric(digits_input, digits_extractor):
    classifier, reference = digits_extractor
    real, _ = evaluate(digits_input["x_test"], digits_input, classifier, reference, FAST)
    noise = np.random.default_rng(0).uniform(-1, 1, digits_input["x_test"].shape)
    fake, picture = evaluate(noise.astype(np.float32), digits_input, classifier, reference, FAST)
    assert real["fid"] < fake["fid"] and real["kid"] < fake["kid"]
    assert real["precision"] > fake["precision"] and real["coverage"] > fake["coverage"]
    assert real["classifier_score"] > fake["classifier_score"]
    assert picture.ndim == 2 and picture.shape[1] > picture.shape[0] / 4


def test_copies_of_training_images_are_flagged_as_memorised(digits_input):
    copied, _ = memorization(
        digits_input["x_train"][:50], digits_input["x_train"], digits_input["x_test"]
    )
    held_out, _ = memorization(
        digits_input["x_test"], digits_input["x_train"], digits_input["x_test"]
    )
    assert copied["memorization_ratio"] == pytest.approx(0.0, abs=1e-6)
    assert held_out["memorization_ratio"] == pytest.approx(1.0)


def test_points_get_mode_coverage(ring_input):
    extractor, _ = fit_extractor(ring_input, FAST.classifier)
    reference = {"features": ring_input["x_train"]}
    exact = make_mixture("ring", 8, n=2000, std=0.02, radius=2.0, seed=9)["x"]
    result, picture = evaluate(exact, ring_input, extractor, reference, FAST)
    assert result["modes_covered"] == 8 and result["high_quality"] > 0.95
    assert picture is None and "classifier_score" not in result
    assert identity_extractor((2,)).output_shape == (None, 2)


def test_generate_is_seeded_and_batched(digits_input):
    generator = build_variant(
        "gan", {"latent_dim": 4, "generator_units": [8]}, DataSpec.from_meta(digits_input["meta"])
    ).generator
    a = generate(generator, 1500, seed=3)
    assert a.shape == (1500, 16, 16, 1)
    z = latents(1500, 4, seed=3)  # another batch size may pick another float kernel: ulps apart
    np.testing.assert_allclose(a, decode(generator, z, batch_size=700), rtol=0, atol=1e-6)
    assert not np.array_equal(a, generate(generator, 1500, seed=4))


def test_mode_coverage_counts_mixture_modes_and_classes(ring_input, digits_input, digits_extractor):
    from ganops.evaluation.evaluate import mode_coverage

    ring = mode_coverage(identity_extractor((2,)), ring_input["meta"])
    points = ring_input["x_train"]
    assert ring(points) == 1.0
    assert ring(np.repeat(points[:1], 100, axis=0)) == 1 / 8
    digits = mode_coverage(digits_extractor[0], digits_input["meta"])
    assert digits(digits_input["x_train"][:500]) == 1.0
    assert digits(np.repeat(digits_input["x_train"][:1], 100, axis=0)) == 0.1
    unlabeled = {**digits_input["meta"], "num_classes": 0}  # e.g. Inception's ImageNet classes
    assert mode_coverage(digits_extractor[0], unlabeled) is None


def test_too_few_samples_for_a_metric_is_one_clear_message():
    rows = np.random.default_rng(0).normal(size=(300, 8))
    with pytest.raises(DataError, match="FD and KID need at least 2 real .* got 1 real and 300"):
        fd_kid(rows[:1], rows, FAST)
    with pytest.raises(DataError, match="density/coverage need at least 6 .* got 300 real and 5"):
        distribution_metrics(rows, rows[:5], FAST)


def test_the_registry_re_measures_mixture_fit_on_evaluations_sample_count(ring_input):
    from ganops.evaluation import metrics
    from ganops.evaluation.evaluate import mixture_score

    spec = DataSpec.from_meta(ring_input["meta"])
    generator = build_variant("gan", {"latent_dim": 2, "generator_units": [16]}, spec).generator
    meta = ring_input["meta"]
    evaluated = generate(generator, 10_000, 0)[: metrics.MIXTURE_SAMPLES]  # as evaluate() does
    expected = metrics.mixture_metrics(evaluated, meta["means"], meta["std"])["mixture_fit"]
    assert mixture_score(ring_input, 10_000, 0)(generator) == expected
