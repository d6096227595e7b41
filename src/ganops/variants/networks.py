"""Networks sized to the data: DCGAN convolutions for images (Radford 2015), MLPs for 2-D
points. The variants that take both pick by the data's kind."""

from __future__ import annotations

import keras
from pydantic import Field

from ganops.nets.conv import dcgan_discriminator, dcgan_generator
from ganops.nets.dense import mlp_discriminator, mlp_generator
from ganops.nets.layers import packed_shape
from ganops.variants.base import AdversarialConfig, DataSpec


class ConvConfig(AdversarialConfig):
    """DCGAN stacks: the tutorial's 256 -> 128 -> 64 generator, 64 -> 128 discriminator."""

    generator_filters: list[int] = Field([256, 128, 64], min_length=2)
    discriminator_filters: list[int] = Field([64, 128], min_length=1)
    kernel_size: int = Field(5, gt=0)
    dropout: float = Field(0.0, ge=0.0, lt=1.0, description="discriminator dropout")
    generator_batchnorm_momentum: float = Field(
        0.99,
        gt=0.0,
        lt=1.0,
        description="momentum of the generator's BatchNormalization statistics, which "
        "sampling uses: lower follows a generator that still changes fast (Keras: 0.99)",
    )


class NetworksConfig(ConvConfig):
    """Images use the ``*_filters``, 2-D points the ``*_units``."""

    generator_units: list[int] = Field([128, 128], min_length=1)
    discriminator_units: list[int] = Field([128, 128], min_length=1)


def discriminator_shape(config: AdversarialConfig, spec: DataSpec) -> tuple[int, ...]:
    """The discriminator's input: one sample, or a pack of them (PacGAN)."""
    return packed_shape(spec.sample_shape, config.stabilizers.pack)


def conv_generator(config: ConvConfig, spec: DataSpec, inputs: int | None = None) -> keras.Model:
    """The DCGAN generator of ``config`` sized to the images, from ``inputs`` numbers
    (the latent size unless given: conditional variants add their conditions)."""
    return dcgan_generator(
        inputs or config.latent_dim,
        spec.sample_shape,
        config.generator_filters,
        config.kernel_size,
        config.generator_batchnorm_momentum,
    )


def conv_networks(
    config: ConvConfig, spec: DataSpec, spectral_norm: bool = False
) -> tuple[keras.Model, keras.Model]:
    """(generator, discriminator) of DCGAN stacks sized to the images."""
    generator = conv_generator(config, spec)
    discriminator = dcgan_discriminator(
        discriminator_shape(config, spec),
        config.discriminator_filters,
        config.kernel_size,
        config.dropout,
        spectral_norm=spectral_norm,
        minibatch_std=config.stabilizers.minibatch_std,
    )
    return generator, discriminator


def networks(
    config: NetworksConfig, spec: DataSpec, spectral_norm: bool = False
) -> tuple[keras.Model, keras.Model]:
    """(generator, discriminator) for data of ``spec``: conv stacks or MLPs."""
    if spec.kind == "images":
        return conv_networks(config, spec, spectral_norm)
    generator = mlp_generator(
        config.latent_dim, spec.sample_shape, config.generator_units, "linear"
    )
    discriminator = mlp_discriminator(
        discriminator_shape(config, spec),
        config.discriminator_units,
        [config.dropout] * len(config.discriminator_units),
        spectral_norm=spectral_norm,
        minibatch_std=config.stabilizers.minibatch_std,
    )
    return generator, discriminator
