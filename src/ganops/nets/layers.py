"""Stabilizing blocks shared by the builders: spectral norm, minibatch stddev, init, packing."""

from __future__ import annotations

from collections.abc import Sequence

import keras
from keras import layers, ops


def spectral(layer: keras.layers.Layer, enabled: bool = True) -> keras.layers.Layer:
    """Wrap ``layer`` in spectral normalization (Miyato 2018) when ``enabled``.

    The wrapper takes the layer's dtype policy: it casts its output to its input dtype, so a
    float32 logit layer stays float32 under mixed precision only if the wrapper is float32 too.
    """
    return layers.SpectralNormalization(layer, dtype=layer.dtype_policy) if enabled else layer


@keras.saving.register_keras_serializable(package="ganops")
class MinibatchStdDev(layers.Layer):
    """Append the batch's mean per-feature standard deviation as one last feature (Karras 2018).

    The critic sees how varied the whole batch is, so a collapsed generator is easy to spot.
    """

    def call(self, x):
        variance = ops.var(ops.cast(x, "float32"), axis=0)  # float16 would lose the epsilon
        std = ops.cast(ops.mean(ops.sqrt(variance + 1e-8)), x.dtype)
        return ops.concatenate([x, ops.ones_like(x[..., :1]) * std], axis=-1)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], input_shape[-1] + 1)


def normal_init(model: keras.Model, std: float = 0.02, seed: int = 0) -> keras.Model:
    """Draw every kernel from N(0, ``std``) and zero every bias (Radford 2015), in place.

    Works on variables, so kernels inside wrappers (spectral norm) and nested models count too.
    """
    seeds = keras.random.SeedGenerator(seed)
    for weight in model.weights:
        if weight.name == "kernel":
            weight.assign(
                keras.random.normal(weight.shape, stddev=std, dtype=weight.dtype, seed=seeds)
            )
        elif weight.name == "bias":
            weight.assign(ops.zeros_like(weight))
    return model


def pack(x, m: int):
    """PacGAN packing (Lin 2018): join each ``m`` consecutive samples along the last axis.

    (B, ..., C) -> (B/m, ..., m*C); B must be a multiple of ``m``.
    """
    *middle, last = x.shape[1:]
    grouped = ops.moveaxis(ops.reshape(x, (-1, m, *middle, last)), 1, -2)
    return ops.reshape(grouped, (-1, *middle, m * last))


def packed_shape(sample_shape: Sequence[int], m: int) -> tuple[int, ...]:
    """Input shape of one pack of ``m`` samples, to build the discriminator with."""
    *middle, last = sample_shape
    return (*middle, m * last)
