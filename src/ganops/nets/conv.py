"""Convolutional stacks (book Skill 4, the TensorFlow DCGAN tutorial)."""

from __future__ import annotations

from collections.abc import Sequence

import keras
from keras import layers

from ganops.errors import ConfigError
from ganops.nets.layers import MinibatchStdDev, spectral
from ganops.sampling import LATENT


def base_size(image_size: int, upsamplings: int) -> int:
    """Side of the first feature map so that ``upsamplings`` stride-2 layers reach the image."""
    side, rest = divmod(image_size, 2**upsamplings)
    if rest or side < 1:
        raise ConfigError(
            f"image size {image_size} is not divisible by 2**{upsamplings}: change "
            f"preprocess.image_size or the number of generator filters"
        )
    return side


def dcgan_generator(
    latent_dim: int,
    image_shape: Sequence[int],
    filters: Sequence[int],
    kernel_size: int = 5,
    batchnorm_momentum: float = 0.99,
) -> keras.Model:
    """z -> Dense projection -> transposed convs (BN + LeakyReLU) -> tanh image.

    ``filters[0]`` is the projection depth, ``filters[1]`` a stride-1 transposed conv, each
    further entry a stride-2 one, and a last stride-2 layer makes the image channels, as in
    the tutorial (filters ``[256, 128, 64]`` turns 7x7 into 28x28). ``batchnorm_momentum``:
    that of every BatchNormalization's moving statistics, which sampling uses.
    """
    if len(filters) < 2:
        raise ConfigError("model.generator_filters: give at least two entries")
    height, _, channels = image_shape
    side = base_size(height, len(filters) - 1)
    model = keras.Sequential([keras.Input((latent_dim,), name=LATENT)], name="generator")
    model.add(layers.Dense(side * side * filters[0], use_bias=False))
    model.add(layers.BatchNormalization(momentum=batchnorm_momentum))
    model.add(layers.LeakyReLU(0.2))
    model.add(layers.Reshape((side, side, filters[0])))
    for i, depth in enumerate(filters[1:]):
        model.add(
            layers.Conv2DTranspose(
                depth, kernel_size, strides=1 if i == 0 else 2, padding="same", use_bias=False
            )
        )
        model.add(layers.BatchNormalization(momentum=batchnorm_momentum))
        model.add(layers.LeakyReLU(0.2))
    model.add(layers.Conv2DTranspose(channels, kernel_size, strides=2, padding="same"))
    model.add(layers.Activation("tanh", dtype="float32"))
    return model


def dcgan_discriminator(
    image_shape: Sequence[int],
    filters: Sequence[int],
    kernel_size: int = 5,
    dropout: float = 0.3,
    *,
    spectral_norm: bool = False,
    minibatch_std: bool = False,
    outputs: int = 1,
) -> keras.Model:
    """image -> stride-2 convs (LeakyReLU + dropout) -> one logit (or ``outputs`` of them:
    conditional variants' extra heads).

    ``spectral_norm`` wraps every conv and the logit layer (Miyato 2018); ``minibatch_std``
    appends the batch-diversity channel before flattening (Karras 2018); ``dropout`` 0 adds
    no Dropout layer.
    """
    model = keras.Sequential([keras.Input(tuple(image_shape))], name="discriminator")
    for depth in filters:
        model.add(
            spectral(layers.Conv2D(depth, kernel_size, strides=2, padding="same"), spectral_norm)
        )
        model.add(layers.LeakyReLU(0.2))
        if dropout:
            model.add(layers.Dropout(dropout))
    if minibatch_std:
        model.add(MinibatchStdDev())
    model.add(layers.Flatten())
    model.add(spectral(layers.Dense(outputs, dtype="float32"), spectral_norm))
    return model
