"""Translation generators served: images in (base64 PNG files or arrays), images out; any
size by tiling; bad requests refused with the row named."""

import base64
import io

import keras
import mlflow
import numpy as np
import pandas as pd
import pytest
from mlflow.exceptions import MlflowException
from PIL import Image

from ganops.errors import GanopsError
from ganops.serving.images import MAX_PIXELS, stitch, tiles, translate_images
from ganops.serving.load import load_generator
from stores import register_tiny, use_mlflow_store


def png(array: np.ndarray) -> str:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, "PNG")
    return base64.b64encode(buffer.getvalue()).decode()


@pytest.fixture(scope="module")
def served(tmp_path_factory, paired_inputs):
    """A tiny untrained Pix2Pix (gray 16x16 -> colour) registered, loaded as MLflow serves it."""
    use_mlflow_store(tmp_path_factory.mktemp("translation"))
    register_tiny(paired_inputs["colorize"], "pix2pix", "photos_colorize")
    uri = "models:/ganops-pix2pix-photos_colorize@champion"
    return mlflow.pyfunc.load_model(uri), load_generator(uri)


def identity(shape, scale=1):
    image = keras.Input(shape, name="image")
    out = keras.layers.UpSampling2D(scale)(image) if scale > 1 else image
    return keras.Model(image, keras.layers.Identity()(out))


def test_tiles_and_stitch_give_back_the_image():
    image = np.random.default_rng(0).random((13, 21, 2)).astype(np.float32)
    cut, grid = tiles(image, (8, 8))
    assert cut.shape == (2 * 3, 8, 8, 2) and grid == (2, 3)
    np.testing.assert_array_equal(stitch(cut, grid, (13, 21)), image)


def test_other_sizes_are_tiled_not_squashed():
    image = np.random.default_rng(1).random((13, 21, 3)).astype(np.float32)
    np.testing.assert_allclose(translate_images(identity((8, 8, 3)), [image])[0], image, atol=1e-6)
    up = translate_images(identity((4, 4, 3), scale=2), [image])[0]
    assert up.shape == (26, 42, 3)
    np.testing.assert_allclose(up[::2, ::2], image, atol=1e-6)


def test_inpainting_sources_ignore_the_holes_colours():
    image = np.full((8, 8, 4), 0.9, np.float32)
    image[2:4, 2:4, -1] = 0.0  # the hole: alpha 0
    source = keras.Input((8, 8, 4), name="image")
    colours = keras.layers.Conv2D(3, 1, use_bias=False, kernel_initializer="zeros")
    shows_colours = keras.Model(source, colours(source))  # the source's colours as fed
    colours.kernel.assign(np.eye(4, 3, dtype=np.float32)[None, None])
    out = translate_images(shows_colours, [image])[0]
    assert np.allclose(out[2:4, 2:4, :3], 0.5) and np.allclose(out[5:, 5:, :3], 0.9)


def test_base64_png_and_array_requests_give_images(served):
    model, _ = served
    gray = np.random.default_rng(0).integers(0, 256, (16, 16), dtype=np.uint8)
    out = model.predict(pd.DataFrame({"image": [png(gray), png(gray)]}))
    assert out.shape == (2, 16, 16, 3) and out.dtype == np.float32
    assert out.min() >= 0.0 and out.max() <= 1.0
    array = model.predict(pd.DataFrame({"pixels": [(gray[..., None] / 255.0).tolist()]}))
    np.testing.assert_allclose(array[0], out[0], atol=1e-5)
    colour = np.stack([gray] * 3, axis=-1)  # a colour file is taken by its luma
    np.testing.assert_allclose(
        model.predict(pd.DataFrame({"image": [png(colour)]}))[0], out[0], atol=1e-2
    )
    files = model.predict(pd.DataFrame({"image": [png(gray)]}), params={"output": "png"})
    decoded = np.asarray(Image.open(io.BytesIO(base64.b64decode(files["png"][0]))))
    assert decoded.shape == (16, 16, 3)


