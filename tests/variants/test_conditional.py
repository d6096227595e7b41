"""Conditional variants: label plumbing, semi-supervised labels, conditional metrics."""

import keras
import numpy as np
import pytest

from ganops.data.transforms import hide_labels, labelled_subset
from ganops.errors import ConfigError, DataError, GanopsError
from ganops.evaluation import metrics
from ganops.evaluation.evaluate import EvaluationConfig, evaluate
from ganops.evaluation.features import features_and_probabilities
from ganops.sampling import Inputs, balanced, class_rows, generate
from ganops.training.trainer import sample_batches
from ganops.variants import build_variant
from ganops.variants.base import DataSpec, image_pool
from ganops.variants.sgan import semi_supervised_pools
from tiny import TINY_MODELS

DIGITS = DataSpec("images", (16, 16, 1), 10)


def built(name, spec=DIGITS, **model):
    keras.utils.set_random_seed(0)
    return build_variant(name, TINY_MODELS[name] | model, spec)


@pytest.mark.parametrize(
    ("name", "kind"), [("cgan", "label"), ("acgan", "label"), ("infogan", "code")]
)
def test_the_generators_output_changes_with_its_class_or_code(name, kind):
    generator = built(name).generator
    assert Inputs.of(generator).categorical == kind
    zeros, threes = generate(generator, 4, seed=5, values=0), generate(generator, 4, 5, values=3)
    assert not np.allclose(zeros, threes)
    np.testing.assert_array_equal(zeros, generate(generator, 4, seed=5, values=[0, 0, 0, 0]))


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (10, "label 10 is out of range: this generator has 10 labels \\(0 to 9\\)"),
        (-1, "label -1 is out of range"),
        ([1, 2], "give one label or one per sample \\(4\\)"),
        ([0.5, 1, 2, 3], "labels must be integers"),
    ],
)
def test_wrong_labels_give_a_clear_error(values, message):
    with pytest.raises(GanopsError, match=message):
        generate(built("cgan").generator, 4, seed=0, values=values)


def test_unconditional_generators_refuse_labels():
    with pytest.raises(GanopsError, match="not conditional"):
        generate(built("dcgan").generator, 4, seed=0, values=1)


def test_grids_have_one_row_per_class():
    values, cols = class_rows(built("infogan").generator, 64)
    assert cols == 6
    np.testing.assert_array_equal(values.reshape(10, 6), np.arange(10)[:, None].repeat(6, 1))
    assert class_rows(built("dcgan").generator, 64) == (None, None)


def test_class_conditional_variants_need_labels():
    with pytest.raises(ConfigError, match="variant 'cgan' needs a labelled dataset"):
        built("cgan", DataSpec("images", (16, 16, 1), 0))
    assert built("infogan", DataSpec("images", (16, 16, 1), 0)).generator  # needs none


def test_packing_is_refused_for_conditional_variants():
    with pytest.raises(ConfigError, match="packing is for unconditional variants only"):
        built("acgan", stabilizers={"pack": 2})


def test_labelled_subset_is_balanced_and_seeded():
    y = np.repeat(np.arange(10), 30)
    keep = labelled_subset(y, 25, seed=1)
    assert np.bincount(y[keep]).tolist() == [3] * 5 + [2] * 5
    np.testing.assert_array_equal(keep, labelled_subset(y, 25, seed=1))
    hidden = hide_labels(y, keep)
    assert (hidden >= 0).sum() == 25 and set(hidden[hidden < 0]) == {-1}
    with pytest.raises(DataError, match="need 31 of class 0, which has only 30"):
        labelled_subset(y, 310, seed=0)


def test_partly_labelled_data_gives_labelled_batches_of_labelled_examples_only():
    x = np.arange(100, dtype=np.float32)[:, None]
    data = {"x_train": x, "y_train": np.arange(100) % 10, "meta": {"num_classes": 10}}
    pools = semi_supervised_pools(10)(data, 0)
    assert (pools["real"]["y"] >= 0).sum() == 10
    batches = sample_batches(pools, step=0, shape=(2, 8), seed=0)
    kept = set(x[pools["real"]["y"] >= 0].ravel())
    assert set(batches["x_labelled"].ravel()) <= kept
    np.testing.assert_array_equal(batches["y_labelled"], batches["x_labelled"][..., 0] % 10)
    assert "labelled" not in semi_supervised_pools(100)(data, 0)  # fully labelled: one pool


def test_sgan_classifier_is_its_discriminators_first_k_outputs():
    gan = built("sgan")
    x = np.random.default_rng(0).uniform(-1, 1, (3, 16, 16, 1)).astype(np.float32)
    logits = keras.ops.convert_to_numpy(gan.players[0].networks[0](x))
    probabilities = gan.classify.predict(x, verbose=0)
    assert logits.shape == (3, 11) and probabilities.shape == (3, 10)
    np.testing.assert_allclose(probabilities, keras.ops.softmax(logits[:, :10]), rtol=1e-5)


