"""What a generator is fed: seeded latent vectors, the class or code of each sample, and for
translation generators an image the caller supplies. Evaluation, sample grids, the failure
monitor, the Python API and the served model all draw through here, so the same seed (labels,
images) gives the same outputs everywhere.

A generator's inputs say what it takes, by name only: ``z`` (latent vectors), either ``label``
(a one-hot class: CGAN, ACGAN) or ``code`` (a one-hot categorical code: InfoGAN),
``continuous`` (InfoGAN's continuous codes, uniform on [-1, 1]), ``image`` (a source image
in [-1, 1]: Pix2Pix, SRGAN, Context Encoder, CycleGAN...), ``direction`` (a one-hot
translation direction, AtoB or BtoA: the unpaired models that translate both ways, which take
it like a class), ``style`` (an image of the target domain whose style the translation
takes: the book's CartoonGAN) and ``noise`` (standard-normal noise shaped like an image, drawn
from the seed, never given: what PixelCNN's pixel-by-pixel draws take their chance from).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import keras
import numpy as np

from ganops.data.transforms import set_channels
from ganops.data.unpaired import DIRECTIONS  # the values of ``direction``: 0 translates A to B
from ganops.errors import GanopsError

LATENT, CONTINUOUS, IMAGE, DIRECTION = "z", "continuous", "image", "direction"
STYLE, NOISE = "style", "noise"
CATEGORICAL = ("label", "code", DIRECTION)
KNOWN = (LATENT, *CATEGORICAL, CONTINUOUS, IMAGE, STYLE, NOISE)
MIN_TRUNCATION = 0.01  # smaller: redrawing until a component falls inside takes too long


@dataclass(frozen=True)
class Inputs:
    """A generator's inputs, by name: latent size (0: no ``z``), its categorical input
    (``label``/``code``/``direction``, or None) with the number of values, the number of
    continuous codes, and the shapes of the source image it translates, of the style image
    and of the noise it takes (None: it takes none)."""

    latent_dim: int = 0
    categorical: str | None = None
    classes: int = 0
    continuous: int = 0
    image: tuple[int, ...] | None = None
    style: tuple[int, ...] | None = None
    noise: tuple[int, ...] | None = None

    @classmethod
    def of(cls, generator: keras.Model) -> Inputs:
        shapes = {t.name: tuple(t.shape[1:]) for t in generator.inputs}
        unknown = sorted(set(shapes) - set(KNOWN))
        if unknown:
            raise GanopsError(
                f"generator input(s) {unknown} have no known name (known: {', '.join(KNOWN)})"
            )
        size = lambda name: int(shapes[name][-1]) if name in shapes else 0  # noqa: E731
        categorical = next((name for name in CATEGORICAL if name in shapes), None)
        return cls(
            size(LATENT),
            categorical,
            size(categorical) if categorical else 0,
            size(CONTINUOUS),
            shapes.get(IMAGE),
            shapes.get(STYLE),
            shapes.get(NOISE),
        )


#: ``default_rng([seed, k])`` streams beside the latents' ``default_rng(seed)``: 1 and 2 are
#: the continuous codes' and the noise's (``feed``), 3 the truncation trick's redraws.
TRUNCATION_STREAM = 3


def latents(n: int, latent_dim: int, seed: int) -> np.ndarray:
    """``n`` seeded standard-normal latent vectors: the same seed, the same vectors."""
    return np.random.default_rng(seed).standard_normal((n, latent_dim), np.float32)


def truncate(z: np.ndarray, threshold: float, seed: int = 0) -> np.ndarray:
    """The truncation trick: every component beyond +-``threshold`` redrawn from N(0, 1) until
    it falls inside (seeded, from a stream of its own: the latents' stream would redraw each
    component with another's sign and size); smaller thresholds trade variety for fidelity."""
    if not threshold >= MIN_TRUNCATION:
        raise GanopsError(
            f"the truncation threshold must be at least {MIN_TRUNCATION}, got {threshold}"
        )
    z = np.array(z, dtype=np.float64)
    rng = np.random.default_rng([seed, TRUNCATION_STREAM])
    outside = np.abs(z) > threshold
    while outside.any():
        z[outside] = rng.standard_normal(int(outside.sum()))
        outside = np.abs(z) > threshold
    return z


def seeded_latents(n: int, size: int, seed: int, truncation: float | None = None) -> np.ndarray:
    """``n`` seeded latent vectors (``sampling.latents``), truncated at ``truncation`` when
    given (redrawn from the same seed's truncation stream): what every truncated draw uses."""
    z = latents(n, size, seed)
    return z if truncation is None else truncate(z, truncation, seed).astype(np.float32)


def balanced(n: int, classes: int) -> np.ndarray:
    """0, 1, ..., classes - 1, 0, 1, ...: every class equally often (evaluation's default)."""
    return np.arange(n) % classes


def checked_values(values: int | Sequence[int], n: int, name: str, classes: int) -> np.ndarray:
    """``values`` as ``n`` class indices (one int means all ``n``), each checked in range."""
    array = np.asarray(values)
    if array.ndim == 0:
        array = np.full(n, array)
    if array.ndim != 1 or len(array) != n:
        raise GanopsError(f"give one {name} or one per sample ({n}), got shape {array.shape}")
    if array.dtype.kind not in "iu" and not np.all(np.mod(array, 1) == 0):
        raise GanopsError(f"{name}s must be integers, got {array.tolist()[:5]}")
    bad = array[(array < 0) | (array >= classes)]
    if len(bad):
        raise GanopsError(
            f"{name} {bad[0]:g} is out of range: this generator has {classes} "
            f"{name}s (0 to {classes - 1})"
        )
    return array.astype(np.int64)


def checked_continuous(continuous, n: int, size: int) -> np.ndarray:
    """``continuous`` as ``n`` rows of ``size`` finite numbers (one row means all ``n``)."""
    try:
        array = np.asarray(continuous, dtype=np.float32)
        if array.ndim == 1:
            array = np.tile(array, (n, 1))
        ok = array.shape == (n, size) and bool(np.isfinite(array).all())
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise GanopsError(
            f"continuous must be {size} finite numbers, or one row of them per sample ({n})"
        )
    return array


def class_rows(generator: keras.Model, count: int) -> tuple[np.ndarray | None, int | None]:
    """Classes/codes for a grid of about ``count`` samples with one row per class (and the
    row width); (None, None) for unconditional generators."""
    classes = Inputs.of(generator).classes
    if not classes:
        return None, None
    per_row = max(1, count // classes)
    return np.repeat(np.arange(classes), per_row), per_row


def direction_values(direction: str | int | Sequence[str | int]) -> np.ndarray | int:
    """Directions by name (``AtoB``/``BtoA``) or index, as indices; an unknown name is an
    error listing the known ones (ranges are checked when the generator is fed)."""

    def index(value):
        if isinstance(value, str):
            if value not in DIRECTIONS:
                raise GanopsError(f"unknown direction {value!r}: give {' or '.join(DIRECTIONS)}")
            return DIRECTIONS.index(value)
        return value

    if isinstance(direction, str | int | np.integer):
        return index(direction)
    return np.asarray([index(value) for value in direction])


def direction_of(generator: keras.Model, direction) -> np.ndarray | int | None:
    """``direction`` (a name or index, or one per image) as indices for a generator that
    translates both ways, which needs one; None for a one-way generator, which takes none."""
    if not two_way(generator):
        if direction is not None:
            raise GanopsError("this generator translates one way: it takes no direction")
        return None
    if direction is None:
        raise GanopsError(
            f"this generator translates both ways: give a direction, {' or '.join(DIRECTIONS)}"
        )
    return direction_values(direction)


def one_hot(values: np.ndarray, classes: int) -> np.ndarray:
    return np.eye(classes, dtype=np.float32)[values]


def checked_images(images: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Source images for a translation generator: float32, shaped ``(n, *shape)``, finite."""
    array = np.asarray(images, dtype=np.float32)
    if array.shape[1:] != shape:
        raise GanopsError(f"this generator takes images shaped {shape}, got {array.shape[1:]}")
    if not np.isfinite(array).all():
        raise GanopsError("images contain NaN or infinite values")
    return array


def feed(
    generator: keras.Model,
    z: np.ndarray | None,
    values: int | Sequence[int] | None = None,
    continuous: np.ndarray | None = None,
    seed: int = 0,
    images: np.ndarray | None = None,
    styles: np.ndarray | None = None,
) -> np.ndarray | list[np.ndarray]:
    """What ``generator`` takes, in its input order (one array when it has one input): latent
    vectors ``z``, source ``images`` (translation), the one-hot class/code of each sample
    (``values``; balanced when None; a translation direction: by name or index, no default),
    continuous codes (drawn from ``seed`` when None), style images (one, or one per image)
    and noise (drawn from ``seed``)."""
    spec = Inputs.of(generator)
    given = {LATENT: z}
    if spec.image is not None:
        if images is None:
            raise GanopsError("this generator translates images: give the images")
        given[IMAGE] = checked_images(images, spec.image)
        values = direction_of(generator, values)
    n = len(given[IMAGE] if z is None else z)
    if spec.style is not None:
        if styles is None:
            raise GanopsError("this generator takes a style image beside its images: give one")
        styles = np.asarray(styles, np.float32)
        if styles.shape == spec.style:
            styles = np.broadcast_to(styles, (n, *spec.style))
        given[STYLE] = checked_images(styles, spec.style)
    elif styles is not None:
        raise GanopsError("this generator takes no style image")
    if spec.categorical is None:
        if values is not None:
            raise GanopsError("this generator is not conditional: it takes no labels or codes")
    else:
        values = balanced(n, spec.classes) if values is None else values
        given[spec.categorical] = one_hot(
            checked_values(values, n, spec.categorical, spec.classes), spec.classes
        )
    if spec.continuous:
        if continuous is None:
            rng = np.random.default_rng([seed, 1])
            continuous = rng.uniform(-1.0, 1.0, (n, spec.continuous)).astype(np.float32)
        given[CONTINUOUS] = checked_continuous(continuous, n, spec.continuous)
    if spec.noise:
        rng = np.random.default_rng([seed, 2])
        given[NOISE] = rng.standard_normal((n, *spec.noise), np.float32)
    ordered = [given[t.name] for t in generator.inputs]
    return ordered[0] if len(ordered) == 1 else ordered


def decode(
    generator: keras.Model, inputs: np.ndarray | list[np.ndarray], batch_size: int = 1000
) -> np.ndarray:
    """The generator's samples for its inputs (``feed``), batch by batch, in inference mode,
    compiled (PixelCNN's pixel-by-pixel loop runs 3x faster so)."""
    parts = inputs if isinstance(inputs, list) else [inputs]
    n = len(parts[0])
    batches = ([part[i : i + batch_size] for part in parts] for i in range(0, n, batch_size))
    return np.concatenate(
        [generator.predict_on_batch(batch if len(batch) > 1 else batch[0]) for batch in batches]
    )


def generate(
    generator: keras.Model,
    n: int,
    seed: int,
    values: int | Sequence[int] | None = None,
    continuous: np.ndarray | None = None,
    truncation: float | None = None,
) -> np.ndarray:
    """``n`` samples from seeded latent vectors (truncated at ``truncation`` when given), of
    the given classes/codes (balanced over them when None): what evaluation, grids and
    serving draw."""
    z = seeded_latents(n, Inputs.of(generator).latent_dim, seed, truncation)
    return decode(generator, feed(generator, z, values, continuous, seed))


def translate(
    generator: keras.Model,
    images: np.ndarray,
    direction: str | int | Sequence | None = None,
    style: np.ndarray | None = None,
) -> np.ndarray:
    """A translation generator's outputs for source ``images`` in [-1, 1], batch by batch (in
    ``direction``, one or one per image, for a generator that translates both ways; in the
    style of ``style``, one image or one per image, for one that takes a style)."""
    inputs = feed(generator, None, direction, images=images, styles=style)
    return decode(generator, inputs, batch_size=64)


def cycled(images: np.ndarray, n: int) -> np.ndarray:
    """The first ``n`` of ``images``, starting again from the first when they run out."""
    return images[np.arange(n) % len(images)]


def two_way(generator: keras.Model) -> bool:
    """Whether the generator translates both ways (it takes a ``direction``)."""
    return Inputs.of(generator).categorical == DIRECTION


@dataclass(frozen=True)
class Feed:
    """How every caller that draws from a generator (sample grids, the failure monitor,
    scoring during training, evaluation) feeds it by default: seeded latent vectors with
    balanced classes/codes, or, for a generator that translates images, ``sources`` in order
    (cycled when more outputs are asked for) with the ``targets`` they should become. Unpaired
    data has no targets but the ``domains`` of its sources (0: A, 1: B): a two-way generator
    translates each source away from its domain, a one-way one only the sources of A."""

    sources: np.ndarray | None = None
    targets: np.ndarray | None = None
    domains: np.ndarray | None = None

    def samples(self, generator: keras.Model, n: int, seed: int) -> np.ndarray:
        """``n`` outputs: from seeded latents, or of the first ``n`` sources."""
        if Inputs.of(generator).image is None:
            return generate(generator, n, seed)
        index = self.pick(n, generator)
        return translate(
            generator,
            self.sources[index],
            self.directions(generator, index),
            self.styles(generator, n),
        )

    def usable(self, generator: keras.Model) -> np.ndarray:
        """The sources ``generator`` translates, in order (unpaired: A and B alternating)."""
        if self.domains is None:
            return np.arange(0 if self.sources is None else len(self.sources))
        a, b = np.flatnonzero(self.domains == 0), np.flatnonzero(self.domains == 1)
        if not two_way(generator):
            return a
        both = min(len(a), len(b))
        return np.concatenate([np.stack([a[:both], b[:both]], 1).ravel(), a[both:], b[both:]])

    def pick(self, n: int, generator: keras.Model) -> np.ndarray:
        """Indices of the first ``n`` usable sources (cycled); an error when there are none."""
        usable = self.usable(generator)
        if not len(usable):
            raise GanopsError("no source images to translate (is the held-out split empty?)")
        return cycled(usable, n)

    def directions(self, generator: keras.Model, index: np.ndarray) -> np.ndarray | None:
        """The direction of each source (away from its domain) for a two-way generator."""
        return self.domains[index] if two_way(generator) else None

    def styles(self, generator: keras.Model, n: int) -> np.ndarray | None:
        """``n`` style images, the held-out images of B in order (cycled), for a generator
        that takes a style; None for the others."""
        if Inputs.of(generator).style is None:
            return None
        styles = self.sources[self.domains == 1]
        if not len(styles):
            raise GanopsError("no held-out images of domain B to take the style of")
        return cycled(styles, n)

    def rows(self, generator: keras.Model, count: int, seed: int) -> tuple[np.ndarray, int]:
        """A picture's images and its width: for a translation generator one row each of
        sources, outputs and targets (the book's figures; unpaired: inputs, translations and,
        when it translates back, reconstructions, for each direction); else one row per
        class/code, or a square grid (width None)."""
        if Inputs.of(generator).image is None:
            values, cols = class_rows(generator, count)
            n = count if values is None else len(values)
            return generate(generator, n, seed, values), cols
        if self.domains is not None:
            return np.concatenate(self.cycle_rows(generator, count)), count
        index = self.pick(count, generator)
        outputs = translate(generator, self.sources[index])
        return np.concatenate(
            [source_pictures(self.sources[index], outputs), outputs, self.targets[index]]
        ), count

    def cycle_rows(self, generator: keras.Model, count: int) -> list[np.ndarray]:
        """Per direction, ``count`` sources of its domain (cycled), (the style images,) their
        translations and, for a two-way generator, the translations back."""
        rows = []
        for domain in (0, 1) if two_way(generator) else (0,):
            mine = np.flatnonzero(self.domains == domain)
            if not len(mine):
                raise GanopsError(f"no held-out images of domain {'AB'[domain]} to translate")
            inputs = cycled(self.sources[mine], count)
            styles = self.styles(generator, count)
            outputs = translate(generator, inputs, domain if two_way(generator) else None, styles)
            rows += [inputs, outputs] if styles is None else [inputs, styles, outputs]
            if two_way(generator):
                rows.append(translate(generator, outputs, 1 - domain))
        return rows


def source_pictures(sources: np.ndarray, like: np.ndarray) -> np.ndarray:
    """Source images as pictures beside outputs ``like``: resized up (nearest) to their size,
    gray made colour or colour gray (luma) as the outputs are, and an inpainting source's hole
    (its last, mask channel < 0) shown."""
    channels = like.shape[-1]
    if sources.shape[-1] == channels + 1:  # image + known/hole mask
        sources = np.where(sources[..., -1:] < 0, -1.0, sources[..., :-1])
    factor = like.shape[1] // sources.shape[1]
    if factor > 1:
        sources = sources.repeat(factor, axis=1).repeat(factor, axis=2)
    return set_channels(sources, channels).astype(np.float32)
