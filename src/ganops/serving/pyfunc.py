"""A generator as an MLflow pyfunc: a table of requests in, images out.

Input, either one row per request with ``n`` (images, 1..MAX_IMAGES) and ``seed`` (the same
seed gives the same images as the evaluation's draw, ``sampling.generate``), or one row per
image with ``z``, a latent vector. Conditional generators also read, per row:

- ``label`` (CGAN, ACGAN) or ``code`` (InfoGAN's categorical code): an integer class; in an
  ``n``/``seed`` row it applies to all ``n`` images, in a ``z`` row to that image; omitted:
  balanced over the classes, as the evaluation draws (so is a null, though MLflow's schema
  refuses nulls in these integer columns before ``predict`` sees them);
- ``continuous`` (InfoGAN): its continuous codes (trained on [-1, 1]), for all ``n`` images of
  the row or for that ``z`` image; omitted: drawn from the row's seed (``z`` rows: seed 0).

Any generator with ``z`` also reads ``truncation`` in an ``n``/``seed`` row: the truncation
trick's threshold (latent components beyond it redrawn, from the row's seed), as
``Generator.generate(n, seed, truncation=...)``.

Translation generators (Pix2Pix, SRGAN, Context Encoder) take one image per row instead:
``image``, the base64 text of a PNG or JPEG file (other formats are refused; converted to
the generator's channels), or ``pixels``, an (H, W, C) array in [0, 1]; any size (other sizes
than the training one are tiled, see ``ganops.serving.images``) within the bounds of
``images.check_area`` on the whole request, checked on the files' headers before any is
decoded; the images of one request share a size. With the parameter ``output: png`` the
answer is a ``png`` column of base64 PNG files instead of arrays. Generators that translate
both ways (CycleGAN, DiscoGAN) also need a ``direction`` per row, ``AtoB`` or ``BtoA``;
one-way generators refuse it. A generator with a style input (the book's CartoonGAN) needs
a ``style`` per row: the base64 text of an image file of the training size.

Output: the images in order, float32 in [0, 1] (2-D points: the coordinates). Anything wrong
with a request is an HTTP 400 naming the row and column.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import keras
import mlflow
import numpy as np
import pandas as pd
from mlflow.exceptions import MlflowException
from mlflow.models import ModelSignature
from mlflow.protos.databricks_pb2 import INVALID_PARAMETER_VALUE
from mlflow.types import ColSpec, ParamSchema, ParamSpec, Schema, TensorSpec
from mlflow.types.schema import AnyType, Array

from ganops.errors import GanopsError
from ganops.sampling import (
    CONTINUOUS,
    DIRECTION,
    DIRECTIONS,
    MIN_TRUNCATION,
    STYLE,
    Inputs,
    balanced,
    checked_values,
    decode,
    feed,
    seeded_latents,
    two_way,
)
from ganops.serving.images import (
    check_area,
    checked_image,
    decode_png,
    encode_png,
    file_bytes,
    image_size,
    source_channels,
    style_source,
    translate_images,
)

MAX_IMAGES = 256  # per request row and per call: a bound on memory and response size
SEEDED = ("n", "seed")
TRUNCATION = "truncation"  # optional, per n/seed row: the truncation trick's threshold
IMAGE_COLUMNS = ("image", "pixels")  # translation: base64 image file, or an array in [0, 1]
CLASS_COLUMNS = ("label", "code")  # the categorical inputs a request gives as integers


def invalid(message: str) -> MlflowException:
    """A request error: MLflow's scoring server answers it with HTTP 400."""
    return MlflowException(message, error_code=INVALID_PARAMETER_VALUE)


def condition_error(spec: Inputs, name: str) -> str | None:
    """Why a generator cannot take a ``label``/``code``/``continuous`` input; None if it can."""
    if spec.categorical is None:
        return "this generator is not conditional: it takes no labels or codes"
    if name == CONTINUOUS:
        return None if spec.continuous else "this generator takes no continuous codes"
    if name != spec.categorical:
        return (
            f"this generator takes a {spec.categorical} (0 to {spec.classes - 1}), "
            f"not a {name}: give {spec.categorical}s instead"
        )
    return None


def latent_error(spec: Inputs, what: str) -> str | None:
    """Why a generator cannot take ``what`` (``z``, a truncation): it has no latent space
    (PixelCNN draws from seeded noise); None if it can."""
    return None if spec.latent_dim else f"this generator has no latent z: it takes no {what}"


def seeding_error(n: int, seed: int) -> str | None:
    """What is wrong with an ``n``/``seed`` request, or None."""
    if not 1 <= n <= MAX_IMAGES:
        return f"n must be between 1 and {MAX_IMAGES}, got {n}"
    if seed < 0:
        return f"seed must be a non-negative integer, got {seed}"
    return None


def is_missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value))


