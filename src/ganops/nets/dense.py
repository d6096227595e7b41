"""Fully connected stacks (book Skill 2)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import keras
from keras import layers


def mlp_generator(
    latent_dim: int,
    sample_shape: Sequence[int],
    units: Sequence[int],
    output_activation: str,
    batchnorm_momentum: float = 0.8,
) -> keras.Model:
    """z -> Dense/ReLU/BatchNorm blocks -> Dense -> reshape to ``sample_shape``."""
    model = keras.Sequential([keras.Input((latent_dim,))], name="generator")
    for width in units:
        model.add(layers.Dense(width, activation="relu"))
        model.add(layers.BatchNormalization(momentum=batchnorm_momentum))
    model.add(layers.Dense(math.prod(sample_shape)))
    model.add(layers.Reshape(tuple(sample_shape)))
    model.add(layers.Activation(output_activation, dtype="float32"))
    return model


def mlp_discriminator(
    sample_shape: Sequence[int], units: Sequence[int], dropout: Sequence[float]
) -> keras.Model:
    """x -> flatten -> Dense/ReLU/Dropout blocks -> one logit (the sigmoid lives in the loss)."""
    model = keras.Sequential(
        [keras.Input(tuple(sample_shape)), layers.Flatten()], name="discriminator"
    )
    for width, rate in zip(units, dropout, strict=True):
        model.add(layers.Dense(width, activation="relu"))
        model.add(layers.Dropout(rate))
    model.add(layers.Dense(1, dtype="float32"))
    return model
