import mlflow
import numpy as np
import pandas as pd
import pytest
from mlflow.exceptions import MlflowException

from ganops.sampling import generate, latents
from ganops.serving.pyfunc import MAX_IMAGES, request_inputs, to_output


@pytest.fixture(scope="module")
def served(tracking_uri):
    """The registered champions loaded as MLflow loads them to serve (schema enforced)."""
    mlflow.set_tracking_uri(tracking_uri)
    return {
        variant: mlflow.pyfunc.load_model(f"models:/ganops-{variant}-digits@champion")
        for variant in ("gan", "cgan", "infogan")
    }


def keras_model(served, variant):
    return served[variant].unwrap_python_model().generator


def test_requests_give_seeded_images_in_unit_range(served):
    out = served["gan"].predict(pd.DataFrame({"n": [3, 2], "seed": [7, 8]}))
    assert out.shape == (5, 16, 16, 1) and out.dtype == np.float32
    assert out.min() >= 0.0 and out.max() <= 1.0
    again = served["gan"].predict(pd.DataFrame({"n": [3], "seed": [7]}))
    np.testing.assert_allclose(out[:3], again, rtol=0, atol=1e-6)  # batch of 5 vs 3: ulps apart
    assert not np.array_equal(out[:2], out[3:])


@pytest.mark.parametrize(
    ("variant", "table", "message"),
    [
        ("gan", {"n": [0], "seed": [1]}, "n must be between 1 and"),
        ("gan", {"n": [MAX_IMAGES + 1], "seed": [1]}, "n must be between"),
        ("gan", {"n": [200, 200], "seed": [1, 2]}, f"at most {MAX_IMAGES} images per call"),
        ("gan", {"n": [1.5], "seed": [1]}, "'n' must be an integer"),
        ("gan", {"n": [1], "seed": [-1]}, "row 0: seed must be a non-negative integer"),
        ("gan", {"count": [1], "seed": [1]}, r"missing column\(s\) \['n'\]"),
        ("gan", {"z": [[0.0] * 3]}, "row 0: 'z' must be 4 finite numbers, got shape \\(3,\\)"),
        ("gan", {"z": [[0.0, 1.0, float("nan"), 0.0]]}, "'z' must be 4 finite numbers"),
        ("gan", {"z": [["a", "b", "c", "d"]]}, "'z' must be a list of numbers"),
        ("gan", {"z": [[0.0] * 4] * (MAX_IMAGES + 1)}, f"at most {MAX_IMAGES} images per call"),
        ("gan", {"z": [[0.0] * 4], "n": [1], "seed": [0]}, "not both"),
        ("gan", {"n": [], "seed": []}, "empty"),
        ("gan", {"n": [1], "seed": [0], "label": [3]}, "row 0: 'label': .* not conditional"),
        ("gan", {"z": [[0.0] * 4], "code": [3]}, "row 0: 'code': .* not conditional"),
        ("cgan", {"n": [1, 1], "seed": [0, 0], "label": [3, 10]}, "row 1: label 10 is out of"),
        ("cgan", {"n": [1], "seed": [0], "label": [-1]}, r"label -1 is out of range.*\(0 to 9\)"),
        ("cgan", {"n": [1], "seed": [0], "label": [2.5]}, "row 0: 'label' must be an integer"),
        ("cgan", {"z": [[0.0] * 8], "label": [10]}, "row 0: label 10 is out of range"),
        ("cgan", {"n": [1], "seed": [0], "code": [1]}, "'code': .* not a code: give labels"),
        ("cgan", {"n": [1], "seed": [0], "continuous": [[0.0]]}, "takes no continuous codes"),
        ("infogan", {"n": [1], "seed": [0], "label": [1]}, "'label': .* give codes instead"),
        ("infogan", {"n": [1], "seed": [0], "code": [10]}, "row 0: code 10 is out of range"),
        ("infogan", {"n": [1], "seed": [0], "continuous": [[0.0]]}, "'continuous' must be 2"),
        ("infogan", {"z": [[0.0] * 8] * 2, "continuous": [[0.0, 0.0], None]}, "every 'z' row"),
        ("gan", {"n": [1], "seed": [0], "truncation": [0.0]}, "row 0: 'truncation' must be a"),
        ("gan", {"n": [1], "seed": [0], "truncation": ["x"]}, "must be a number of at least"),
        ("gan", {"z": [[0.0] * 4], "truncation": [0.5]}, "not to 'z' rows"),
    ],
)
def test_bad_requests_are_refused_with_a_clear_message(served, variant, table, message):
    with pytest.raises(MlflowException, match=message) as err:
        request_inputs(pd.DataFrame(table), keras_model(served, variant))
    assert err.value.get_http_status_code() == 400


def test_the_served_model_validates_too(served):
    with pytest.raises(MlflowException, match="n must be between"):
        served["gan"].predict(pd.DataFrame({"n": [0], "seed": [0]}))
    with pytest.raises(MlflowException, match="label 12 is out of range") as err:
        served["cgan"].predict(pd.DataFrame({"n": [2], "seed": [0], "label": [12]}))
    assert err.value.get_http_status_code() == 400


