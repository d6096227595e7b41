"""Fully connected stacks (book Skill 2)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import keras
from keras import layers

from ganops.nets.layers import MinibatchStdDev, spectral
from ganops.sampling import LATENT


def mlp_generator(
    latent_dim: int,
    sample_shape: Sequence[int],
    units: Sequence[int],
    output_activation: str,
    batchnorm_momentum: float = 0.8,
    batchnorm: bool = True,
) -> keras.Model:
    """z -> Dense/ReLU(/BatchNorm) blocks -> Dense -> reshape to ``sample_shape``."""
    model = keras.Sequential([keras.Input((latent_dim,), name=LATENT)], name="generator")
    for width in units:
        model.add(layers.Dense(width, activation="relu"))
        if batchnorm:
            model.add(layers.BatchNormalization(momentum=batchnorm_momentum))
    model.add(layers.Dense(math.prod(sample_shape)))
    model.add(layers.Reshape(tuple(sample_shape)))
    model.add(layers.Activation(output_activation, dtype="float32"))
    return model


def mlp_discriminator(
    sample_shape: Sequence[int],
    units: Sequence[int],
    dropout: Sequence[float],
    *,
    spectral_norm: bool = False,
    minibatch_std: bool = False,
) -> keras.Model:
    """x -> flatten -> Dense/ReLU/Dropout blocks -> one logit (the sigmoid lives in the loss).

    ``spectral_norm`` wraps every Dense (Miyato 2018); ``minibatch_std`` appends the
    batch-diversity feature before the logit (Karras 2018). A rate of 0 adds no Dropout.
    """
    model = keras.Sequential(
        [keras.Input(tuple(sample_shape)), layers.Flatten()], name="discriminator"
    )
    for width, rate in zip(units, dropout, strict=True):
        model.add(spectral(layers.Dense(width, activation="relu"), spectral_norm))
        if rate:
            model.add(layers.Dropout(rate))
    if minibatch_std:
        model.add(MinibatchStdDev())
    model.add(spectral(layers.Dense(1, dtype="float32"), spectral_norm))
    return model