def integer(value: Any, i: int, column: str) -> int:
    """A cell that must hold an integer (``3.0`` is one, ``True`` is not)."""
    try:
        ok = not isinstance(value, bool) and float(value).is_integer()
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise invalid(f"row {i}: '{column}' must be an integer, got {value!r}")
    return int(value)


def vector(value: Any, size: int, i: int, column: str) -> np.ndarray:
    """A cell that must hold ``size`` finite numbers."""
    try:
        array = np.asarray(value, dtype=np.float32)
    except (TypeError, ValueError):
        raise invalid(f"row {i}: '{column}' must be a list of numbers") from None
    if array.shape != (size,) or not np.isfinite(array).all():
        raise invalid(f"row {i}: '{column}' must be {size} finite numbers, got shape {array.shape}")
    return array


def column_cells(table: pd.DataFrame, spec: Inputs, column: str) -> list[tuple[int, Any]]:
    """The given (non-null) cells of an optional conditioning column, refused when the
    generator does not take it."""
    if column not in table.columns:
        return []
    given = [(i, value) for i, value in enumerate(table[column]) if not is_missing(value)]
    if given and (problem := condition_error(spec, column)):
        raise invalid(f"row {given[0][0]}: '{column}': {problem}")
    return given


def row_values(table: pd.DataFrame, spec: Inputs) -> list[int | None]:
    """Each row's class/code (None: not given), checked against the generator."""
    values: list[int | None] = [None] * len(table)
    for column in CLASS_COLUMNS:
        for i, value in column_cells(table, spec, column):
            values[i] = integer(value, i, column)
            try:
                checked_values(values[i], 1, column, spec.classes)
            except GanopsError as err:
                raise invalid(f"row {i}: {err}") from None
    return values


def row_continuous(table: pd.DataFrame, spec: Inputs) -> list[np.ndarray | None]:
    """Each row's continuous codes (None: not given)."""
    codes: list[np.ndarray | None] = [None] * len(table)
    for i, value in column_cells(table, spec, CONTINUOUS):
        codes[i] = vector(value, spec.continuous, i, CONTINUOUS)
    return codes


def row_truncations(table: pd.DataFrame, spec: Inputs) -> list[float | None]:
    """Each seeded row's truncation threshold (None: not given)."""
    if TRUNCATION not in table.columns:
        return [None] * len(table)
    if "z" in table.columns:
        raise invalid(f"'{TRUNCATION}' applies to rows of n and seed, not to 'z' rows")
    if problem := latent_error(spec, f"'{TRUNCATION}'"):
        raise invalid(f"{problem}: give columns ['n', 'seed'] alone")
    cuts: list[float | None] = [None] * len(table)
    for i, value in enumerate(table[TRUNCATION]):
        if is_missing(value):
            continue
        try:
            cuts[i] = float(value)
        except (TypeError, ValueError):
            cuts[i] = float("nan")
        if not cuts[i] >= MIN_TRUNCATION:
            raise invalid(
                f"row {i}: '{TRUNCATION}' must be a number of at least {MIN_TRUNCATION}, "
                f"got {value!r}"
            )
    return cuts


def seeded_rows(table: pd.DataFrame) -> list[tuple[int, int]]:
    """The validated ``(n, seed)`` of every row, at most MAX_IMAGES images in all."""
    missing = [c for c in SEEDED if c not in table.columns]
    if missing:
        raise invalid(f"missing column(s) {missing}; expected {list(SEEDED)} or ['z']")
    rows = []
    for i, (n, seed) in enumerate(zip(table["n"], table["seed"], strict=True)):
        n, seed = integer(n, i, "n"), integer(seed, i, "seed")
        if problem := seeding_error(n, seed):
            raise invalid(f"row {i}: {problem}")
        rows.append((n, seed))
    total = sum(n for n, _ in rows)
    if total > MAX_IMAGES:
        raise invalid(f"at most {MAX_IMAGES} images per call, asked for {total}")
    return rows


def latent_rows(table: pd.DataFrame, spec: Inputs, values: list, codes: list) -> tuple:
    """The ``z`` rows as one batch: latent vectors, classes (null: balanced), continuous codes
    (given for every row or none)."""
    if len(table) > MAX_IMAGES:
        raise invalid(f"at most {MAX_IMAGES} images per call, asked for {len(table)}")
    z = np.stack([vector(v, spec.latent_dim, i, "z") for i, v in enumerate(table["z"])])
    if all(v is None for v in values):
        classes = None
    else:
        default = balanced(len(values), spec.classes)
        classes = [d if v is None else v for v, d in zip(values, default, strict=True)]
    given = [c is not None for c in codes]
    if any(given) and not all(given):
        raise invalid(f"row {given.index(False)}: give '{CONTINUOUS}' for every 'z' row or none")
    return z, classes, np.stack(codes) if all(given) else None


