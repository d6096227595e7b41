"""The book's likelihood baselines (Skill 1): a convolutional VAE and PixelCNN, both over
binary pixels (Bernoulli logits out; the book's VAE decoder ends in a ReLU, which is no
likelihood at all)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import keras
import numpy as np
from keras import layers, ops

from ganops.sampling import LATENT, NOISE


def halvings(side: int, count: int) -> int:
    """How many of ``count`` 2x2 poolings a side takes while it stays even."""
    done = 0
    while done < count and side % 2 == 0:
        side, done = side // 2, done + 1
    return done


def vae_encoder(
    image_shape: Sequence[int], latent_dim: int, filters: Sequence[int], hidden: int
) -> keras.Model:
    """image -> (mean, log-variance) of q(z|x): convolutions (the first 5x5, then 3x3), each
    followed by 2x2 max pooling while the side is even, and a dense layer (the book: 64, 64,
    32 filters, 16 units)."""
    pooled = halvings(min(image_shape[:2]), len(filters))
    x = image = keras.Input(tuple(image_shape), name="image")
    for i, units in enumerate(filters):
        x = layers.Conv2D(units, 5 if i == 0 else 3, padding="same", activation="relu")(x)
        if i < pooled:
            x = layers.MaxPooling2D(2)(x)
    x = layers.Dense(hidden, activation="relu")(layers.Flatten()(x))
    mean = layers.Dense(latent_dim, name="mean")(x)
    log_variance = layers.Dense(latent_dim, name="log_variance")(x)
    return keras.Model(image, [mean, log_variance], name="encoder")


def vae_decoder(image_shape: Sequence[int], latent_dim: int, filters: Sequence[int]) -> keras.Model:
    """z -> Bernoulli logits of every pixel: the encoder mirrored (a dense projection, then
    upsampling and transposed convolutions, a last 5x5 layer to the image's channels)."""
    height, width, channels = image_shape
    pooled = halvings(min(height, width), len(filters))
    z = keras.Input((latent_dim,), name=LATENT)
    scale = 2**pooled
    x = layers.Dense(height // scale * width // scale * filters[-1], activation="relu")(z)
    x = layers.Reshape((height // scale, width // scale, filters[-1]))(x)
    for i, units in reversed(list(enumerate(filters))):
        if i < pooled:
            x = layers.UpSampling2D(2)(x)
        x = layers.Conv2DTranspose(units, 3, padding="same", activation="relu")(x)
    logits = layers.Conv2D(channels, 5, padding="same", dtype="float32")(x)
    return keras.Model(z, logits, name="decoder")


def bernoulli_means(decoder: keras.Model) -> keras.Model:
    """The decoder as a generator: z -> each pixel's probability, as an image in [-1, 1]."""
    z = keras.Input(tuple(decoder.inputs[0].shape[1:]), name=LATENT)
    probability = layers.Activation("sigmoid", dtype="float32")(decoder(z))
    image = layers.Rescaling(2.0, offset=-1.0, dtype="float32")(probability)
    return keras.Model(z, image, name="generator")


@keras.saving.register_keras_serializable(package="ganops")
class MaskedConv2D(layers.Conv2D):
    """A convolution that sees only the pixels before the centre, row by row (mask ``A``) or
    those and the centre (``B``): PixelCNN's causal convolution (van den Oord 2016). Gray
    images only: colour would need the channels masked in order too."""

    def __init__(self, mask_type: str, **kwargs):
        super().__init__(**kwargs)
        self.mask_type = mask_type

    def build(self, input_shape):
        super().build(input_shape)
        rows, cols = self.kernel_size
        mask = np.zeros(self.kernel.shape, "float32")
        mask[: rows // 2] = 1.0
        mask[rows // 2, : cols // 2 + (self.mask_type == "B")] = 1.0
        self.mask = mask

    def convolution_op(self, inputs, kernel):
        return super().convolution_op(inputs, kernel * ops.cast(self.mask, kernel.dtype))

    def get_config(self):
        return {**super().get_config(), "mask_type": self.mask_type}


def pixelcnn(width: int, filters: int, residual_blocks: int, output_layers: int) -> keras.Model:
    """binary image (any height, ``width`` pixels wide) -> each pixel's Bernoulli logit given
    the pixels before it: a 7x7 mask-A convolution, residual blocks (1x1, 3x3 mask B at half
    width, 1x1), 1x1 layers, a 1x1 logit (the book: 128 filters, 5 blocks, 2 layers)."""
    image = keras.Input((None, width, 1), name="image")
    x = MaskedConv2D("A", filters=filters, kernel_size=7, padding="same", activation="relu")(image)
    for _ in range(residual_blocks):
        y = layers.Conv2D(filters, 1, activation="relu")(x)
        y = MaskedConv2D(
            "B", filters=filters // 2, kernel_size=3, padding="same", activation="relu"
        )(y)
        x = layers.add([x, layers.Conv2D(filters, 1, activation="relu")(y)])
    for _ in range(output_layers):
        x = layers.Conv2D(filters, 1, activation="relu")(x)
    logits = layers.Conv2D(1, 1, dtype="float32")(x)
    return keras.Model(image, logits, name="pixelcnn")


def pixelcnn_reach(residual_blocks: int) -> int:
    """Rows above a pixel that its logit depends on: 3 (the 7x7 layer), 1 per block."""
    return 3 + residual_blocks


@keras.saving.register_keras_serializable(package="ganops")
class PixelSampler(layers.Layer):
    """Standard-normal noise -> binary images drawn pixel by pixel, row by row, from the
    network's probabilities: a pixel is 1 when Φ(its noise) < its probability, so the same
    noise draws the same image. Each pixel's probability is computed on the ``reach + 1``
    rows that end at its row (its whole receptive field), not on the whole image. Images in
    [-1, 1] out (0 -> -1, 1 -> 1)."""

    def __init__(self, network: keras.Model, reach: int, **kwargs):
        super().__init__(**kwargs)
        self.network, self.reach = network, reach

    def call(self, noise):
        _, height, width, _ = noise.shape
        band = min(height, self.reach + 1)
        uniform = 0.5 * (1.0 + ops.erf(noise / math.sqrt(2.0)))
        columns = ops.reshape(ops.arange(width), (1, width, 1))

        def draw(i, x):
            i = ops.convert_to_tensor(i, "int32")  # a Python int when run eagerly
            row, col = i // width, i % width
            start = ops.clip(row - band + 1, 0, height - band)
            rows = ops.slice(x, (0, start, 0, 0), (ops.shape(x)[0], band, width, 1))
            p = ops.take(ops.sigmoid(self.network(rows, training=False)), row - start, axis=1)
            drawn = ops.cast(ops.take(uniform, row, axis=1) < p, x.dtype)
            old = ops.take(x, row, axis=1)
            new = ops.where(columns == col, drawn, old)
            return ops.slice_update(x, (0, row, 0, 0), ops.expand_dims(new, 1))

        pixels = ops.fori_loop(0, height * width, draw, ops.zeros_like(noise))
        return 2.0 * pixels - 1.0

    def compute_output_shape(self, noise_shape):
        return noise_shape

    def get_config(self):
        network = keras.saving.serialize_keras_object(self.network)
        return {**super().get_config(), "network": network, "reach": self.reach}

    @classmethod
    def from_config(cls, config):
        network = keras.saving.deserialize_keras_object(config.pop("network"))
        return cls(network, **config)


def pixel_sampler(network: keras.Model, shape: Sequence[int], reach: int) -> keras.Model:
    """PixelCNN as a generator: ``noise`` shaped like an image in, a drawn image out."""
    noise = keras.Input(tuple(shape), name=NOISE)
    images = PixelSampler(network, reach, dtype="float32")(noise)
    return keras.Model(noise, images, name="generator")
