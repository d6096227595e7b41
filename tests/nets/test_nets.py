import keras
import numpy as np
import pytest
from keras import layers

from ganops.errors import ConfigError
from ganops.nets.conv import base_size, dcgan_discriminator, dcgan_generator
from ganops.nets.dense import mlp_discriminator, mlp_generator
from ganops.nets.layers import MinibatchStdDev


@pytest.mark.parametrize(
    ("shape", "filters"),
    [
        ((16, 16, 1), [32, 16, 8]),
        ((28, 28, 1), [32, 16, 8]),
        ((32, 32, 3), [32, 16, 8, 8]),
    ],
)
def test_dcgan_generator_reaches_the_image_shape(shape, filters):
    g = dcgan_generator(10, shape, filters)
    out = np.asarray(g(np.zeros((2, 10), np.float32)))
    assert out.shape == (2, *shape) and np.abs(out).max() <= 1
    d = dcgan_discriminator(shape, [8, 8])
    assert tuple(d(out).shape) == (2, 1)


def test_image_size_must_divide_by_the_upsampling():
    assert base_size(28, 2) == 7
    with pytest.raises(ConfigError, match="image size 30 is not divisible by 2\\*\\*2"):
        base_size(30, 2)
    with pytest.raises(ConfigError, match="generator_filters"):
        dcgan_generator(10, (16, 16, 1), [8])


def test_mlp_shapes_and_linear_output_for_points():
    g = mlp_generator(4, (2,), [8], "linear")
    out = np.asarray(g(np.full((3, 4), 50.0, np.float32)))
    assert out.shape == (3, 2)
    d = mlp_discriminator((2,), [8, 4], [0.1, 0.1])
    assert tuple(d(out).shape) == (3, 1)
    with pytest.raises(ValueError):
        mlp_discriminator((2,), [8, 4], [0.1])  # one dropout rate per layer


def test_spectral_norm_wraps_every_weight_layer_and_keeps_one_logit():
    d = dcgan_discriminator((8, 8, 1), [4, 4], dropout=0.0, spectral_norm=True)
    kinds = [type(layer) for layer in d.layers]
    assert layers.Dropout not in kinds
    wrapped = [layer.layer for layer in d.layers if isinstance(layer, layers.SpectralNormalization)]
    assert [type(layer) for layer in wrapped] == [
        layers.Conv2D,
        layers.Conv2D,
        layers.Dense,
    ]
    assert tuple(d(np.ones((3, 8, 8, 1), np.float32), training=True).shape) == (3, 1)
    m = mlp_discriminator((2,), [8, 4], [0.0, 0.1], spectral_norm=True)
    assert [type(layer) for layer in m.layers].count(layers.Dropout) == 1
    wrapped = [layer for layer in m.layers if isinstance(layer, layers.SpectralNormalization)]
    assert len(wrapped) == 3 and all(isinstance(w.layer, layers.Dense) for w in wrapped)
    assert tuple(m(np.ones((3, 2), np.float32), training=True).shape) == (3, 1)


def test_spectral_norm_logit_stays_float32_under_mixed_precision():
    keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        d = mlp_discriminator((2,), [8], [0.0], spectral_norm=True)
    finally:
        keras.mixed_precision.set_global_policy("float32")
    assert d(np.ones((3, 2), np.float32)).dtype == "float32"


def test_minibatch_std_discriminators_run_on_images_and_points():
    d = dcgan_discriminator((8, 8, 1), [4, 4], minibatch_std=True)
    assert isinstance(d.layers[-3], MinibatchStdDev) and d.layers[-3].output.shape[-1] == 5
    assert tuple(d(np.ones((3, 8, 8, 1), np.float32)).shape) == (3, 1)
    m = mlp_discriminator((2,), [8], [0.1], minibatch_std=True, spectral_norm=True)
    assert isinstance(m.layers[-2], MinibatchStdDev) and m.layers[-2].output.shape[-1] == 9
    assert tuple(m(np.ones((3, 2), np.float32)).shape) == (3, 1)


