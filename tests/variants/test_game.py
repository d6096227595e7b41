"""The critic's extras and the stabilizer switches do what they claim."""

import keras
import numpy as np
import pytest

from ganops.errors import ConfigError
from ganops.losses import gradient_penalty
from ganops.nets.layers import MinibatchStdDev
from ganops.training import backend
from ganops.training.run import train_run
from ganops.training.trainer import sample_batches
from ganops.variants import build_variant
from ganops.variants.base import DataSpec
from tiny import TINY_MODELS, TINY_TRAIN


def build(name, data, d_steps=1, **stabilizers):
    keras.utils.set_random_seed(0)
    model = {**TINY_MODELS[name], "stabilizers": stabilizers}
    return build_variant(name, model, DataSpec.from_meta(data["meta"]), d_steps)


def train_steps(gan, data, steps=1, batch=8):
    backend.build_optimizers(gan)
    call = backend.make_train_call(gan)
    updates = sum(p.steps for p in gan.players)
    for step in range(steps):
        logs = call(
            sample_batches({"real": {"x": data["x_train"]}}, step, (updates, batch), seed=0)
        )
    return logs


def snapshot(model):
    return [np.array(w) for w in model.weights]


@pytest.mark.parametrize("kind", ["images", "points"])
def test_wgan_clipping_keeps_every_critic_weight_in_range(kind, inputs):
    gan = build("wgan", inputs[kind], d_steps=5)
    critic = gan.players[0].networks[0]
    assert max(np.abs(w).max() for w in snapshot(critic)) > 0.01  # Glorot starts wider
    train_steps(gan, inputs[kind])
    assert max(np.abs(w).max() for w in snapshot(critic)) <= 0.01 + 1e-7


def test_gradient_penalty_of_a_linear_critic_is_hand_computable():
    """C(x) = <w, x> has gradient w at every x: the penalty is (|w| - 1)^2 for any batch."""
    critic = keras.Sequential([keras.Input((2, 2, 1)), keras.layers.Flatten()])
    critic.add(keras.layers.Dense(1, use_bias=False))
    w = np.array([[1.0], [2.0], [2.0], [0.0]], np.float32)  # |w| = 3
    critic.layers[-1].kernel.assign(w)
    x = keras.ops.convert_to_tensor(np.random.default_rng(0).normal(size=(5, 2, 2, 1)), "float32")
    gradients = backend.input_gradients(critic, x)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(gradients)[3].ravel(), w.ravel())
    assert float(gradient_penalty(gradients)) == pytest.approx(4.0, rel=1e-5)


def test_wgan_gp_logs_its_penalty_and_the_critic_learns_to_lower_it(inputs):
    gan = build("wgan_gp", inputs["points"], d_steps=5)
    first = train_steps(gan, inputs["points"], steps=1)
    later = train_steps(gan, inputs["points"], steps=30)
    assert np.isfinite(first["gradient_penalty"]) and later["gradient_penalty"] >= 0
    assert later["gradient_penalty"] < first["gradient_penalty"]


def test_label_smoothing_needs_a_labelled_objective(inputs):
    with pytest.raises(ConfigError, match="real_label: label smoothing .* not hinge"):
        build("sngan", inputs["points"], real_label=0.9)
    smoothed = build("lsgan", inputs["points"], real_label=0.9)
    plain = build("lsgan", inputs["points"])
    batch = {"x": inputs["points"]["x_train"][:16]}
    assert float(smoothed.players[0].loss(batch)[0]) != float(plain.players[0].loss(batch)[0])


