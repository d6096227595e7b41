"""CartoonGAN (book Skill 9, Chen 2018): one generator turns photos (A) into cartoons (B). Its
content loss (L1 on the features of a frozen network, weight 10) keeps the photo's content;
its discriminator learns that real cartoons are real and that both translations and the
cartoons with their edges smoothed are fake (the edge-promoting loss: crisp edges are what
makes a cartoon). An initialization phase trains the generator on the content loss alone.
The feature network is the dataset's own classifier by default, or VGG19's conv4_4 from a
local weights file (the paper's and the book's). Registered one way: it takes no direction.
The book's customisation is a switch (``style_input``): the generator also takes a cartoon,
drawn at random, whose style the translation should take."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import keras
from keras import layers, ops
from pydantic import Field, NonNegativeInt, PositiveInt

from ganops.data.unpaired import edge_smooth
from ganops.nets.content import content_network
from ganops.nets.translation import patch_discriminator, resnet_generator
from ganops.sampling import IMAGE, STYLE
from ganops.variants.base import DataSpec, Pools, Trainable, TranslationConfig, one_on_one
from ganops.variants.game import LOGITS, TRANSLATION_OBJECTIVES, WATCHED
from ganops.variants.unpaired import DATA_KINDS

__all__ = ["DATA_KINDS", "USES_FEATURES", "Config", "build"]
USES_FEATURES = True  # build() takes the dataset's feature extractor (content loss)


class Config(TranslationConfig):
    """The paper's settings (parameters_cartoongan.yml sizes them for CPU)."""

    loss: Literal["non_saturating", "least_squares"] = "non_saturating"
    content_weight: float = Field(10.0, ge=0.0, description="omega: the paper's 10")
    pretrain_steps: NonNegativeInt = Field(
        1000, description="initialization: generator updates on the content loss alone"
    )
    generator_filters: PositiveInt = 64
    residual_blocks: PositiveInt = 8
    discriminator_filters: list[int] = Field([32, 64, 128, 256], min_length=1)
    content: Literal["features", "pixel"] = Field(
        "features",
        description="the content loss: L1 of the feature network's features (the paper), or of "
        "pixels (a stronger hold on the photo when no VGG19 is at hand)",
    )
    vgg19_weights: Path | None = Field(
        None, description="a local VGG19 weights file (no top): the paper's conv4_4 features"
    )
    edge_sigma: float = Field(1.0, gt=0.0, description="blur of the edge-smoothed cartoons")
    style_input: bool = Field(
        False, description="the book's customisation: a style image (a cartoon) as a second input"
    )


def cartoon_pools(sigma: float, style: bool):
    """Photos, and cartoons drawn with their edge-smoothed twins (one index: twins stay
    twins); the two domains drawn independently, and (``style``) the style images too."""

    def pools(model_input: dict[str, Any], seed: int) -> Pools:
        x, domain = model_input["x_train"], model_input["domain_train"]
        cartoons = x[domain == 1]
        found = {
            "photos": {"a": x[domain == 0]},
            "cartoons": {"b": cartoons, "b_smooth": edge_smooth(cartoons, blur_sigma=sigma)},
        }
        return found | ({"styles": {"style": cartoons}} if style else {})

    return pools


def styled(body: keras.Model, shape: tuple[int, ...]) -> keras.Model:
    """The book's generator: an ``image`` and a ``style`` image in, side by side as channels,
    through ``body``."""
    image, style = keras.Input(shape, name=IMAGE), keras.Input(shape, name=STYLE)
    out = body(layers.Concatenate()([image, style]))
    return keras.Model([image, style], out, name="generator")


def build(
    config: Config, spec: DataSpec, d_steps: int = 1, features: keras.Model | None = None
) -> Trainable:
    shape = spec.sample_shape
    generator = resnet_generator(
        (*shape[:2], shape[-1] * (2 if config.style_input else 1)),
        config.generator_filters,
        config.residual_blocks,
        "batch",
        config.upsampling,
        name="body" if config.style_input else "generator",
        channels=shape[-1],
    )
    if config.style_input:
        generator = styled(generator, shape)

    def translate(batch):
        """The generator's cartoons of the batch's photos (in the styles drawn with them)."""
        inputs = [batch["a"], batch["style"]] if config.style_input else batch["a"]
        return generator(inputs, training=True)

    discriminator = patch_discriminator(
        None, spec.sample_shape, config.discriminator_filters, "batch"
    )
    network = (
        content_network(
            config.vgg19_weights, "block4_conv4", spec.sample_shape, features, "cartoongan"
        )
        if config.content == "features"
        else keras.layers.Identity()
    )
    d_objective, g_objective = TRANSLATION_OBJECTIVES[config.loss]
    as_probability = ops.sigmoid if config.loss in LOGITS else (lambda v: v)
    g_optimizer = config.generator_optimizer.build()

    def initializing():
        return ops.cast(g_optimizer.iterations < config.pretrain_steps, "float32")

    def d_loss(batch):
        """Real cartoons against translations and smoothed cartoons in one fake batch (the
        paper sums their two terms; here they are averaged, one scale for every objective)."""
        fake = ops.stop_gradient(translate(batch))
        real = discriminator(batch["b"], training=True)
        fakes = discriminator(ops.concatenate([fake, batch["b_smooth"]]), training=True)
        loss = d_objective(real, fakes) * (1.0 - initializing())
        fake_out, smooth_out = ops.split(fakes, 2)
        logs = {
            "d_real": ops.mean(as_probability(real)),
            "d_fake": ops.mean(as_probability(fake_out)),
            "d_smooth": ops.mean(as_probability(smooth_out)),
        }
        return loss, {"d_loss": loss, **logs}

    def g_loss(batch):
        photo = batch["a"]
        fake = translate(batch)
        adversarial = g_objective(discriminator(fake, training=True))
        content = ops.mean(ops.abs(network(fake, training=False) - network(photo, training=False)))
        loss = adversarial * (1.0 - initializing()) + config.content_weight * content
        return loss, {"g_loss": loss, "g_adversarial": adversarial, "g_content": content}

    return one_on_one(
        generator,
        discriminator,
        config,
        d_loss,
        g_loss,
        g_optimizer,
        d_steps,
        watch_d_wins=config.pretrain_steps == 0 and config.loss == WATCHED,
        pools=cartoon_pools(config.edge_sigma, config.style_input),
    )
