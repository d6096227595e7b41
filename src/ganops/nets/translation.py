"""Image-to-image networks (book Skills 8 and 9): the U-Net generator and PatchGAN of Pix2Pix,
SRGAN's residual generator and strided discriminator, the Context Encoder's encoder-decoder,
CycleGAN's (and CartoonGAN's) ResNet generator and DiscoGAN's. Generators take one input
named ``image`` (``ganops.sampling``)."""

from __future__ import annotations

from collections.abc import Sequence

import keras
from keras import layers, ops

from ganops.data.pairs import LUMA
from ganops.errors import ConfigError
from ganops.sampling import IMAGE


def init() -> keras.initializers.Initializer:
    """Pix2Pix and DCGAN's N(0, 0.02), a fresh initializer per layer: one instance shared by
    layers gives every kernel of one shape the same values (two generators built alike would
    start identical)."""
    return keras.initializers.RandomNormal(0.0, 0.02)


def normalization(kind: str) -> layers.Layer:
    """``batch`` normalization, ``instance`` normalization (one group per channel: Keras
    core, where tensorflow-addons had InstanceNormalization) or ``none``."""
    if kind == "batch":
        return layers.BatchNormalization()
    if kind == "instance":
        return layers.GroupNormalization(groups=-1, epsilon=1e-5)
    return layers.Identity()


def check_divisible(size: int, levels: int, what: str, fewer: str = "filters") -> None:
    """``size`` must halve ``levels`` times; a clear error naming both, and the setting to
    lower (``fewer``), otherwise."""
    if size % 2**levels:
        raise ConfigError(
            f"image size {size} cannot be halved {levels} times by the {what}: give a size "
            f"divisible by {2**levels} (pairs.size, image_size) or fewer {fewer}"
        )


def upsample(filters: int, kernel: int, mode: str) -> list[layers.Layer]:
    """x2 upsampling: a transposed convolution (the papers), or nearest upsampling then a
    convolution (fewer checkerboard artifacts, Odena 2016)."""
    if mode == "transposed":
        return [layers.Conv2DTranspose(filters, kernel, 2, "same", kernel_initializer=init())]
    return [
        layers.UpSampling2D(),
        layers.Conv2D(filters, kernel, padding="same", kernel_initializer=init()),
    ]


def unet(
    source_shape: Sequence[int],
    channels: int,
    filters: Sequence[int],
    norm: str = "batch",
    dropout: float = 0.5,
    dropout_blocks: int = 3,
    upsampling: str = "transposed",
    name: str = "generator",
) -> keras.Model:
    """Pix2Pix's U-Net: 4x4 stride-2 convs down (LeakyReLU 0.2, no norm on the first, nor on
    a 1x1 bottleneck: normalising one value per channel outputs a constant, which erased the
    image there; the paper's errata, and its public code), then up again with a skip
    connection from the mirror level at every step (ReLU; dropout in the first
    ``dropout_blocks`` decoder blocks, the paper's noise), tanh image out."""
    check_divisible(source_shape[0], len(filters), "U-Net")
    image = keras.Input(tuple(source_shape), name=IMAGE)
    x, skips = image, []
    for i, depth in enumerate(filters):
        x = layers.Conv2D(depth, 4, 2, "same", use_bias=False, kernel_initializer=init())(x)
        single = all(side >> (i + 1) == 1 for side in source_shape[:2])  # one pixel left
        x = normalization("none" if i == 0 or single else norm)(x)
        x = layers.LeakyReLU(0.2)(x)
        skips.append(x)
    for i, (depth, skip) in enumerate(
        zip(reversed(filters[:-1]), reversed(skips[:-1]), strict=True)
    ):
        for layer in upsample(depth, 4, upsampling):
            x = layer(x)
        x = normalization(norm)(x)
        if i < dropout_blocks and dropout:
            x = layers.Dropout(dropout)(x)
        x = layers.ReLU()(x)
        x = layers.Concatenate()([x, skip])
    for layer in upsample(channels, 4, upsampling):
        x = layer(x)
    out = layers.Activation("tanh", dtype="float32")(x)
    return keras.Model(image, out, name=name)