@pytest.mark.parametrize(
    ("variant", "model", "watched"),
    [
        ("gan", {}, True),  # logistic, non-saturating: D's loss sinks while G's climbs
        ("gan", {"loss": "minimax"}, False),  # G's loss saturates at 0: the rule cannot fire
        ("gan", {"stabilizers": {"real_label": 0.9}}, False),  # D's loss stays above 0.3
        ("lsgan", {}, False),  # G's loss saturates at 1/2
        ("wgan", {}, False),  # a critic's loss has no floor
    ],
)
def test_the_discriminator_wins_rule_is_watched_only_where_it_can_fire(
    inputs, variant, model, watched
):
    spec = DataSpec.from_meta(inputs["points"]["meta"])
    gan = build_variant(variant, TINY_MODELS[variant] | model, spec)
    assert gan.watch_d_wins is watched


def test_normal_init_draws_weights_from_n_0_002(inputs):
    gan = build("dcgan", inputs["images"], normal_init=True)
    kernels = [w for w in snapshot(gan.generator) if w.ndim > 1]
    biggest = max(kernels, key=np.size)
    assert np.std(biggest) == pytest.approx(0.02, rel=0.1)


def test_instance_noise_reaches_the_discriminator_and_fades(inputs):
    from ganops.variants.stabilizers import instance_noise

    x = np.zeros((4000, 2), np.float32)
    seed = keras.random.SeedGenerator(0)
    assert np.std(np.asarray(instance_noise(x, 0.5, 0, 0, seed))) == pytest.approx(0.5, rel=0.05)
    half = np.asarray(instance_noise(x, 0.5, 100, 50, seed))
    assert np.std(half) == pytest.approx(0.25, rel=0.05)
    assert not np.asarray(instance_noise(x, 0.5, 100, 100, seed)).any()
    noisy = build("gan", inputs["points"], instance_noise=1.0)
    batch = {"x": inputs["points"]["x_train"][:16]}
    losses = {float(noisy.players[0].loss(batch)[0]) for _ in range(2)}
    assert len(losses) == 2  # the same batch is judged through fresh noise


def test_mixed_batches_change_what_the_discriminator_judges_together(inputs):
    """With a batch statistic in the discriminator, one mixed pass differs from two."""
    data = inputs["points"]
    batch = {"x": data["x_train"][:16]}
    model = {**TINY_MODELS["gan"], "discriminator_dropout": [0.0]}
    losses = {}
    for mixed in (False, True):
        keras.utils.set_random_seed(0)
        stabilizers = {"mixed_batches": mixed, "minibatch_std": True}
        gan = build_variant(
            "gan", {**model, "stabilizers": stabilizers}, DataSpec.from_meta(data["meta"])
        )
        losses[mixed] = float(gan.players[0].loss(batch)[0])
    assert losses[True] != pytest.approx(losses[False])


def test_ema_generator_is_sampled_and_trails_the_trained_one(inputs):
    gan = build("gan", inputs["points"], ema=0.9)
    trained = gan.players[1].networks[0]
    assert gan.generator is not trained
    start = snapshot(trained)
    np.testing.assert_array_equal(snapshot(gan.generator)[0], start[0])
    train_steps(gan, inputs["points"])
    kernel = trained.trainable_variables[0]
    index = [id(w) for w in trained.weights].index(id(kernel))
    expected = 0.9 * start[index] + 0.1 * np.array(kernel)
    np.testing.assert_allclose(snapshot(gan.generator)[index], expected, rtol=1e-5, atol=1e-7)
    assert any(id(net) == id(gan.generator) for net in gan.networks)  # checkpointed too


def test_minibatch_std_adds_the_layer(inputs):
    gan = build("sngan", inputs["images"], minibatch_std=True)
    discriminator = gan.players[0].networks[0]
    assert any(isinstance(layer, MinibatchStdDev) for layer in discriminator.layers)


def test_packing_joins_samples_and_needs_a_batch_multiple(inputs, tmp_path):
    gan = build("lsgan", inputs["images"], pack=2)
    assert gan.players[0].networks[0].inputs[0].shape[-1] == 2  # two gray images a decision
    assert gan.batch_multiple == 2
    logs = train_steps(gan, inputs["images"], batch=8)
    assert np.isfinite(logs["d_loss"])
    model = {**TINY_MODELS["lsgan"], "stabilizers": {"pack": 3}}
    with pytest.raises(ConfigError, match="batch_size: 16 is not a multiple of 3"):
        train_run(inputs["images"], "lsgan", model, TINY_TRAIN, tmp_path / "c", tmp_path / "r")
    assert not (tmp_path / "c").exists()


