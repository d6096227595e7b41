import keras
import numpy as np
import pytest
from keras import layers

from ganops.nets.layers import MinibatchStdDev, normal_init, pack, packed_shape


def test_minibatch_stddev_appends_zero_for_identical_samples():
    x = np.tile(np.arange(6, dtype=np.float32).reshape(1, 6), (2, 1))
    out = np.asarray(MinibatchStdDev()(x))
    assert out.shape == (2, 7)
    np.testing.assert_allclose(out[:, :6], x)
    np.testing.assert_allclose(out[:, 6], 0.0, atol=1e-3)


def test_minibatch_stddev_is_the_mean_per_feature_std_on_every_pixel():
    x = np.zeros((2, 2, 2, 2), np.float32)
    x[0, ..., 0], x[1, ..., 0] = 1.0, 3.0  # std 1 across the batch
    x[0, ..., 1], x[1, ..., 1] = 5.0, 5.0  # std 0
    out = np.asarray(MinibatchStdDev()(x))
    assert out.shape == (2, 2, 2, 3)
    np.testing.assert_allclose(out[..., 2], 0.5, atol=1e-3)


@pytest.mark.parametrize("shape", [(4,), (4, 4, 3)])
def test_minibatch_stddev_shape_and_keras_file_round_trip(shape, tmp_path):
    model = keras.Sequential([keras.Input(shape), MinibatchStdDev(), layers.Flatten()])
    assert model.output_shape[-1] == (np.prod(shape[:-1], dtype=int) * (shape[-1] + 1))
    x = np.random.default_rng(0).normal(size=(5, *shape)).astype(np.float32)
    model.save(tmp_path / "m.keras")
    loaded = keras.saving.load_model(tmp_path / "m.keras")  # safe_mode: needs registration
    np.testing.assert_allclose(np.asarray(loaded(x)), np.asarray(model(x)), rtol=1e-6)


def test_normal_init_sets_kernel_std_and_zero_bias_also_under_spectral_norm():
    model = keras.Sequential(
        [
            keras.Input((4, 4, 1)),
            layers.SpectralNormalization(layers.Conv2D(8, 3, bias_initializer="ones")),
            layers.Flatten(),
            layers.Dense(500, bias_initializer="ones"),
            layers.Dense(1, bias_initializer="ones"),
        ]
    )
    assert normal_init(model, std=0.02) is model
    conv, dense = model.layers[0].layer, model.layers[2]
    assert np.asarray(dense.kernel).std() == pytest.approx(0.02, rel=0.02)
    assert np.asarray(conv.kernel).std() == pytest.approx(0.02, rel=0.3)
    for layer in (conv, dense, model.layers[3]):
        assert not np.asarray(layer.bias).any()
    first, last = np.asarray(dense.kernel)[:8, 0], np.asarray(model.layers[3].kernel)[:8, 0]
    assert not np.allclose(first, last)  # a fresh draw per kernel


@pytest.mark.parametrize("shape", [(6, 3), (6, 2, 2, 3)])
def test_pack_joins_consecutive_samples_along_the_last_axis(shape):
    x = np.random.default_rng(0).normal(size=shape).astype(np.float32)
    out = np.asarray(pack(x, 2))
    assert out.shape == (3, *packed_shape(shape[1:], 2))
    np.testing.assert_array_equal(out[0, ..., :3], x[0])
    np.testing.assert_array_equal(out[0, ..., 3:], x[1])
    np.testing.assert_array_equal(out[2, ..., 3:], x[5])
    assert packed_shape((16, 16, 1), 4) == (16, 16, 4)