def patch_discriminator(
    source_shape: Sequence[int] | None,
    image_shape: Sequence[int],
    filters: Sequence[int],
    norm: str = "batch",
    name: str = "discriminator",
) -> keras.Model:
    """PatchGAN (Isola 2017): 4x4 convs, stride 2 but for the last of ``filters``, then a
    one-channel map of real/fake scores, each seeing one patch. With ``source_shape`` it
    judges the (source, image) pair, sources resized to the image (conditional, Pix2Pix).
    ``[64, 128, 256, 512]`` gives the paper's 70x70 receptive field."""
    image = keras.Input(tuple(image_shape), name=IMAGE)
    inputs, x = [image], image
    if source_shape is not None:
        source = keras.Input(tuple(source_shape), name="source")
        resized = source
        if tuple(source_shape[:2]) != tuple(image_shape[:2]):
            resized = layers.Resizing(*image_shape[:2], interpolation="nearest")(source)
        inputs, x = [source, image], layers.Concatenate()([resized, image])
    for i, depth in enumerate(filters):
        stride = 1 if i == len(filters) - 1 else 2
        x = layers.Conv2D(depth, 4, stride, "same", use_bias=i == 0, kernel_initializer=init())(x)
        x = normalization("none" if i == 0 else norm)(x)
        x = layers.LeakyReLU(0.2)(x)
    out = layers.Conv2D(1, 4, 1, "same", kernel_initializer=init(), dtype="float32")(x)
    return keras.Model(inputs, out, name=name)


def receptive_field(filters: Sequence[int]) -> int:
    """Side in pixels that one PatchGAN score sees (its convs: 4x4, strides as built)."""
    strides = [2] * (len(filters) - 1) + [1, 1]  # ...then the stride-1 score layer
    field = 1
    for stride in reversed(strides):
        field = (field - 1) * stride + 4
    return field