def test_mode_seeking_penalises_samples_that_ignore_z(inputs):
    from ganops.variants.stabilizers import mode_seeking

    images, z = np.zeros((4, 3), np.float32), np.ones((4, 2), np.float32)
    assert float(mode_seeking(images, images, z, -z)) > 1e4  # z ignored: a large penalty
    assert float(mode_seeking(images, images + 2, z, -z)) == pytest.approx(1.0, rel=1e-3)
    plain = train_steps(build("gan", inputs["points"]), inputs["points"])
    seeking = train_steps(build("gan", inputs["points"], mode_seeking=10.0), inputs["points"])
    assert seeking["d_loss"] == pytest.approx(plain["d_loss"])  # the same first step...
    added = seeking["g_loss"] - plain["g_loss"]  # ...but the generator's loss has the term
    assert added == pytest.approx(10.0 * seeking["mode_seeking"], rel=1e-4)


def test_r1_adds_gamma_half_the_squared_gradient_on_real_inputs_to_the_discriminator(inputs):
    """Every sample's input gradient w = (1, 2, 2, 0): R1 is |w|^2 = 9; in a first step, the
    discriminator's loss is the plain one plus gamma/2 times the logged penalty."""
    from ganops.losses import r1_penalty

    gradients = np.tile(np.array([1.0, 2.0, 2.0, 0.0], np.float32), (5, 1)).reshape(5, 2, 2, 1)
    assert float(r1_penalty(gradients)) == pytest.approx(9.0, rel=1e-6)
    plain = train_steps(build("dcgan", inputs["images"]), inputs["images"])
    r1 = train_steps(build("dcgan", inputs["images"], r1=4.0), inputs["images"])
    assert r1["r1_penalty"] > 0 and np.isfinite(r1["r1_penalty"])
    added = r1["d_loss"] - plain["d_loss"]
    assert added == pytest.approx(2.0 * r1["r1_penalty"], rel=1e-4)


def one_step(gan, data, single_pass):
    """One step on the first 8 training images (each update of an alternating step too)."""
    backend.build_optimizers(gan)
    call = backend.make_train_call(gan, single_pass=single_pass)
    real = data["x_train"][:8]
    return call({"x": np.stack([real] * gan.updates_per_step(single_pass))})


def test_the_single_pass_updates_the_discriminator_as_alternating_does_and_not_the_generator(
    inputs,
):
    """One forward pass for both players (the TensorFlow tutorial): the discriminator's step
    is the alternating one's (same fakes, same real batch); the generator's differs, since it
    reads the discriminator before its update and does not draw fakes again."""
    alternating, single = build("dcgan", inputs["images"]), build("dcgan", inputs["images"])
    start = snapshot(single.generator)
    logs = one_step(single, inputs["images"], single_pass=True)
    one_step(alternating, inputs["images"], single_pass=False)
    assert all(np.isfinite(v) for v in logs.values()) and {"d_loss", "g_loss"} <= logs.keys()
    for mine, theirs in zip(
        snapshot(single.players[0].networks[0]),
        snapshot(alternating.players[0].networks[0]),
        strict=True,
    ):
        np.testing.assert_allclose(mine, theirs, rtol=1e-5, atol=1e-6)
    moved = [not np.allclose(a, b) for a, b in zip(start, snapshot(single.generator), strict=True)]
    assert any(moved)
    differs = zip(snapshot(single.generator), snapshot(alternating.generator), strict=True)
    assert any(not np.allclose(a, b) for a, b in differs)


