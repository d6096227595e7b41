"""Images in and out of a translation generator, for the Python API, the CLI and the served
model: PNG (or base64 PNG) and arrays in [0, 1] in, arrays in [0, 1] (or PNG) out.

A generator translates images of its training size. Other sizes are **tiled**, never squashed:
the image is padded by mirroring its border up to whole tiles, every tile is translated, the
outputs are stitched and the padding cropped away (super-resolution: the output is the
image's size times the factor). Inpainting generators take an alpha (or last) channel that is
0 in the hole and 1 on known pixels; the hole's colours are ignored.
"""

from __future__ import annotations

import base64
import binascii
import io
import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import keras
import numpy as np
from PIL import Image, UnidentifiedImageError

from ganops.errors import GanopsError
from ganops.sampling import Inputs, translate

MAX_PIXELS = 2048 * 2048  # per request (all its images): a bound on memory and response size
MAX_TILED_PIXELS = 2 * MAX_PIXELS  # the same, padded to whole tiles (a thin strip pads a lot)
MAX_OUTPUT_PIXELS = 4096 * 4096  # per request, out (super-resolution: the factor squared)
MAX_ASPECT = 64  # longer side over shorter side
FORMATS = ("PNG", "JPEG")  # as the data readers; Pillow's others (EPS runs Ghostscript) refused
MODES = {1: "L", 2: "LA", 3: "RGB", 4: "RGBA"}


def source_channels(generator: keras.Model) -> int:
    """Channels of the images a translation generator takes; an error for other generators."""
    shape = Inputs.of(generator).image
    if shape is None:
        raise GanopsError(
            "this generator does not translate images: use generate() (ganops generate)"
        )
    return shape[-1]


def file_bytes(data: bytes | str) -> bytes:
    """An image file's bytes, given as they are or as base64 text."""
    if isinstance(data, bytes):
        return data
    try:
        return base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise GanopsError("not base64 text of an image file") from None


@contextmanager
def opened(data: bytes) -> Iterator[Image.Image]:
    """A PNG or JPEG file opened lazily (its header read, no pixel decoded), at most
    MAX_PIXELS; any other format, or a file Pillow cannot read, is a GanopsError."""
    try:
        with Image.open(io.BytesIO(data), formats=FORMATS) as image:
            if image.width * image.height > MAX_PIXELS:
                raise GanopsError(f"{image.width}x{image.height} is over {MAX_PIXELS} pixels")
            yield image
    except UnidentifiedImageError:
        raise GanopsError("not a readable image (PNG and JPEG files are accepted)") from None
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as err:
        raise GanopsError(f"not a readable image ({err})") from None


def image_size(data: bytes) -> tuple[int, int]:
    """An image file's (height, width), read from its header alone."""
    with opened(data) as image:
        return image.height, image.width


def decode_png(data: bytes | str, channels: int) -> np.ndarray:
    """PNG/JPEG bytes (or their base64 text) -> an (H, W, channels) float32 image in [0, 1],
    converted to the generator's channels (colour to gray by luma; no alpha: all known)."""
    with opened(file_bytes(data)) as image:
        array = np.asarray(image.convert(MODES[channels]), dtype=np.float32) / 255.0
    return array.reshape(*array.shape[:2], channels)


def check_area(sizes: Sequence[tuple[int, int]], generator: keras.Model) -> None:
    """Refuse, before any work, images (their (H, W)) that would cost too much together: more
    than MAX_PIXELS, more than MAX_TILED_PIXELS once padded to whole tiles, an output of
    more than MAX_OUTPUT_PIXELS, or a side over MAX_ASPECT times the other."""
    (h, w), out = Inputs.of(generator).image[:2], generator.outputs[0].shape[1]
    for height, width in sizes:
        if max(height, width) > MAX_ASPECT * min(height, width):
            raise GanopsError(f"{width}x{height} is longer than {MAX_ASPECT}:1")
    if sum(height * width for height, width in sizes) > MAX_PIXELS:
        raise GanopsError(f"at most {MAX_PIXELS} pixels per call, in all its images")
    tiled = sum(math.ceil(height / h) * h * math.ceil(width / w) * w for height, width in sizes)
    if tiled > MAX_TILED_PIXELS:
        raise GanopsError(f"over {MAX_TILED_PIXELS} pixels once padded to whole {w}x{h} tiles")
    if tiled * (out // h) ** 2 > MAX_OUTPUT_PIXELS:
        raise GanopsError(f"the outputs would be over {MAX_OUTPUT_PIXELS} pixels")


def encode_png(image: np.ndarray) -> str:
    """An image in [0, 1] -> base64 text of its PNG."""
    pixels = np.clip(np.rint(image * 255.0), 0, 255).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels[..., 0] if pixels.shape[-1] == 1 else pixels).save(buffer, "PNG")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def checked_image(image: np.ndarray, channels: int) -> np.ndarray:
    """An array image for a generator taking ``channels``: (H, W, channels) (or (H, W) when
    gray), finite values in [0, 1] (uint8 is scaled), at most MAX_PIXELS."""
    try:
        array = np.asarray(image)
        if array.dtype == np.uint8:
            array = array / 255.0
        array = array.astype(np.float32)
    except (TypeError, ValueError):
        raise GanopsError("an image must be an array of numbers") from None
    if array.ndim == 2 and channels == 1:
        array = array[..., None]
    if array.ndim != 3 or array.shape[-1] != channels or 0 in array.shape:
        raise GanopsError(f"this generator takes (H, W, {channels}) images, got {array.shape}")
    if array.shape[0] * array.shape[1] > MAX_PIXELS:
        raise GanopsError(f"{array.shape[1]}x{array.shape[0]} is over {MAX_PIXELS} pixels")
    if not np.isfinite(array).all():
        raise GanopsError("the image holds NaN or infinite values")
    if array.min() < 0.0 or array.max() > 1.0:
        raise GanopsError(f"image values must be in [0, 1] (or uint8), got {array.min():g}..")
    return array