@pytest.mark.parametrize("norm", ["instance", "batch"])
def test_a_unet_down_to_one_pixel_still_carries_the_image_through_its_bottleneck(norm):
    from ganops.nets.translation import unet

    model = unet((16, 16, 3), 3, [8, 16, 16, 16], norm, dropout=0.0)  # 16 -> 1x1
    bottleneck = keras.Model(model.inputs, model.get_layer(index=12).output)  # its activation
    assert bottleneck.output.shape[1:3] == (1, 1)
    x = np.random.default_rng(0).normal(size=(4, 16, 16, 3)).astype("float32")
    one_by_one = [bottleneck(image[None], training=True) for image in x]  # the paper's batch 1
    codes = np.stack([keras.ops.convert_to_numpy(code) for code in one_by_one])
    assert np.abs(codes - codes[:1]).max() > 1e-3  # not one constant whatever the input


def test_a_residual_super_resolver_starts_as_bicubic_and_survives_a_save(tmp_path):
    """With ``residual``, the generator adds what it learns to the bicubic upsampling of its
    source: untrained, it is the bicubic baseline the evaluation measures it against."""
    from ganops.evaluation.translation import bicubic_upsample
    from ganops.nets.translation import sr_generator

    rng = np.random.default_rng(0)
    sources = rng.uniform(-1, 1, (4, 8, 8, 3)).astype("float32")
    generator = sr_generator((8, 8, 3), 3, 4, filters=8, blocks=1, residual=True)
    np.testing.assert_allclose(generator(sources), bicubic_upsample(sources, 4), atol=1e-5)
    generator.save(tmp_path / "g.keras")
    again = keras.saving.load_model(tmp_path / "g.keras")
    np.testing.assert_allclose(again(sources), generator(sources), atol=1e-6)
    plain = sr_generator((8, 8, 3), 3, 4, filters=8, blocks=1)
    assert not np.allclose(plain(sources), bicubic_upsample(sources, 4), atol=1e-2)


def test_a_residual_super_resolver_adds_no_detail_to_a_flat_source_whatever_its_weights():
    """The detail comes from the source's detail through layers without biases: a flat patch
    (a wall, a sky, a saturated black) gets bicubic's flat answer, trained or not."""
    from ganops.evaluation.translation import bicubic_upsample
    from ganops.nets.translation import sr_generator

    generator = sr_generator((8, 8, 3), 3, 4, filters=8, blocks=2, residual=True)
    rng = np.random.default_rng(1)
    for weight in generator.weights:  # as if trained: no weight is zero any more
        weight.assign(rng.normal(0, 0.1, weight.shape).astype("float32"))
    flat = np.broadcast_to(np.array([0.3, -0.2, 0.9], "float32"), (2, 8, 8, 3))
    assert np.abs(generator(flat) - flat[:, :1, :1]).max() < 1e-3  # float rounding only
    textured = rng.uniform(-1, 1, (2, 8, 8, 3)).astype("float32")
    assert np.abs(generator(textured) - bicubic_upsample(textured, 4)).max() > 0.05


@pytest.mark.parametrize("downsamplings", [0, 1, 2])
def test_the_resnet_generator_works_at_the_side_its_downsamplings_leave(downsamplings):
    from ganops.nets.translation import resnet_generator

    model = resnet_generator((16, 16, 3), 8, 2, downsamplings=downsamplings)
    blocks = [layer for layer in model.layers if isinstance(layer, keras.layers.Add)]
    assert blocks[0].output.shape[1:] == (16 // 2**downsamplings,) * 2 + (8 * 2**downsamplings,)
    assert model(np.zeros((2, 16, 16, 3), "float32")).shape == (2, 16, 16, 3)
    with pytest.raises(
        ConfigError, match="halved 2 times by the ResNet generator.*or fewer downsamplings"
    ):
        resnet_generator((6, 6, 3), 8, 2)
