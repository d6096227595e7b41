"""Book Skill 5's stabilizers as switches, usable with every variant (``model.stabilizers``).

Each field says in one line why it helps. TTUR (different learning rates for the two players,
Heusel 2017) needs no switch: set ``generator_optimizer`` and ``discriminator_optimizer``.
"""

from __future__ import annotations

from typing import Literal

import keras
from keras import ops
from pydantic import BaseModel, ConfigDict, Field, NonNegativeFloat, NonNegativeInt, PositiveInt

Augmentation = Literal["translation", "cutout", "color"]


class Stabilizers(BaseModel):
    """All off by default: a variant trains as its paper describes it."""

    model_config = ConfigDict(extra="forbid")

    real_label: float = Field(
        1.0,
        gt=0.5,
        le=1.0,
        description="one-sided label smoothing (Salimans 2016): < 1 keeps the discriminator "
        "from over-confident real scores; logit and least-squares objectives only",
    )
    instance_noise: NonNegativeFloat = Field(
        0.0,
        description="std of Gaussian noise added to every discriminator input (Sønderby "
        "2016): real and fake distributions overlap, so its gradients stay informative",
    )
    instance_noise_steps: NonNegativeInt = Field(
        0, description="discriminator updates over which the noise fades to 0 (0: constant)"
    )
    normal_init: bool = Field(
        False, description="N(0, 0.02) weights, zero biases (Radford 2015): a tame start"
    )
    mixed_batches: bool = Field(
        False,
        description="one discriminator pass on real and fake together instead of separate "
        "batches (separate is the usual advice: batch statistics stay per source)",
    )
    ema: float = Field(
        0.0,
        ge=0.0,
        lt=1.0,
        description="decay of an exponential moving average of the generator's weights, "
        "which is then what is sampled, evaluated and registered (Yazıcı 2019): 0 is off",
    )
    minibatch_std: bool = Field(
        False,
        description="append the batch's feature std to the discriminator (Karras 2018): it "
        "sees when samples lack variety, which counters mode collapse",
    )
    mode_seeking: NonNegativeFloat = Field(
        0.0,
        description="weight of the mode-seeking term (Mao 2019): the generator is pushed to "
        "make two latent vectors of one condition give different images; counters "
        "conditional GANs ignoring z; 0 is off",
    )
    r1: NonNegativeFloat = Field(
        0.0,
        description="gamma of the R1 penalty (Mescheder 2018): gamma/2 E[||grad D(x)||^2] on "
        "real inputs keeps the discriminator flat on the data, where a non-saturating GAN "
        "otherwise oscillates; 0 is off",
    )
    pack: PositiveInt = Field(
        1,
        description="samples the discriminator judges jointly (PacGAN, Lin 2018): "
        "collapsed packs are easy to tell apart; the batch size must be a multiple",
    )
    augment: list[Augmentation] = Field(
        [],
        description="differentiable augmentations of every discriminator input, real and "
        "fake alike (DiffAugment, Zhao 2020): translation, cutout, color; the discriminator "
        "cannot memorise a small training set, and the generator still learns the data",
    )


def instance_noise(x, std: float, fade_steps: int, step, seed: keras.random.SeedGenerator):
    """``x`` plus N(0, std_t) noise, std_t fading linearly to 0 over ``fade_steps``."""
    if fade_steps:
        std = std * ops.maximum(0.0, 1.0 - ops.cast(step, "float32") / fade_steps)
    return x + ops.cast(std, x.dtype) * keras.random.normal(ops.shape(x), dtype=x.dtype, seed=seed)


def ema_copy(generator: keras.Model) -> keras.Model:
    """A copy of ``generator`` with the same weights, to hold their moving average."""
    copy = keras.models.clone_model(generator)
    copy.set_weights(generator.get_weights())
    return copy


def ema_update(average: keras.Model, generator: keras.Model, decay: float) -> None:
    """Move the average's trainable weights towards the generator's; copy the rest (batch
    statistics)."""
    trainable = {id(v) for v in generator.trainable_variables}
    for mean, weight in zip(average.weights, generator.weights, strict=True):
        if id(weight) in trainable:
            mean.assign(decay * mean + (1.0 - decay) * weight)
        else:
            mean.assign(weight)


def mode_seeking(images, other_images, z, other_z):
    """1 / (mean |G(z1) - G(z2)| / mean |z1 - z2|): small when images differ as much as their
    latent vectors (Mao 2019), so minimising it spreads samples of one condition out."""
    ratio = ops.mean(ops.abs(images - other_images)) / ops.mean(ops.abs(z - other_z))
    return 1.0 / (ratio + 1e-5)


def diff_augment(x, names, seed: keras.random.SeedGenerator):
    """``x`` (images, channels last) with each augmentation of ``names`` applied per sample,
    differentiably (Zhao 2020): so real and fake images are judged alike."""
    for name in names:
        x = AUGMENTATIONS[name](x, seed)
    return x


def _shift_matrices(n, size, max_shift, seed, dtype):
    """(n, size, size) 0/1 matrices of ``dtype``, each moving a line of ``size`` pixels by a
    random integer in [-max_shift, max_shift], zeros coming in."""
    shift = keras.random.randint((n, 1, 1), -max_shift, max_shift + 1, seed=seed)
    rows = ops.arange(size)[None, :, None]
    cols = ops.arange(size)[None, None, :]
    return ops.cast(ops.equal(rows - shift, cols), dtype)


def translation(x, seed, ratio: float = 0.125):
    """Each image moved by up to ``ratio`` of its size along each axis (zero padding)."""
    n, height, width = ops.shape(x)[0], x.shape[1], x.shape[2]
    down = _shift_matrices(n, height, max(1, int(height * ratio)), seed, x.dtype)
    right = _shift_matrices(n, width, max(1, int(width * ratio)), seed, x.dtype)
    return ops.einsum("nij,njkc,nlk->nilc", down, x, right)


def cutout(x, seed, ratio: float = 0.5):
    """A square of ``ratio`` of the image's size, at a random place per image, set to 0."""
    n, height, width = ops.shape(x)[0], x.shape[1], x.shape[2]
    half_h, half_w = height * ratio / 2, width * ratio / 2
    rows = ops.arange(height, dtype="float32")[None] + 0.5
    cols = ops.arange(width, dtype="float32")[None] + 0.5
    centre_row = keras.random.uniform((n, 1), 0.0, height, seed=seed)
    centre_col = keras.random.uniform((n, 1), 0.0, width, seed=seed)
    inside_rows = ops.abs(rows - centre_row) < half_h
    inside_cols = ops.abs(cols - centre_col) < half_w
    hole = ops.logical_and(inside_rows[:, :, None], inside_cols[:, None, :])
    return x * ops.cast(ops.logical_not(hole), x.dtype)[..., None]


def color(x, seed):
    """Random brightness (± 0.5) and contrast (× 0.5–1.5) per image; saturation too for
    RGB (× 0–2), as DiffAugment's color (on images in [-1, 1])."""
    n = ops.shape(x)[0]

    def draw(low, high):
        return ops.cast(keras.random.uniform((n, 1, 1, 1), low, high, seed=seed), x.dtype)

    x = x + draw(-0.5, 0.5)
    if x.shape[-1] == 3:
        grey = ops.mean(x, axis=-1, keepdims=True)
        x = (x - grey) * draw(0.0, 2.0) + grey
    mean = ops.mean(x, axis=(1, 2, 3), keepdims=True)
    return (x - mean) * draw(0.5, 1.5) + mean


AUGMENTATIONS = {"translation": translation, "cutout": cutout, "color": color}