def test_truncated_requests_draw_what_the_python_api_draws(served):
    from ganops.serving.load import Generator

    model, generator = served["gan"], Generator(keras_model(served, "gan"), "gan")
    table = pd.DataFrame({"n": [4, 2], "seed": [3, 5], "truncation": [0.5, None]})
    out = model.predict(table)
    np.testing.assert_allclose(out[:4], generator.generate(4, 3, truncation=0.5), atol=1e-6)
    np.testing.assert_allclose(out[4:], generator.generate(2, 5), atol=1e-6)
    assert not np.allclose(out[:4], generator.generate(4, 3), atol=1e-6)


def test_latent_rows_give_one_image_each_matching_the_seeded_ones(served):
    z = latents(3, 4, seed=7)
    out = served["gan"].predict(pd.DataFrame({"z": [list(map(float, v)) for v in z]}))
    np.testing.assert_allclose(
        out, served["gan"].predict(pd.DataFrame({"n": [3], "seed": [7]})), atol=1e-6
    )


def test_labels_steer_the_served_cgan_and_match_the_evaluation_draw(served):
    model, generator = served["cgan"], keras_model(served, "cgan")

    def images(label, n=4, seed=3):
        return model.predict(pd.DataFrame({"n": [n], "seed": [seed], "label": [label]}))

    np.testing.assert_array_equal(images(2), images(2))
    assert not np.allclose(images(2), images(5), atol=1e-6)
    np.testing.assert_allclose(images(2), to_output(generate(generator, 4, 3, 2)), atol=1e-6)
    unlabelled = model.predict(pd.DataFrame({"n": [4], "seed": [3]}))  # balanced, as evaluated
    np.testing.assert_allclose(unlabelled, to_output(generate(generator, 4, 3)), atol=1e-6)
    both = model.predict(pd.DataFrame({"n": [4, 2], "seed": [3, 9], "label": [2, 7]}))
    np.testing.assert_allclose(both, np.concatenate([images(2), images(7, 2, 9)]), atol=1e-6)


def test_null_labels_are_balanced(served):
    table = pd.DataFrame({"n": [4], "seed": [3], "label": [None]})
    out = served["cgan"].predict(table)
    np.testing.assert_allclose(
        out, to_output(generate(keras_model(served, "cgan"), 4, 3)), atol=1e-6
    )


def test_latent_rows_take_each_image_s_label(served):
    model = served["cgan"]
    z = [list(map(float, v)) for v in latents(3, 8, seed=7)]
    labelled = model.predict(pd.DataFrame({"z": z, "label": [4, 4, 4]}))
    seeded = model.predict(pd.DataFrame({"n": [3], "seed": [7], "label": [4]}))
    np.testing.assert_allclose(labelled, seeded, atol=1e-6)
    balanced = model.predict(pd.DataFrame({"z": z}))  # classes 0, 1, 2
    np.testing.assert_allclose(
        balanced, model.predict(pd.DataFrame({"z": z, "label": [0, 1, 2]})), atol=1e-6
    )


def test_infogan_takes_codes_and_continuous_codes(served):
    model, generator = served["infogan"], keras_model(served, "infogan")

    def images(**columns):
        return model.predict(pd.DataFrame({"n": [4], "seed": [3]} | columns))

    np.testing.assert_array_equal(images(code=[1]), images(code=[1]))
    assert not np.allclose(images(code=[1]), images(code=[6]), atol=1e-6)
    np.testing.assert_allclose(images(), to_output(generate(generator, 4, 3)), atol=1e-6)
    fixed = images(code=[1], continuous=[[0.5, -0.5]])
    np.testing.assert_allclose(
        fixed, to_output(generate(generator, 4, 3, 1, np.tile([0.5, -0.5], (4, 1)))), atol=1e-6
    )
    assert not np.allclose(fixed, images(code=[1]), atol=1e-6)


def test_a_generator_without_z_takes_seeded_rows_only():
    """PixelCNN draws from seeded noise: z rows, truncation and decode(z) are refused."""
    from ganops.errors import GanopsError
    from ganops.serving.load import Generator
    from ganops.variants import build_variant
    from ganops.variants.base import DataSpec
    from tiny import TINY_MODELS

    spec = DataSpec("images", (4, 4, 1))
    model = build_variant("pixelcnn", TINY_MODELS["pixelcnn"], spec).generator
    for table, message in [
        ({"z": [[0.0]]}, r"no latent z: it takes no 'z': give columns \['n', 'seed'\]"),
        ({"n": [1], "seed": [0], "truncation": [0.5]}, "no latent z: it takes no 'truncation'"),
    ]:
        with pytest.raises(MlflowException, match=message) as err:
            request_inputs(pd.DataFrame(table), model)
        assert err.value.get_http_status_code() == 400
    assert request_inputs(pd.DataFrame({"n": [2], "seed": [0]}), model).shape == (2, 4, 4, 1)
    generator = Generator(model, "pixelcnn")
    with pytest.raises(GanopsError, match="no latent z: it takes no z, only n and seed"):
        generator.decode(np.zeros((1, 2)))
    with pytest.raises(GanopsError, match="it takes no truncation, only n and seed"):
        generator.generate(1, 0, truncation=0.5)
    assert generator.generate(2, seed=0).shape == (2, 4, 4, 1)