def test_the_single_pass_needs_the_game_with_one_discriminator_step(inputs):
    spec = DataSpec.from_meta(inputs["images"]["meta"])
    for gan in (
        build("wgan", inputs["images"], d_steps=5),
        build_variant("vae", TINY_MODELS["vae"], spec),
    ):
        with pytest.raises(ConfigError, match="train.single_pass"):
            backend.make_train_call(gan, single_pass=True)


def test_a_single_pass_with_several_critic_steps_fails_before_training(inputs, tmp_path):
    train = {**TINY_TRAIN, "d_steps": 5, "single_pass": True}
    with pytest.raises(ConfigError, match="train.single_pass"):
        train_run(
            inputs["images"], "wgan", TINY_MODELS["wgan"], train, tmp_path / "c", tmp_path / "r"
        )
    assert not list(tmp_path.rglob("ckpt-*"))


def shifted(image, dy, dx):
    """``image`` moved down ``dy`` and right ``dx`` pixels, zeros coming in."""
    out = np.zeros_like(image)
    h, w = image.shape[:2]
    out[max(dy, 0) : h + min(dy, 0), max(dx, 0) : w + min(dx, 0)] = image[
        max(-dy, 0) : h + min(-dy, 0), max(-dx, 0) : w + min(-dx, 0)
    ]
    return out


def test_translation_moves_each_image_whole_by_at_most_an_eighth():
    from ganops.variants.stabilizers import translation

    x = np.random.default_rng(0).uniform(0.1, 1.0, (32, 16, 16, 1)).astype(np.float32)
    moved = np.asarray(translation(x, keras.random.SeedGenerator(0)))
    shifts = set()
    for image, out in zip(x, moved, strict=True):
        matches = [
            (dy, dx)
            for dy in range(-2, 3)
            for dx in range(-2, 3)
            if np.array_equal(out, shifted(image, dy, dx))
        ]
        assert len(matches) == 1
        shifts.add(matches[0])
    assert len(shifts) > 5  # per image, not one shift for the batch


def test_cutout_blanks_one_square_per_image_and_keeps_the_rest():
    from ganops.variants.stabilizers import cutout

    x = np.ones((32, 16, 16, 1), np.float32)
    out = np.asarray(cutout(x, keras.random.SeedGenerator(0)))[..., 0]
    assert set(np.unique(out)) == {0.0, 1.0}
    for image in out:
        rows, cols = np.nonzero(image == 0)
        assert 0 < rows.size <= 64  # at most 8 x 8, less where it leaves the image
        assert rows.size == (np.ptp(rows) + 1) * (np.ptp(cols) + 1)  # a rectangle


def test_color_changes_brightness_and_contrast_per_image():
    from ganops.variants.stabilizers import color

    x = np.random.default_rng(0).uniform(-1, 1, (8, 16, 16, 3)).astype(np.float32)
    out = np.asarray(color(x, keras.random.SeedGenerator(0)))
    assert out.shape == x.shape and np.isfinite(out).all()
    assert len({round(float(v), 4) for v in (out - x).mean(axis=(1, 2, 3))}) == 8


def test_augmentation_reaches_the_discriminator_and_lets_the_generator_learn(inputs):
    data = inputs["images"]
    gan = build("dcgan", data, augment=["translation", "cutout", "color"])
    batch = {"x": data["x_train"][:8]}
    assert len({float(gan.players[0].loss(batch)[0]) for _ in range(2)}) == 2
    generator = gan.players[1].networks[0]
    before = snapshot(generator)
    logs = train_steps(gan, data, steps=2)
    assert all(np.isfinite(float(v)) for v in logs.values())
    assert any(not np.allclose(a, b) for a, b in zip(before, snapshot(generator), strict=True))


def test_augmentation_is_for_images_and_known_names_only(inputs):
    with pytest.raises(ConfigError, match="augment"):
        build("dcgan", inputs["images"], augment=["rotation"])
    with pytest.raises(ConfigError, match="stabilizers.augment: .*images"):
        build("gan", inputs["points"], augment=["translation"])
