import numpy as np
import pytest

from ganops.errors import ConfigError, DataError
from ganops.evaluation import features as features_module
from ganops.evaluation.features import (
    ClassifierConfig,
    cached_extractor,
    extractor_version,
    features_and_probabilities,
    fit_extractor,
    for_dataset,
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
    assert base != extractor_version("abc", ClassifierConfig(head="flatten"))


def test_the_average_head_keeps_the_versions_extractors_had_before_heads_existed():
    # mnist5k_m's committed classifier, named before ``head`` was a setting
    version = extractor_version("6c21346d18144c68", ClassifierConfig())
    assert version == "domain-classifier-fc20745fdfed"


def test_a_dataset_s_own_classifier_settings_override_the_evaluation_s():
    config = ClassifierConfig(epochs=7)
    assert for_dataset(config, {}) is config
    own = for_dataset(config, {"classifier": {"head": "flatten"}})
    assert own.head == "flatten" and own.epochs == 7


@pytest.mark.parametrize("head", ["average", "flatten"])
def test_each_head_gives_features_and_probabilities(digits_input, head):
    config = ClassifierConfig(epochs=1, head=head)
    model, info = train_classifier(digits_input, config)
    features, probabilities = features_and_probabilities(model, digits_input["x_test"][:3])
    assert features.shape == (3, 128) and probabilities.shape == (3, 10)
    assert info["version"] == extractor_version(digits_input["meta"]["data_hash"], config)


@pytest.fixture(scope="session")
def inception_files(tmp_path_factory):
    """Inception-v3 weights files (randomly initialised: no download) with and without top."""
    import keras

    folder = tmp_path_factory.mktemp("inception")
    files = {}
    for top in (True, False):
        path = folder / f"inception-{'top' if top else 'notop'}.weights.h5"
        keras.applications.InceptionV3(include_top=top, weights=None, pooling="avg").save_weights(
            path
        )
        files[top] = path
    return files


def test_inception_weights_with_top_give_pool_features_and_imagenet_probabilities(
    digits_input, inception_files
):
    extractor, info = fit_extractor(digits_input, ClassifierConfig(), inception_files[True])
    features, probabilities = features_and_probabilities(extractor, digits_input["x_test"][:3])
    assert features.shape == (3, 2048) and probabilities.shape == (3, 1000)
    np.testing.assert_allclose(probabilities.sum(1), 1, rtol=1e-4)
    assert info["version"].startswith("inception-v3-") and info["feature_dim"] == 2048


def test_inception_weights_without_top_give_pool_features_only(digits_input, inception_files):
    extractor, info = fit_extractor(digits_input, ClassifierConfig(), inception_files[False])
    features, probabilities = features_and_probabilities(extractor, digits_input["x_test"][:2])
    assert features.shape == (2, 2048) and probabilities is None
    other = fit_extractor(digits_input, ClassifierConfig(), inception_files[True])[1]
    assert info["version"] != other["version"]  # versioned by the file's content


def test_bad_inception_weights_are_named(digits_input, tmp_path):
    missing = tmp_path / "nowhere.weights.h5"
    with pytest.raises(ConfigError, match="inception_weights: .*nowhere.weights.h5 is not a file"):
        fit_extractor(digits_input, ClassifierConfig(), missing)
    garbage = tmp_path / "garbage.weights.h5"
    garbage.write_bytes(b"not weights")
    with pytest.raises(ConfigError, match="garbage.weights.h5 holds no Inception-v3 weights"):
        fit_extractor(digits_input, ClassifierConfig(), garbage)


def test_cached_extractor_is_reused_while_data_and_settings_stay(
    digits_input, tmp_path, monkeypatch
):
    config = ClassifierConfig(epochs=1)
    first, info = cached_extractor(digits_input, config, None, tmp_path)
    assert (tmp_path / f"{info['version']}.keras").is_file()

    def refit(*args):
        raise AssertionError("refitted an unchanged extractor")

    monkeypatch.setattr(features_module, "train_classifier", refit)
    again, same = cached_extractor(digits_input, config, None, tmp_path)
    assert same == info
    x = digits_input["x_test"][:4]
    np.testing.assert_allclose(
        features_and_probabilities(again, x)[0], features_and_probabilities(first, x)[0], atol=1e-5
    )
    with pytest.raises(AssertionError, match="refitted"):  # other settings: a new version
        cached_extractor(digits_input, ClassifierConfig(epochs=2), None, tmp_path)