def request_inputs(table: pd.DataFrame, generator: keras.Model) -> np.ndarray | list[np.ndarray]:
    """What ``generator`` is fed for a request table; anything wrong is a 400-style error."""
    table = table.reset_index(drop=True)
    if "z" in table.columns and any(c in table.columns for c in SEEDED):
        raise invalid("give either columns ['n', 'seed'] or ['z'], not both")
    if not len(table):
        raise invalid("the request table is empty")
    spec = Inputs.of(generator)
    values, codes = row_values(table, spec), row_continuous(table, spec)
    cuts = row_truncations(table, spec)
    if "z" in table.columns:
        if problem := latent_error(spec, "'z'"):
            raise invalid(f"{problem}: give columns ['n', 'seed']")
        return feed(generator, *latent_rows(table, spec, values, codes))
    parts = [
        feed(
            generator,
            seeded_latents(n, spec.latent_dim, seed, cut),
            value,
            None if code is None else np.tile(code, (n, 1)),
            seed,
        )
        for (n, seed), value, code, cut in zip(seeded_rows(table), values, codes, cuts, strict=True)
    ]
    if isinstance(parts[0], list):
        return [np.concatenate(inputs) for inputs in zip(*parts, strict=True)]
    return np.concatenate(parts)


def request_images(table: pd.DataFrame, generator: keras.Model) -> list[np.ndarray]:
    """The images of a translation request (one per row: ``image`` or ``pixels``), checked and
    in [0, 1], all of one size; anything wrong is a 400-style error naming the row. The image
    files' sizes are read from their headers and bounded together (``check_area``) before
    any of them is decoded."""
    table = table.reset_index(drop=True)
    columns = [c for c in IMAGE_COLUMNS if c in table.columns]
    if not columns or not len(table):
        raise invalid(f"give one image per row, in a column {' or '.join(IMAGE_COLUMNS)}")
    if len(table) > MAX_IMAGES:
        raise invalid(f"at most {MAX_IMAGES} images per call, asked for {len(table)}")
    channels, cells, sizes = source_channels(generator), [], []
    for i in range(len(table)):
        given = [c for c in columns if not is_missing_cell(table[c][i])]
        if len(given) != 1:
            raise invalid(f"row {i}: give exactly one of {list(IMAGE_COLUMNS)}")
        with row_error(i, given[0]):  # a file: its bytes; an array: checked (in memory)
            value = table[given[0]][i]
            if given[0] == "image":
                value = file_bytes(value)
                size = image_size(value)
            else:
                value = checked_image(nested(value), channels)
                size = value.shape[:2]
        if i and size != sizes[0]:
            raise invalid(f"row {i}: size {size} differs from row 0's")
        cells.append((given[0], value))
        sizes.append(size)
    try:
        check_area(sizes, generator)
    except GanopsError as err:
        raise invalid(str(err)) from None
    images = []
    for i, (column, value) in enumerate(cells):
        with row_error(i, column):
            images.append(
                checked_image(decode_png(value, channels), channels) if column == "image" else value
            )
    return images


@contextmanager
def row_error(i: int, column: str) -> Iterator[None]:
    """A GanopsError inside as a 400-style error naming the row and column."""
    try:
        yield
    except GanopsError as err:
        raise invalid(f"row {i}: '{column}': {err}") from None


def request_directions(table: pd.DataFrame, generator: keras.Model) -> list[int] | None:
    """Each row's direction for a two-way generator (required), None for a one-way one (which
    refuses the column); a 400-style error naming the row otherwise."""
    table = table.reset_index(drop=True)
    cells = table[DIRECTION] if DIRECTION in table.columns else [None] * len(table)
    given = [i for i, value in enumerate(cells) if not is_missing_cell(value)]
    if not two_way(generator):
        if given:
            raise invalid(f"row {given[0]}: this generator translates one way: no direction")
        return None
    directions = []
    for i, value in enumerate(cells):
        if is_missing_cell(value) or value not in DIRECTIONS:
            raise invalid(f"row {i}: 'direction' must be {' or '.join(DIRECTIONS)}, got {value!r}")
        directions.append(DIRECTIONS.index(value))
    return directions


def request_styles(table: pd.DataFrame, generator: keras.Model) -> list[np.ndarray] | None:
    """Each row's style image for a generator that takes one (required), None for the others
    (which refuse the column); a 400-style error naming the row otherwise."""
    table = table.reset_index(drop=True)
    cells = table[STYLE] if STYLE in table.columns else [None] * len(table)
    shape = Inputs.of(generator).style
    styles = []
    for i, value in enumerate(cells):
        if is_missing_cell(value) != (shape is None):
            what = "give a style image" if shape else "this generator takes no style image"
            raise invalid(f"row {i}: 'style': {what}")
        if shape is None:
            styles.append(None)
            continue
        with row_error(i, STYLE):
            data = file_bytes(value)
            height, width = image_size(data)  # checked before decoding it
            if (height, width) != tuple(shape[:2]):
                raise GanopsError(
                    f"the style image must be {shape[1]}x{shape[0]} (the training size), "
                    f"got {width}x{height}"
                )
            styles.append(style_source(generator, decode_png(data, shape[-1])))
    return None if shape is None else styles