def test_a_larger_image_comes_back_at_its_size(served):
    model, _ = served
    big = np.zeros((40, 24), np.uint8)
    assert model.predict(pd.DataFrame({"image": [png(big)]})).shape == (1, 40, 24, 3)


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"image": ["bm90IGFuIGltYWdl"]}, "row 0: 'image': not a readable image"),
        ({"image": ["%%%"]}, "row 0: 'image': not base64"),
        ({"pixels": [np.zeros((4, 4, 3)).tolist()]}, r"row 0: 'pixels': .*\(H, W, 1\) images"),
        ({"pixels": [[[[float("nan")]]]]}, "NaN"),
        ({"pixels": [np.zeros((0, 4, 1)).tolist()]}, r"takes \(H, W, 1\) images"),
        ({"pixels": [[[[2.0]]]]}, r"values must be in \[0, 1\]"),
        ({"pixels": [np.zeros((4, 4, 1)).tolist(), np.zeros((5, 4, 1)).tolist()]}, "row 1: size"),
        ({"image": [png(np.zeros((2049, 2049), np.uint8))]}, f"over {MAX_PIXELS} pixels"),
        ({"n": [3]}, "one image per row"),
    ],
)
def test_bad_requests_name_the_row(served, table, message):
    model, _ = served
    with pytest.raises(MlflowException, match=message) as err:
        model.predict(pd.DataFrame(table))
    assert err.value.get_http_status_code() == 400


def test_python_api_translates_one_image_a_batch_or_a_list(served):
    _, generator = served
    assert generator.translates
    image = np.zeros((16, 16, 1), np.float32)
    assert generator.translate(image).shape == (16, 16, 3)
    assert generator.translate(np.stack([image] * 2)).shape == (2, 16, 16, 3)
    shapes = [o.shape for o in generator.translate([image, np.zeros((8, 24), np.uint8)])]
    assert shapes == [(16, 16, 3), (8, 24, 3)]
    with pytest.raises(GanopsError, match="translates images: use translate"):
        generator.generate(4)
    with pytest.raises(GanopsError, match=r"takes \(H, W, 1\) images"):
        generator.translate(np.zeros((16, 16, 3), np.float32))


def image_file(array: np.ndarray, fmt: str) -> str:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, fmt)
    return base64.b64encode(buffer.getvalue()).decode()


@pytest.mark.parametrize("fmt", ["BMP", "TIFF", "GIF", "PPM"])
def test_only_png_and_jpeg_files_are_decoded(served, fmt):
    model, _ = served
    table = pd.DataFrame({"image": [image_file(np.zeros((16, 16), np.uint8), fmt)]})
    with pytest.raises(MlflowException, match="PNG and JPEG files are accepted") as err:
        model.predict(table)
    assert err.value.get_http_status_code() == 400
    jpeg = pd.DataFrame({"image": [image_file(np.zeros((16, 16), np.uint8), "JPEG")]})
    assert model.predict(jpeg).shape == (1, 16, 16, 3)


def test_a_request_too_big_in_all_is_refused_before_any_image_is_decoded(served, monkeypatch):
    """Two 1500x1500 black PNGs are a few kilobytes each, 4.5 million pixels together."""
    import ganops.serving.pyfunc as pyfunc

    model, _ = served
    decoded = []
    monkeypatch.setattr(pyfunc, "decode_png", lambda *a: decoded.append(a))
    table = pd.DataFrame({"image": [png(np.zeros((1500, 1500), np.uint8))] * 2})
    assert sum(map(len, table["image"])) < 50_000
    with pytest.raises(MlflowException, match=f"at most {MAX_PIXELS} pixels per call"):
        model.predict(table)
    assert decoded == []


@pytest.mark.parametrize(
    ("sizes", "generator", "message"),
    [
        ([(4, 300)], identity((4, 4, 1)), "longer than 64:1"),
        ([(2048, 2048)] * 2, identity((4, 4, 1)), "at most .* pixels per call"),
        ([(1, 64)] * 160, identity((256, 256, 1)), "padded to whole 256x256 tiles"),
        ([(1024, 1024), (1024, 1024)], identity((8, 8, 1), scale=4), "outputs would be over"),
    ],
)
def test_the_padded_area_the_aspect_and_the_output_are_bounded(sizes, generator, message):
    from ganops.serving.images import check_area

    with pytest.raises(GanopsError, match=message):
        check_area(sizes, generator)
    check_area([(1, 64), (1024, 1024)], identity((8, 8, 1), scale=2))  # within every bound