def to_source(image: np.ndarray, model_channels: int, channels: int) -> np.ndarray:
    """An image in [0, 1] -> the generator's source in [-1, 1]. With one more channel than the
    output (inpainting) the last one marks known pixels (1) and the hole (0), whose colours
    become 0, as in training."""
    source = image * 2.0 - 1.0
    if channels == model_channels + 1:
        hole = source[..., -1:] < 0
        source = np.concatenate([np.where(hole, 0.0, source[..., :-1]), source[..., -1:]], -1)
    return source.astype(np.float32)


def tiles(image: np.ndarray, tile: tuple[int, int]) -> tuple[np.ndarray, tuple[int, int]]:
    """An (H, W, C) image mirror-padded to whole tiles and cut into them, row by row; and the
    number of tile rows and columns."""
    (h, w), (height, width) = tile, image.shape[:2]
    rows, cols = math.ceil(height / h), math.ceil(width / w)
    padded = np.pad(image, ((0, rows * h - height), (0, cols * w - width), (0, 0)), "symmetric")
    cut = padded.reshape(rows, h, cols, w, -1).transpose(0, 2, 1, 3, 4)
    return cut.reshape(rows * cols, h, w, -1), (rows, cols)


def stitch(outputs: np.ndarray, grid: tuple[int, int], size: tuple[int, int]) -> np.ndarray:
    """Tiles' outputs back into one image, cropped to ``size`` (H, W)."""
    (rows, cols), (_, h, w, c) = grid, outputs.shape
    whole = outputs.reshape(rows, cols, h, w, c).transpose(0, 2, 1, 3, 4)
    return whole.reshape(rows * h, cols * w, c)[: size[0], : size[1]]


def style_source(generator: keras.Model, style: np.ndarray) -> np.ndarray:
    """A style image (uint8, or floats in [0, 1]) checked against the generator's style input
    (it must take one, at its training size) and moved to [-1, 1]."""
    shape = Inputs.of(generator).style
    if shape is None:
        raise GanopsError("this generator takes no style image")
    image = checked_image(style, shape[-1])
    if image.shape != shape:
        raise GanopsError(
            f"the style image must be {shape[1]}x{shape[0]} (the training size), "
            f"got {image.shape[1]}x{image.shape[0]}"
        )
    return image * 2.0 - 1.0


def translate_images(
    generator: keras.Model,
    images: list[np.ndarray],
    directions: Sequence | None = None,
    styles: Sequence[np.ndarray] | None = None,
) -> list[np.ndarray]:
    """Checked images in [0, 1] of any size -> the generator's outputs in [0, 1], tiled; each
    in its direction, for a generator that translates both ways, or with its style image
    (``style_source``), for one that takes a style."""
    shape = Inputs.of(generator).image
    out_shape = tuple(generator.outputs[0].shape[1:])
    check_area([image.shape[:2] for image in images], generator)
    scale = out_shape[0] // shape[0]
    results = []
    none = [None] * len(images)
    for image, direction, style in zip(images, directions or none, styles or none, strict=True):
        cut, grid = tiles(to_source(image, out_shape[-1], shape[-1]), shape[:2])
        outputs = (translate(generator, cut, direction, style) + 1.0) / 2.0
        size = (image.shape[0] * scale, image.shape[1] * scale)
        results.append(np.clip(stitch(outputs, grid, size), 0.0, 1.0).astype(np.float32))
    return results
