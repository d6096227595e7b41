import numpy as np
import pytest

from ganops.errors import ConfigError
from ganops.nets.conv import base_size, dcgan_discriminator, dcgan_generator
from ganops.nets.dense import mlp_discriminator, mlp_generator


@pytest.mark.parametrize(
    ("shape", "filters"),
    [((16, 16, 1), [32, 16, 8]), ((28, 28, 1), [32, 16, 8]), ((32, 32, 3), [32, 16, 8, 8])],
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
