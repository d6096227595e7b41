import mlflow
import numpy as np
import pandas as pd
import pytest
from mlflow.exceptions import MlflowException

from ganops.serving.pyfunc import MAX_IMAGES, GeneratorModel, request_latents, signature
from ganops.variants import build_variant
from ganops.variants.base import DataSpec
from stores import use_mlflow_store


@pytest.fixture(scope="module")
def logged_model(tmp_path_factory, digits_input):
    folder = tmp_path_factory.mktemp("pyfunc")
    generator = build_variant(
        "gan", {"latent_dim": 4, "generator_units": [8]}, DataSpec.from_meta(digits_input["meta"])
    ).generator
    generator.save(folder / "generator.keras")
    use_mlflow_store(folder)
    with mlflow.start_run():
        info = mlflow.pyfunc.log_model(
            name="generator",
            python_model=GeneratorModel(),
            artifacts={"generator": str(folder / "generator.keras")},
            signature=signature((16, 16, 1)),
            input_example=pd.DataFrame({"n": [2], "seed": [0]}),
        )
    return mlflow.pyfunc.load_model(info.model_uri)


def test_requests_give_seeded_images_in_unit_range(logged_model):
    out = logged_model.predict(pd.DataFrame({"n": [3, 2], "seed": [7, 8]}))
    assert out.shape == (5, 16, 16, 1) and out.dtype == np.float32
    assert out.min() >= 0.0 and out.max() <= 1.0
    again = logged_model.predict(pd.DataFrame({"n": [3], "seed": [7]}))
    np.testing.assert_array_equal(out[:3], again)
    assert not np.array_equal(out[:2], out[3:])


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"n": [0], "seed": [1]}, "n must be between 1 and"),
        ({"n": [MAX_IMAGES + 1], "seed": [1]}, "n must be between"),
        ({"n": [200, 200], "seed": [1, 2]}, f"at most {MAX_IMAGES} images per call"),
        ({"n": [1.5], "seed": [1]}, "'n' must be an integer"),
        ({"count": [1], "seed": [1]}, r"missing column\(s\) \['n'\]"),
        ({"z": [[0.0] * 3]}, "row 0: 'z' must be 4 finite numbers, got shape \\(3,\\)"),
        ({"z": [[0.0, 1.0, float("nan"), 0.0]]}, "'z' must be 4 finite numbers"),
        ({"z": [["a", "b", "c", "d"]]}, "'z' must be a list of numbers"),
        ({"z": [[0.0] * 4] * (MAX_IMAGES + 1)}, f"at most {MAX_IMAGES} images per call"),
        ({"z": [[0.0] * 4], "n": [1], "seed": [0]}, "not both"),
        ({"n": [], "seed": []}, "empty"),
    ],
)
def test_bad_requests_are_refused_with_a_clear_message(table, message):
    with pytest.raises(MlflowException, match=message) as err:
        request_latents(pd.DataFrame(table), latent_dim=4)
    assert err.value.get_http_status_code() == 400


def test_the_served_model_validates_too(logged_model):
    with pytest.raises(MlflowException, match="n must be between"):
        logged_model.predict(pd.DataFrame({"n": [0], "seed": [0]}))


def test_latent_rows_give_one_image_each_matching_the_seeded_ones(logged_model):
    from ganops.sampling import latents

    z = latents(3, 4, seed=7)
    out = logged_model.predict(pd.DataFrame({"z": [list(map(float, v)) for v in z]}))
    np.testing.assert_allclose(
        out, logged_model.predict(pd.DataFrame({"n": [3], "seed": [7]})), atol=1e-6
    )