def test_code_matching_recovers_a_known_permutation():
    rng = np.random.default_rng(0)
    permutation = rng.permutation(10)
    codes = rng.integers(0, 10, 2000)
    classes = permutation[codes]
    noisy = rng.random(2000) < 0.1
    classes[noisy] = rng.integers(0, 10, noisy.sum())
    accuracy, mapping = metrics.code_matching(codes, np.eye(10)[classes])
    np.testing.assert_array_equal(mapping, permutation)
    assert 0.88 < accuracy < 0.94


def test_conditional_accuracy_of_real_images_is_the_classifiers_and_random_labels_chance(
    digits_input, digits_extractor
):
    classifier, reference = digits_extractor
    _, probabilities = features_and_probabilities(classifier, digits_input["x_test"])
    y = digits_input["y_test"]
    own = metrics.accuracy(probabilities, y)
    assert own == pytest.approx(reference["meta"]["test_accuracy"], abs=0.02)
    assert own > 0.5  # the fixture's classifier trains for 8 epochs only
    shuffled = np.random.default_rng(0).integers(0, 10, len(y))
    assert abs(metrics.accuracy(probabilities, shuffled) - 0.1) < 0.08


def test_intra_class_fid_is_small_for_matching_classes_only(digits_input, digits_extractor):
    classifier, reference = digits_extractor
    features, _ = features_and_probabilities(classifier, digits_input["x_train"])
    labels = reference["labels"]
    matching = metrics.intra_class_fid(reference["features"], labels, features, labels)
    swapped = metrics.intra_class_fid(reference["features"], labels, features, (labels + 1) % 10)
    assert sorted(matching) == list(range(10))
    assert max(matching.values()) < 1e-3 < min(swapped.values())


def test_evaluation_of_real_images_asked_as_their_own_classes(digits_input, digits_extractor):
    classifier, reference = digits_extractor
    config = EvaluationConfig(kid_subsets=5, kid_subset_size=100)
    x, y = digits_input["x_train"][:500], digits_input["y_train"][:500]
    values, _ = evaluate(x, digits_input, classifier, reference, config, ("label", y))
    assert values["conditional_accuracy"] > 0.5
    assert (
        0
        < values["intra_fid"]
        == pytest.approx(np.mean([values[f"intra_fid_class_{c}"] for c in range(10)]))
    )
    codes, _ = evaluate(x, digits_input, classifier, reference, config, ("code", (y + 3) % 10))
    assert codes["code_matching_accuracy"] > 0.5
    assert [codes[f"class_of_code_{c}"] for c in range(10)] == [(c - 3) % 10 for c in range(10)]
    assert "intra_fid" not in codes and balanced(5, 3).tolist() == [0, 1, 2, 0, 1]


@pytest.mark.parametrize("name", ["cgan", "acgan", "sgan", "infogan"])
def test_conditional_variants_train_on_a_labelled_color_image_folder(name, tmp_path):
    from PIL import Image

    from ganops.data.sources import read_image_folder
    from ganops.data.transforms import PreprocessConfig, to_model_input
    from ganops.training.run import train_run
    from tiny import TINY_TRAIN

    rng = np.random.default_rng(0)
    for label, colour in enumerate(["red", "green", "blue"]):
        (tmp_path / "raw" / colour).mkdir(parents=True)
        for i in range(12):
            pixels = rng.integers(0, 60, (8, 8, 3), dtype=np.uint8)
            pixels[..., label] += 180
            Image.fromarray(pixels).save(tmp_path / "raw" / colour / f"{i}.png")
    data = to_model_input(read_image_folder(tmp_path / "raw"), PreprocessConfig(image_size=8))
    model = TINY_MODELS[name] | ({"labelled": 6} if name == "sgan" else {})
    model |= {"codes": 3} if name == "infogan" else {}
    result = train_run(data, name, model, TINY_TRAIN, tmp_path / "ckpt", tmp_path / "reports")
    assert np.isfinite(list(result.summary["final_losses"].values())).all()
    values, cols = class_rows(result.gan.generator, 6)
    assert generate(result.gan.generator, 6, 0, values).shape == (6, 8, 8, 3)
    if name != "sgan":
        assert cols == 2


def test_sgan_also_trains_on_fully_labelled_data(digits_input):
    from ganops.training import backend

    gan = built("sgan")
    call = backend.make_train_call(gan)
    batches = sample_batches(image_pool(digits_input, 0), 0, (2, 8), 0)
    assert "x_labelled" not in batches
    logs = call(batches)
    assert np.isfinite(logs["d_class_loss"]) and np.isfinite(logs["g_loss"])
