import numpy as np
import pytest

from ganops.errors import DataError
from ganops.evaluation.features import (
    ClassifierConfig,
    extractor_version,
    features_and_probabilities,
    fit_extractor,
    train_classifier,
)


def test_domain_classifier_learns_and_gives_features_and_probabilities(
    digits_input, digits_extractor
):
    classifier, reference = digits_extractor
    assert reference["meta"]["test_accuracy"] > 0.5  # chance is 0.1
    features, probabilities = features_and_probabilities(classifier, digits_input["x_test"][:7])
    assert features.shape == (7, 128) and probabilities.shape == (7, 10)
    np.testing.assert_allclose(probabilities.sum(1), 1, rtol=1e-5)
    assert reference["features"].shape == (len(digits_input["x_train"]), 128)


def test_points_are_their_own_features(ring_input):
    extractor, info = fit_extractor(ring_input, ClassifierConfig())
    features, probabilities = features_and_probabilities(extractor, ring_input["x_train"][:5])
    np.testing.assert_allclose(features, ring_input["x_train"][:5], rtol=1e-6)
    assert probabilities is None and info["version"] == "identity"


def test_classifier_needs_labels(digits_input):
    unlabeled = {**digits_input, "meta": {**digits_input["meta"], "num_classes": 0}}
    with pytest.raises(DataError, match="digits: a domain classifier needs labels"):
        train_classifier(unlabeled, ClassifierConfig(epochs=1))


def test_version_follows_data_and_settings():
    base = extractor_version("abc", ClassifierConfig())
    assert base == extractor_version("abc", ClassifierConfig())
    assert base != extractor_version("abd", ClassifierConfig())
    assert base != extractor_version("abc", ClassifierConfig(epochs=3))