@keras.saving.register_keras_serializable(package="ganops")
class PixelShuffle(layers.Layer):
    """Sub-pixel convolution's rearrangement (Shi 2016): (H, W, C*r*r) -> (H*r, W*r, C)."""

    def __init__(self, factor: int = 2, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor

    def call(self, x):
        r = self.factor
        _, h, w, c = x.shape
        x = ops.reshape(x, (-1, h, w, r, r, c // (r * r)))
        x = ops.transpose(x, (0, 1, 3, 2, 4, 5))
        return ops.reshape(x, (-1, h * r, w * r, c // (r * r)))

    def compute_output_shape(self, input_shape):
        b, h, w, c = input_shape
        r = self.factor
        return (b, h * r, w * r, c // (r * r))

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


def residual_block(x, filters: int, normalize: bool = True):
    """SRGAN's block: conv, batch norm, PReLU, conv, batch norm, plus the input; without
    ``normalize``, EDSR's (Lim 2017): no batch norm, and no biases either."""
    y = layers.Conv2D(filters, 3, padding="same", use_bias=normalize)(x)
    y = layers.BatchNormalization()(y) if normalize else y
    y = layers.PReLU(shared_axes=[1, 2])(y)
    y = layers.Conv2D(filters, 3, padding="same", use_bias=normalize)(y)
    y = layers.BatchNormalization()(y) if normalize else y
    return layers.Add()([x, y])


def sr_generator(
    source_shape: Sequence[int],
    channels: int,
    factor: int,
    filters: int = 64,
    blocks: int = 16,
    upsampling: str = "subpixel",
    residual: bool = False,
) -> keras.Model:
    """SRGAN's generator (Ledig 2017): a 9x9 conv with PReLU, ``blocks`` residual blocks, a
    long skip, then x2 upsamplings by sub-pixel convolution (the paper) or UpSampling2D and a
    conv (the book), and a 9x9 conv to a tanh image ``factor`` times larger.

    With ``residual``, the network learns only the detail bicubic misses (VDSR, ESPCN): its
    output is added to the bicubic upsampling of the source and clipped to [-1, 1], and it
    starts at zero. It then reads the source's own detail (the source minus its 3x3 local
    mean) through layers without batch norm or biases (EDSR's blocks), so a flat region gets
    no detail at all: bicubic's exact answer there, where any invented texture only costs."""
    steps = factor.bit_length() - 1
    if factor < 2 or 2**steps != factor:
        raise ConfigError(f"pairs.factor: SRGAN upsamples by powers of 2, got {factor}")
    image = keras.Input(tuple(source_shape), name=IMAGE)
    plain = not residual  # the paper's layers: biases and batch norm

    def conv(width: int, kernel: int, **kwargs) -> layers.Layer:
        return layers.Conv2D(width, kernel, padding="same", use_bias=plain, **kwargs)

    x = image
    if residual:
        x = layers.Subtract()([image, layers.AveragePooling2D(3, 1, "same")(image)])
    x = layers.PReLU(shared_axes=[1, 2])(conv(filters, 9)(x))
    skip = x
    for _ in range(blocks):
        x = residual_block(x, filters, normalize=plain)
    x = conv(filters, 3)(x)
    x = layers.Add()([skip, layers.BatchNormalization()(x) if plain else x])
    for _ in range(steps):
        if upsampling == "subpixel":
            x = PixelShuffle(2)(conv(filters * 4, 3)(x))
        else:
            x = conv(filters, 3)(layers.UpSampling2D()(x))
        x = layers.PReLU(shared_axes=[1, 2])(x)
    # A residual starts at zero, so the generator starts as the bicubic upsampling itself.
    out = conv(channels, 9, kernel_initializer="zeros" if residual else "glorot_uniform")(x)
    if plain:
        return keras.Model(image, layers.Activation("tanh", dtype="float32")(out), name="generator")
    height, width = source_shape[:2]
    upsampled = layers.Resizing(height * factor, width * factor, "bicubic")(image)
    out = layers.Add()([upsampled, out])
    return keras.Model(
        image, layers.Activation("hard_tanh", dtype="float32")(out), name="generator"
    )


def strided_discriminator(
    image_shape: Sequence[int], filters: Sequence[int], dense: int = 1024
) -> keras.Model:
    """SRGAN's discriminator: 3x3 convs in pairs (stride 1 then 2) of each width in
    ``filters``, batch norm and LeakyReLU 0.2, a dense layer and one logit."""
    image = keras.Input(tuple(image_shape), name=IMAGE)
    x = image
    for i, depth in enumerate(filters):
        for stride in (1, 2):
            x = layers.Conv2D(depth, 3, stride, "same")(x)
            if i or stride == 2:
                x = layers.BatchNormalization()(x)
            x = layers.LeakyReLU(0.2)(x)
    x = layers.LeakyReLU(0.2)(layers.Dense(dense)(layers.Flatten()(x)))
    return keras.Model(image, layers.Dense(1, dtype="float32")(x), name="discriminator")


@keras.saving.register_keras_serializable(package="ganops")
class KeepLuma(layers.Layer):
    """A gray source and a predicted colour image -> that image shifted, equally in R, G and
    B, so that its BT.601 luma is the source's (then clipped to [-1, 1]): the prediction
    changes colour only, never the structure the source shows."""

    def call(self, gray, colour):
        weights = ops.convert_to_tensor(LUMA, dtype=colour.dtype)
        luma = ops.sum(colour * weights, axis=-1, keepdims=True)
        return ops.clip(colour - luma + ops.cast(gray, colour.dtype), -1.0, 1.0)

    def compute_output_shape(self, gray_shape, colour_shape):
        return colour_shape


def keep_luma(generator: keras.Model) -> keras.Model:
    """``generator`` (gray -> colour) with its output's luma replaced by the source's."""
    image = generator.input
    out = KeepLuma(dtype="float32")(image, generator.output)
    return keras.Model(image, out, name=generator.name)


@keras.saving.register_keras_serializable(package="ganops")
class PasteIntoHole(layers.Layer):
    """An inpainting source (image channels, then +1 known / -1 hole) and a predicted image
    -> the known pixels kept, the hole filled with the prediction."""

    def call(self, source, prediction):
        hole = ops.cast(source[..., -1:] < 0, prediction.dtype)
        return hole * prediction + (1.0 - hole) * ops.cast(source[..., :-1], prediction.dtype)

    def compute_output_shape(self, source_shape, prediction_shape):
        return prediction_shape


def encoder_decoder(
    source_shape: Sequence[int],
    filters: Sequence[int],
    bottleneck: int,
    upsampling: str,
) -> keras.Model:
    """The Context Encoder (Pathak 2016): 4x4 stride-2 convs down, a fully connected
    bottleneck of ``bottleneck`` units (the paper's channel-wise layer), convs back up to the
    whole image; the prediction is pasted into the hole, so known pixels pass unchanged."""
    check_divisible(source_shape[0], len(filters), "context encoder")
    source = keras.Input(tuple(source_shape), name=IMAGE)
    x = source
    for i, depth in enumerate(filters):
        x = layers.Conv2D(depth, 4, 2, "same", kernel_initializer=init())(x)
        x = layers.LeakyReLU(0.2)(x if i == 0 else layers.BatchNormalization()(x))
    side = source_shape[0] // 2 ** len(filters)
    x = layers.Dense(bottleneck)(layers.Flatten()(x))
    x = layers.Dense(side * side * filters[-1])(layers.LeakyReLU(0.2)(x))
    x = layers.Reshape((side, side, filters[-1]))(x)
    for depth in reversed(filters[:-1]):
        for layer in upsample(depth, 4, upsampling):
            x = layer(x)
        x = layers.ReLU()(layers.BatchNormalization()(x))
    for layer in upsample(source_shape[-1] - 1, 4, upsampling):
        x = layer(x)
    prediction = layers.Activation("tanh", dtype="float32")(x)
    return keras.Model(source, PasteIntoHole()(source, prediction), name="generator")


@keras.saving.register_keras_serializable(package="ganops")
class ReflectionPadding(layers.Layer):
    """Mirror ``pad`` pixels onto each side (CycleGAN pads so before its 7x7 and 3x3 convs:
    fewer border artifacts than zeros)."""

    def __init__(self, pad: int = 1, **kwargs):
        super().__init__(**kwargs)
        self.pad = pad

    def call(self, x):
        p = self.pad
        return ops.pad(x, [[0, 0], [p, p], [p, p], [0, 0]], mode="reflect")

    def compute_output_shape(self, input_shape):
        b, h, w, c = input_shape
        grow = lambda side: None if side is None else side + 2 * self.pad  # noqa: E731
        return (b, grow(h), grow(w), c)

    def get_config(self):
        return {**super().get_config(), "pad": self.pad}


def padded_conv(x, filters: int, kernel: int, norm: str, activation: str | None = "relu"):
    """Reflection padding, a ``kernel`` conv with no zero padding, norm, activation."""
    x = ReflectionPadding(kernel // 2)(x)
    x = layers.Conv2D(filters, kernel, padding="valid", kernel_initializer=init())(x)
    x = normalization(norm)(x)
    return x if activation is None else layers.Activation(activation)(x)


def resnet_generator(
    shape: Sequence[int],
    filters: int = 64,
    blocks: int = 9,
    norm: str = "instance",
    upsampling: str = "transposed",
    name: str = "generator",
    channels: int | None = None,
    downsamplings: int = 2,
) -> keras.Model:
    """CycleGAN's generator (Zhu 2017, after Johnson 2016), also CartoonGAN's with batch norm
    and 8 blocks: a 7x7 conv, ``downsamplings`` stride-2 3x3 convs (the paper's two: ``filters``
    x2, x4), ``blocks`` residual blocks with reflection padding, as many x2 upsamplings and a
    7x7 conv to a tanh image of the input's shape (or of ``channels``). The paper: 6 blocks at
    128x128, 9 at 256x256; its blocks work at a quarter of the image side."""
    check_divisible(shape[0], downsamplings, "ResNet generator", "downsamplings")
    image = keras.Input(tuple(shape), name=IMAGE)
    x = padded_conv(image, filters, 7, norm)
    for level in range(1, downsamplings + 1):
        x = layers.Conv2D(filters * 2**level, 3, 2, "same", kernel_initializer=init())(x)
        x = layers.ReLU()(normalization(norm)(x))
    for _ in range(blocks):
        y = padded_conv(x, filters * 2**downsamplings, 3, norm)
        x = layers.Add()([x, padded_conv(y, filters * 2**downsamplings, 3, norm, activation=None)])
    for level in reversed(range(downsamplings)):
        for layer in upsample(filters * 2**level, 3, upsampling):
            x = layer(x)
        x = layers.ReLU()(normalization(norm)(x))
    x = ReflectionPadding(3)(x)
    x = layers.Conv2D(channels or shape[-1], 7, padding="valid", kernel_initializer=init())(x)
    return keras.Model(image, layers.Activation("tanh", dtype="float32")(x), name=name)


def conv_autoencoder(
    shape: Sequence[int],
    filters: Sequence[int],
    upsampling: str = "transposed",
    name: str = "g",
) -> keras.Model:
    """DiscoGAN's generator (Kim 2017): 4x4 stride-2 convs down (LeakyReLU 0.2, batch norm
    but on the first), 4x4 stride-2 deconvs back up (batch norm, ReLU), a tanh image of the
    input's shape; no skip connections."""
    check_divisible(shape[0], len(filters), "DiscoGAN generator")
    image = keras.Input(tuple(shape), name=IMAGE)
    x = image
    for i, depth in enumerate(filters):
        x = layers.Conv2D(depth, 4, 2, "same", kernel_initializer=init())(x)
        x = layers.LeakyReLU(0.2)(x if i == 0 else layers.BatchNormalization()(x))
    for depth in reversed(filters[:-1]):
        for layer in upsample(depth, 4, upsampling):
            x = layer(x)
        x = layers.ReLU()(layers.BatchNormalization()(x))
    for layer in upsample(shape[-1], 4, upsampling):
        x = layer(x)
    return keras.Model(image, layers.Activation("tanh", dtype="float32")(x), name=name)
