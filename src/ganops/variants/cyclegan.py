"""CycleGAN (book Skills 8 and 9, Zhu 2017): two generators translate A -> B and B -> A, two
PatchGANs judge each domain with the least-squares loss, and the cycle (lambda 10) and
identity losses keep translations faithful without pairs. The paper's ResNet generator with
reflection padding and instance norm, or the book's U-Net; the history of 50 generated
images; an optional linear learning-rate decay (``decay`` in each optimizer)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, NonNegativeInt, PositiveInt

from ganops.nets.translation import patch_discriminator, resnet_generator, unet
from ganops.variants.base import DataSpec, Trainable
from ganops.variants.unpaired import DATA_KINDS, UnpairedConfig, cycle_game

__all__ = ["DATA_KINDS", "Config", "build"]


class Config(UnpairedConfig):
    """The paper's settings at 128x128 (parameters_cyclegan.yml sizes them for CPU)."""

    generator: Literal["resnet", "unet"] = Field(
        "resnet", description="the paper's ResNet, or the book's U-Net (apples <-> oranges)"
    )
    generator_filters: PositiveInt = Field(64, description="ResNet: first conv's filters")
    residual_blocks: PositiveInt = Field(6, description="6 at 128x128, 9 at 256x256")
    downsamplings: NonNegativeInt = Field(
        2, description="ResNet: stride-2 convs before the blocks (the paper's 2: a quarter side)"
    )
    unet_filters: list[int] = Field([64, 128, 256, 512], min_length=2)
    discriminator_filters: list[int] = Field(
        [64, 128, 256, 512], min_length=1, description="[64, 128, 256, 512]: 70x70 patches"
    )


def build(config: Config, spec: DataSpec, d_steps: int = 1) -> Trainable:
    def generator(name: str):
        if config.generator == "unet":
            return unet(
                spec.sample_shape,
                spec.sample_shape[-1],
                config.unet_filters,
                "instance",
                dropout=0.0,
                upsampling=config.upsampling,
                name=name,
            )
        return resnet_generator(
            spec.sample_shape,
            config.generator_filters,
            config.residual_blocks,
            "instance",
            config.upsampling,
            name=name,
            downsamplings=config.downsamplings,
        )

    def discriminator(name: str):
        return patch_discriminator(
            None, spec.sample_shape, config.discriminator_filters, "instance", name=name
        )

    return cycle_game(
        generator,
        discriminator,
        config,
        d_steps=d_steps,
    )
