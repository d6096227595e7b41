"""SRResNet (Ledig 2017): SRGAN's generator trained alone on a pixel loss, the PSNR-oriented
model the paper reports beside SRGAN (Set5, 4x: bicubic 28.43 dB, SRResNet 32.05, SRGAN
29.40). No discriminator: one player, the upsampling network."""

from __future__ import annotations

from typing import Literal

import keras
from pydantic import Field, PositiveInt

from ganops.nets.translation import sr_generator
from ganops.variants.base import DataSpec, ModelConfig, OptimizerConfig, Trainable, alone
from ganops.variants.paired import DATA_KINDS, l1, mse, pair_pool, require_task

__all__ = ["DATA_KINDS", "Config", "GeneratorConfig", "build"]
PIXEL_LOSSES = {"mse": mse, "l1": l1}


class GeneratorConfig(ModelConfig):
    """The generator SRResNet and SRGAN share (the paper: 16 blocks of 64 filters)."""

    generator_filters: PositiveInt = 64
    residual_blocks: PositiveInt = 16
    sr_upsampling: Literal["subpixel", "upsampling"] = Field(
        "subpixel",
        description="sub-pixel convolution (paper) or UpSampling2D + conv (book)",
    )
    residual: bool = Field(
        False,
        description="predict the detail on top of the source's bicubic upsampling from the "
        "source's own detail, without batch norm or biases (flat regions: bicubic exactly)",
    )

    def generator(self, spec: DataSpec) -> keras.Model:
        """The upsampling network for sources of ``spec``, by the data's factor."""
        return sr_generator(
            spec.source_shape,
            spec.sample_shape[-1],
            spec.factor,
            self.generator_filters,
            self.residual_blocks,
            self.sr_upsampling,
            self.residual,
        )


class Config(GeneratorConfig):
    """The paper's pixel MSE and Adam (1e-4, beta_1 0.9); ``l1`` is EDSR's (Lim 2017) loss."""

    optimizer: OptimizerConfig = OptimizerConfig(learning_rate=1e-4, beta_1=0.9)
    pixel_loss: Literal["mse", "l1"] = Field("mse", description="mse (the paper) or l1 (EDSR)")


def build(config: Config, spec: DataSpec, d_steps: int = 1) -> Trainable:
    require_task("srresnet", spec, ("super_resolution",))
    generator = config.generator(spec)
    pixel_loss = PIXEL_LOSSES[config.pixel_loss]

    def loss(batch):
        source, target = batch["source"], batch["x"]
        value = pixel_loss(source, generator(source, training=True), target)
        return value, {"g_loss": value}

    return alone(
        "srresnet",
        [generator],
        config,
        loss,
        d_steps,
        generator=generator,
        latent_dim=0,
        seed=keras.random.SeedGenerator(0),
        pools=pair_pool,
    )
