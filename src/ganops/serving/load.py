"""Loading a registered generator for use from Python."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass

import keras
import mlflow
import numpy as np
from mlflow.exceptions import MlflowException
from mlflow.models import Model

from ganops.errors import GanopsError
from ganops.sampling import (
    CONTINUOUS,
    DIRECTIONS,
    Inputs,
    class_rows,
    decode,
    direction_of,
    feed,
    generate,
    two_way,
)
from ganops.serving.images import (
    checked_image,
    source_channels,
    style_source,
    translate_images,
)
from ganops.serving.pyfunc import (
    MAX_IMAGES,
    condition_error,
    latent_error,
    load_keras,
    seeding_error,
    to_output,
)

Values = int | Sequence[int] | None


@dataclass
class Generator:
    """A registered generator: ``generate(n, seed)`` or ``decode(z)`` give images in [0, 1];
    a translation generator's ``translate(images)`` gives the translated images.

    Conditional generators also take ``labels`` (CGAN, ACGAN: ``conditional_input`` is
    ``'label'``) or ``codes`` (InfoGAN: ``'code'``): one int for every sample or one per
    sample, from 0 to ``classes - 1``; None draws them balanced over the classes. InfoGAN's
    ``continuous`` codes (``continuous_codes`` numbers, trained on [-1, 1]) are drawn from the
    seed unless given.
    """

    model: keras.Model
    uri: str

    @property
    def inputs(self) -> Inputs:
        return Inputs.of(self.model)

    @property
    def latent_dim(self) -> int:
        return self.inputs.latent_dim

    @property
    def conditional_input(self) -> str | None:
        """``'label'`` (CGAN, ACGAN), ``'code'`` (InfoGAN) or None (unconditional)."""
        return self.inputs.categorical

    @property
    def classes(self) -> int:
        """How many labels/codes it takes (0 to ``classes - 1``); 0 when unconditional."""
        return self.inputs.classes

    @property
    def continuous_codes(self) -> int:
        """How many continuous codes it takes (InfoGAN); 0 otherwise."""
        return self.inputs.continuous

    def conditions(
        self, n: int, labels: Values, codes: Values, continuous: np.ndarray | None
    ) -> tuple[Values, np.ndarray | None]:
        """The classes and continuous codes of ``n`` samples, refused when the generator does
        not take them (ranges and shapes are checked when it is fed)."""
        for name, given in (("label", labels), ("code", codes), (CONTINUOUS, continuous)):
            if given is not None and (problem := condition_error(self.inputs, name)):
                raise GanopsError(problem)
        return labels if labels is not None else codes, continuous

    @property
    def translates(self) -> bool:
        """Whether it translates images (Pix2Pix, SRGAN, Context Encoder) instead of sampling."""
        return self.inputs.image is not None

    @property
    def directions(self) -> tuple[str, ...]:
        """The directions it translates in, when it translates both ways (else empty)."""
        return DIRECTIONS if two_way(self.model) else ()

    def translate(
        self,
        images: np.ndarray | Sequence[np.ndarray],
        direction: str | None = None,
        style: np.ndarray | None = None,
    ) -> np.ndarray | list:
        """Translated images in [0, 1]: of one (H, W, C) image (uint8, or floats in [0, 1]),
        of a batch (N, H, W, C), or of a list of images of any sizes (other sizes than the
        training one are tiled: ``ganops.serving.images``). Inpainting: the last channel is 1
        on known pixels and 0 in the hole. ``direction`` (``AtoB``/``BtoA``): required by a
        generator that translates both ways (CycleGAN, DiscoGAN), refused by the others.
        ``style``: one image of the training size whose style every translation takes,
        required by a generator with a style input (the book's CartoonGAN)."""
        channels = source_channels(self.model)
        single = not isinstance(images, list) and np.ndim(images) in (2, 3)
        batch = [images] if single else list(images)
        if not 1 <= len(batch) <= MAX_IMAGES:
            raise GanopsError(f"give 1 to {MAX_IMAGES} images, got {len(batch)}")
        index = direction_of(self.model, direction)
        directions = None if index is None else [index] * len(batch)
        styles = None if style is None else [style_source(self.model, style)] * len(batch)
        checked = [checked_image(i, channels) for i in batch]
        outputs = translate_images(self.model, checked, directions, styles)
        if single:
            return outputs[0]
        return outputs if isinstance(images, list) else np.stack(outputs)

    def check_latent(self, what: str) -> None:
        """A generator without ``z`` (PixelCNN: it draws from seeded noise) takes no ``what``."""
        if problem := latent_error(self.inputs, what):
            raise GanopsError(f"{problem}, only n and seed")

    def draw(
        self,
        n: int,
        seed: int,
        values: Values = None,
        continuous: np.ndarray | None = None,
        truncation: float | None = None,
    ) -> np.ndarray:
        if self.translates:
            raise GanopsError(
                "this generator translates images: use translate(images) (ganops translate)"
            )
        if problem := seeding_error(n, seed):
            raise GanopsError(problem)
        if truncation is not None:
            self.check_latent("truncation")
        return to_output(generate(self.model, n, seed, values, continuous, truncation))

    def generate(
        self,
        n: int,
        seed: int = 0,
        labels: Values = None,
        codes: Values = None,
        continuous: np.ndarray | None = None,
        truncation: float | None = None,
    ) -> np.ndarray:
        """``n`` samples from seeded latents (the same seed and labels give the same images);
        with ``truncation``, latent components beyond it are redrawn (the truncation trick:
        less variety, more typical samples)."""
        return self.draw(n, seed, *self.conditions(n, labels, codes, continuous), truncation)

    def grid(
        self, n: int, seed: int = 0, truncation: float | None = None
    ) -> tuple[np.ndarray, int | None]:
        """About ``n`` samples for a picture, with its width: one row per class/code for a
        conditional generator; None (a square grid) otherwise."""
        if problem := seeding_error(n, seed):  # the count asked for, not the grid's
            raise GanopsError(problem)
        values, cols = class_rows(self.model, n)
        size = n if values is None else len(values)
        return self.draw(size, seed, values, truncation=truncation), cols

    def decode(
        self,
        z: np.ndarray,
        labels: Values = None,
        codes: Values = None,
        continuous: np.ndarray | None = None,
    ) -> np.ndarray:
        """The images of given latent vectors, shaped ``(n, latent_dim)``."""
        if self.translates:
            raise GanopsError(
                "this generator translates images: use translate(images) (ganops translate)"
            )
        self.check_latent("z")
        z = np.asarray(z, dtype=np.float32)
        if z.ndim != 2 or z.shape[1] != self.latent_dim or not 1 <= len(z) <= MAX_IMAGES:
            raise GanopsError(
                f"z must be 1 to {MAX_IMAGES} vectors of {self.latent_dim} numbers, "
                f"got shape {z.shape}"
            )
        inputs = feed(self.model, z, *self.conditions(len(z), labels, codes, continuous))
        return to_output(decode(self.model, inputs))


def model_uri(name: str, alias: str = "champion") -> str:
    return f"models:/{name}@{alias}"


def generator_file(uri: str, folder: str) -> str:
    """The version ``uri`` downloaded into ``folder``; the path of its ``generator`` artifact."""
    try:
        local = mlflow.artifacts.download_artifacts(artifact_uri=uri, dst_path=folder)
    except MlflowException as err:
        raise GanopsError(
            f"cannot load {uri} from {mlflow.get_tracking_uri()}: {err.message}"
        ) from err
    if not (os.path.isdir(local) and os.listdir(local)):
        raise GanopsError(f"{uri}: its files are missing from the artifact store")
    try:
        flavor = Model.load(local).flavors.get(mlflow.pyfunc.FLAVOR_NAME, {})
        return os.path.join(local, flavor["artifacts"]["generator"]["path"])
    except (OSError, MlflowException, KeyError, TypeError):
        raise GanopsError(
            f"{uri} is not a ganops generator (no 'generator' artifact): load a version "
            "registered by ganops (kedro run trains, evaluates and registers one)"
        ) from None


def load_generator(uri: str) -> Generator:
    """Load e.g. ``models:/ganops-dcgan-digits@champion``; a clear error if it is not there.

    The version's ``generator`` artifact (.keras) is read by the package's own code: neither
    the model code stored with the version nor a pickle runs, so versions registered before
    models were logged as code (a cloudpickled ``python_model.pkl``) load the same way."""
    with tempfile.TemporaryDirectory() as folder:
        path = generator_file(uri, folder)
        try:
            model = load_keras(path)
        except (OSError, ValueError, TypeError) as err:
            reason = (str(err).strip().splitlines() or [type(err).__name__])[0]
            raise GanopsError(
                f"cannot read the generator of {uri} ({reason}): retrain it to register a "
                "new version (kedro run)"
            ) from err
    return Generator(model, uri)
