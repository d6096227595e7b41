"""Unpaired generators served: a two-way model takes a direction per image, the book's
CartoonGAN a style image; a missing or unwanted one is refused (a 400 naming the row)."""

import base64
import io

import keras
import mlflow
import numpy as np
import pandas as pd
import pytest
from mlflow.exceptions import MlflowException
from PIL import Image

from ganops.console import main
from ganops.errors import GanopsError
from ganops.serving.load import load_generator
from ganops.tracking.registry import register
from ganops.variants import build_variant
from ganops.variants.base import DataSpec
from stores import use_mlflow_store
from tiny import TINY_MODELS


def png(array: np.ndarray) -> str:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, "PNG")
    return base64.b64encode(buffer.getvalue()).decode()


def registered(data: dict, variant: str, dataset: str, **model) -> tuple:
    """A tiny untrained ``variant`` registered, loaded as MLflow serves it and from Python."""
    spec = DataSpec.from_meta(data["meta"])
    features = keras.Sequential([keras.Input(spec.sample_shape), keras.layers.Conv2D(4, 3)])
    keras.utils.set_random_seed(0)
    extra = {"features": features} if variant == "cartoongan" else {}
    generator = build_variant(variant, TINY_MODELS[variant] | model, spec, **extra).generator
    metrics = {
        "variant": variant,
        "dataset": dataset,
        "samples": 10,
        "feature_extractor": "x",
        "primary": {"name": "fid", "value": 1.0, "better": "lower"},
        "metrics": {"fid": 1.0},
    }
    with mlflow.start_run():
        register(generator, metrics, {})
    uri = f"models:/ganops-{variant}-{dataset}@champion"
    return mlflow.pyfunc.load_model(uri), load_generator(uri)


@pytest.fixture(scope="module")
def served(tmp_path_factory, unpaired_inputs):
    use_mlflow_store(tmp_path_factory.mktemp("unpaired"))
    two_way = registered(unpaired_inputs["digits_m"], "cyclegan", "digits_m")
    styled = registered(
        unpaired_inputs["photos_cartoon"], "cartoongan", "photos_cartoon", style_input=True
    )
    return {"two_way": two_way, "styled": styled}


def test_two_way_model_translates_in_each_rows_direction(served):
    pyfunc, generator = served["two_way"]
    assert generator.directions == ("AtoB", "BtoA")
    image = np.random.default_rng(0).integers(0, 256, (16, 16, 3), dtype=np.uint8)
    ab, ba = generator.translate(image, "AtoB"), generator.translate(image, "BtoA")
    assert ab.shape == ba.shape == (16, 16, 3) and not np.allclose(ab, ba)
    table = pd.DataFrame({"image": [png(image)] * 2, "direction": ["BtoA", "AtoB"]})
    np.testing.assert_allclose(pyfunc.predict(table), np.stack([ba, ab]), atol=1e-5)
    with pytest.raises(GanopsError, match="give a direction, AtoB or BtoA"):
        generator.translate(image)
    table = pd.DataFrame({"image": [png(image)] * 2, "direction": ["AtoB", None]})
    with pytest.raises(MlflowException, match="row 1: 'direction' must be AtoB or BtoA"):
        pyfunc.predict(table)


def test_styled_cartoongan_takes_a_style_image_of_the_training_size(served):
    pyfunc, generator = served["styled"]
    assert generator.directions == ()
    rng = np.random.default_rng(1)
    photo = rng.integers(0, 256, (24, 40, 3), dtype=np.uint8)  # tiled: any size
    styles = [rng.integers(0, 256, (16, 16, 3), dtype=np.uint8) for _ in range(2)]
    first, second = (generator.translate(photo, style=style) for style in styles)
    assert first.shape == (24, 40, 3) and not np.array_equal(first, second)  # untrained: close
    table = pd.DataFrame({"image": [png(photo)], "style": [png(styles[0])]})
    np.testing.assert_allclose(pyfunc.predict(table)[0], first, atol=1e-5)
    with pytest.raises(GanopsError, match="give one"):
        generator.translate(photo)
    with pytest.raises(GanopsError, match="the style image must be 16x16"):
        generator.translate(photo, style=photo)
    with pytest.raises(GanopsError, match="one way: it takes no direction"):
        generator.translate(photo, "AtoB", styles[0])
    with pytest.raises(MlflowException, match="row 0: 'style': give a style image"):
        pyfunc.predict(pd.DataFrame({"image": [png(photo)]}))


def test_a_model_without_style_refuses_one(served):
    pyfunc, generator = served["two_way"]
    image = np.zeros((16, 16, 3), np.uint8)
    with pytest.raises(GanopsError, match="takes no style image"):
        generator.translate(image, "AtoB", style=image)
    table = pd.DataFrame({"image": [png(image)], "direction": ["AtoB"], "style": [png(image)]})
    with pytest.raises(MlflowException, match="row 0: 'style': this generator takes no style"):
        pyfunc.predict(table)


def test_cli_translates_both_ways_and_asks_for_a_direction(served, tmp_path):
    """`ganops translate` (in-process; a fresh process: tests/e2e/test_unpaired_run.py, slow)."""
    image = np.random.default_rng(0).integers(0, 256, (16, 16, 3), dtype=np.uint8)
    Image.fromarray(image).save(tmp_path / "a.png")
    common = ["translate", "--model", "ganops-cyclegan-digits_m"]
    common += ["--input", str(tmp_path / "a.png"), "--tracking-uri", mlflow.get_tracking_uri()]
    outputs = {}
    for direction in ("AtoB", "BtoA"):
        out = tmp_path / f"{direction}.png"
        assert main([*common, "--output", str(out), "--direction", direction]) == 0
        outputs[direction] = np.asarray(Image.open(out))
        assert outputs[direction].shape == (16, 16, 3)
    assert not np.array_equal(outputs["AtoB"], outputs["BtoA"])  # two generators
    assert main([*common, "--output", str(tmp_path / "x.png")]) == 2
    assert not (tmp_path / "x.png").exists()