def is_missing_cell(value: Any) -> bool:
    return not isinstance(value, (str, bytes, list, np.ndarray)) and is_missing(value)


def nested(value: Any) -> np.ndarray:
    """A cell of nested lists (MLflow gives arrays of arrays) as one numeric array."""
    if isinstance(value, np.ndarray) and value.dtype == object:
        value = [nested(v) for v in value]
    try:
        return np.asarray(value, dtype=np.float32)
    except (TypeError, ValueError):
        raise GanopsError("must be an (H, W, C) array of numbers") from None


def to_output(samples: np.ndarray) -> np.ndarray:
    """Images in [-1, 1] -> float32 in [0, 1]; 2-D points unchanged."""
    if samples.ndim == 2:
        return samples.astype(np.float32)
    return np.clip((samples + 1.0) / 2.0, 0.0, 1.0).astype(np.float32)


def signature(generator: keras.Model) -> ModelSignature:
    """Requests table in (seeded rows or latent rows, optional conditions; translation: image
    rows and the ``output`` parameter), samples out."""
    shape = tuple(generator.outputs[0].shape[1:])
    if Inputs.of(generator).image is not None:
        return ModelSignature(
            inputs=Schema(
                [
                    ColSpec("string", "image", required=False),
                    ColSpec(Array(Array(Array("double"))), "pixels", required=False),
                    ColSpec("string", DIRECTION, required=False),
                    ColSpec("string", STYLE, required=False),
                ]
            ),
            outputs=Schema([TensorSpec(np.dtype(np.float32), (-1, -1, -1, shape[-1]))]),
            params=ParamSchema([ParamSpec("output", "string", "array")]),
        )
    whole = AnyType()  # checked by ``integer``: MLflow would cut a "long" 2.9 to 2 unsaid
    inputs = Schema(
        [
            ColSpec(whole, "n", required=False),
            ColSpec(whole, "seed", required=False),
            ColSpec(Array("double"), "z", required=False),
            *(ColSpec(whole, name, required=False) for name in CLASS_COLUMNS),
            ColSpec(Array("double"), CONTINUOUS, required=False),
            ColSpec("double", TRUNCATION, required=False),
        ]
    )
    outputs = Schema([TensorSpec(np.dtype(np.float32), (-1, *shape))])
    return ModelSignature(inputs=inputs, outputs=outputs)


def input_example(generator: keras.Model) -> pd.DataFrame:
    """A request the generator answers: 4 seeded images, or one image of its training size
    (with a direction and a style image when it takes them)."""
    spec = Inputs.of(generator)
    if spec.image is None:
        return pd.DataFrame({"n": [4], "seed": [0]})
    example = {"image": [encode_png(np.full(spec.image, 0.5, np.float32))]}
    if two_way(generator):
        example[DIRECTION] = [DIRECTIONS[0]]
    if spec.style is not None:
        example[STYLE] = [encode_png(np.full(spec.style, 0.5, np.float32))]
    return pd.DataFrame(example)


#: The model code MLflow logs with every version and runs to load it (``GeneratorModel``).
MODEL_CODE = Path(__file__).with_name("model_code.py")


def load_keras(path: str) -> keras.Model:
    """A generator's .keras file, with the custom layers generators are made of registered."""
    import ganops.variants  # noqa: F401 - registers the custom layers

    return keras.saving.load_model(path)


class GeneratorModel(mlflow.pyfunc.PythonModel):
    """The pyfunc MLflow loads and serves (logged as code: ``MODEL_CODE``); its one artifact
    is ``generator`` (.keras)."""

    def load_context(self, context: Any) -> None:
        self.generator = load_keras(context.artifacts["generator"])

    def predict(
        self, context: Any, model_input: pd.DataFrame, params: dict | None = None
    ) -> np.ndarray | pd.DataFrame:
        table = pd.DataFrame(model_input)
        if Inputs.of(self.generator).image is None:
            return to_output(decode(self.generator, request_inputs(table, self.generator)))
        output = (params or {}).get("output", "array")
        if output not in ("array", "png"):
            raise invalid(f"parameter 'output' must be 'array' or 'png', got {output!r}")
        images = translate_images(
            self.generator,
            request_images(table, self.generator),
            request_directions(table, self.generator),
            request_styles(table, self.generator),
        )
        if output == "png":
            return pd.DataFrame({"png": [encode_png(image) for image in images]})
        return np.stack(images)
