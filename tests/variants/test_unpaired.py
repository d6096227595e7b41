"""Unpaired translation variants: CycleGAN, DiscoGAN, CartoonGAN (one family: two domains)."""

import keras
import numpy as np
import pytest

from ganops.errors import GanopsError
from ganops.evaluation.unpaired import confusion, flat_share, label_preservation
from ganops.sampling import DIRECTION, Feed, Inputs, translate
from ganops.training import backend
from ganops.training.trainer import sample_batches
from ganops.variants import UNPAIRED, build_variant
from ganops.variants.base import DataSpec, LinearDecay
from ganops.variants.unpaired import History, domain_pools
from tiny import TINY_MODELS

DATASETS = {"cyclegan": "digits_m", "discogan": "digits_m", "cartoongan": "photos_cartoon"}


def built(name, data, **model):
    keras.utils.set_random_seed(0)
    spec = DataSpec.from_meta(data["meta"])
    if name == "cartoongan":  # the content loss's network: any small conv net will do here
        features = keras.Sequential([keras.Input(spec.sample_shape), keras.layers.Conv2D(4, 3)])
        return build_variant(name, TINY_MODELS[name] | model, spec, features=features)
    return build_variant(name, TINY_MODELS[name] | model, spec)


def test_every_unpaired_variant_is_tested():
    assert set(DATASETS) == set(UNPAIRED)


@pytest.mark.parametrize(
    ("name", "model"),
    [
        *((name, {}) for name in DATASETS),
        ("cartoongan", {"style_input": True}),
        ("cartoongan", {"content": "pixel"}),
    ],
)
def test_a_few_updates_change_every_network_with_finite_losses(name, model, unpaired_inputs):
    data = unpaired_inputs[DATASETS[name]]
    gan = built(name, data, **model)
    backend.build_optimizers(gan)
    before = {p.name: [np.array(v) for v in p.variables] for p in gan.players}
    call = backend.make_train_call(gan)
    pools = gan.pools(data, 0)
    for step in range(4):  # CartoonGAN's tiny initialization phase is 2 generator steps
        logs = call(sample_batches(pools, step, (2, 4), seed=0))
        assert {"d_loss", "g_loss", "g_adversarial"} <= logs.keys()
        assert all(np.isfinite(v) for v in logs.values())
    for player in gan.players:
        after = [np.array(v) for v in player.variables]
        assert any(
            not np.array_equal(a, b) for a, b in zip(before[player.name], after, strict=True)
        )
    feed = Feed(data["x_test"], domains=data["domain_test"])
    assert feed.samples(gan.generator, 3, 0).shape == (3, *data["meta"]["sample_shape"])
    rows, cols = feed.rows(gan.generator, 2, 0)  # per direction: inputs, (styles,) outputs (, back)
    styles = model.get("style_input", False)
    assert cols == 2 and len(rows) == {"cartoongan": 4 + 2 * styles}.get(name, 12)


def test_discogan_matches_the_discriminators_hidden_features(unpaired_inputs):
    from ganops.nets.translation import patch_discriminator
    from ganops.variants.discogan import feature_matching, hidden_features

    keras.utils.set_random_seed(0)
    features = hidden_features(patch_discriminator(None, (16, 16, 3), [8, 8, 8]))
    assert len(features.outputs) == 2  # after each normalised conv, as in the official code
    images = unpaired_inputs["digits_m"]["x_train"][:8]
    assert float(feature_matching(features, images, images)) == 0.0
    assert float(feature_matching(features, images, -images)) > 0.0
    data = unpaired_inputs["digits_m"]
    gan = built("discogan", data)
    backend.build_optimizers(gan)
    logs = backend.make_train_call(gan)(sample_batches(gan.pools(data, 0), 0, (2, 4), seed=0))
    assert np.isfinite(logs["g_feature_matching"]) and logs["g_feature_matching"] > 0
    plain = built("discogan", data, feature_matching=0.0)  # the paper's objective
    backend.build_optimizers(plain)
    logs = backend.make_train_call(plain)(sample_batches(plain.pools(data, 0), 0, (2, 4), 0))
    assert "g_feature_matching" not in logs


def test_the_backward_cycle_weighs_b_s_round_trip_alone(unpaired_inputs):
    data = unpaired_inputs["digits_m"]
    pools = domain_pools(data, 0)
    batch = {name: pool[name][:4] for name, pool in pools.items()}

    def cycle(share):  # the generators' cycle loss, from the same seeded networks
        gan = built("cyclegan", data, backward_cycle=share)
        generators = next(p for p in gan.players if p.name == "generator")
        return float(generators.loss(batch)[1]["g_cycle"])

    forward, both, half = cycle(0.0), cycle(1.0), cycle(0.5)
    assert 0 < forward < both
    assert half == pytest.approx((forward + both) / 2, rel=1e-4)


def test_domains_are_drawn_independently_never_paired_by_index():
    n = 50
    ids = np.arange(n, dtype=np.float32).reshape(n, 1, 1, 1)
    model_input = {"x_train": np.concatenate([ids, ids]), "domain_train": np.repeat([0, 1], n)}
    pools = domain_pools(model_input, 0)
    same = [
        np.mean(batch["a"] == batch["b"])
        for batch in (sample_batches(pools, step, (1, 32), 0) for step in range(40))
    ]
    assert np.mean(same) < 0.1  # by chance: 1/50; drawn with one index it would be 1


def test_two_way_generator_translates_in_the_direction_asked(unpaired_inputs):
    data = unpaired_inputs["digits_m"]
    gan = built("cyclegan", data)
    assert Inputs.of(gan.generator).categorical == DIRECTION
    g_ab, g_ba = gan.players[1].networks
    images = data["x_test"][:3]
    np.testing.assert_allclose(
        translate(gan.generator, images, "AtoB"), g_ab(images, training=False), atol=1e-6
    )
    np.testing.assert_allclose(
        translate(gan.generator, images, [1, 1, 1]), g_ba(images, training=False), atol=1e-6
    )
    with pytest.raises(GanopsError, match="both ways: give a direction"):
        translate(gan.generator, images)
    with pytest.raises(GanopsError, match="unknown direction 'AtoC'"):
        translate(gan.generator, images, "AtoC")
    one_way = built("cartoongan", unpaired_inputs["photos_cartoon"]).generator
    with pytest.raises(GanopsError, match="one way"):
        translate(one_way, unpaired_inputs["photos_cartoon"]["x_test"][:2], "AtoB")


def test_history_shows_fakes_while_filling_then_a_mix_and_resumes_exactly():
    shape = (2, 2, 1)
    history = History(4, shape, keras.random.SeedGenerator(0))
    batch = lambda value: np.full((2, *shape), value, np.float32)  # noqa: E731
    for value in (1.0, 2.0):  # filling: the fakes themselves come back
        np.testing.assert_array_equal(history(batch(value)), batch(value))
    assert int(history.count.numpy()) == 4
    stored = sorted(np.asarray(history.images.numpy())[:, 0, 0, 0].tolist())
    assert stored == [1.0, 1.0, 2.0, 2.0]
    shown = [np.asarray(history(batch(3.0 + i)))[:, 0, 0, 0] for i in range(20)]
    fresh = np.mean([v == 3.0 + i for i, row in enumerate(shown) for v in row])
    assert 0.2 < fresh < 0.8  # about half are swapped for older images
    saved = [np.array(v.numpy()) for v in history.variables]
    seed_state = np.array(history.seed.state.numpy())
    first = np.asarray(history(batch(99.0)))
    for variable, value in zip(history.variables, saved, strict=True):
        variable.assign(value)
    history.seed.state.assign(seed_state)
    np.testing.assert_array_equal(history(batch(99.0)), first)


def test_checkpoints_hold_the_history_once_and_every_network_once(unpaired_inputs):
    gan = built("cyclegan", unpaired_inputs["digits_m"])
    backend.build_optimizers(gan)
    variables = gan.variables
    assert len({id(v) for v in variables}) == len(variables)
    assert all(any(v is s for s in variables) for v in gan.state) and len(gan.state) == 4


def test_history_off_passes_fakes_through():
    history = History(0, (2, 2, 1), keras.random.SeedGenerator(0))
    fakes = np.ones((3, 2, 2, 1), np.float32)
    assert history(fakes) is fakes and history.variables == []


def test_linear_decay_is_constant_then_falls_to_zero():
    schedule = LinearDecay(2e-4, 10, 20)
    rates = [float(schedule(step)) for step in (0, 10, 15, 20, 30)]
    np.testing.assert_allclose(rates, [2e-4, 2e-4, 1e-4, 0.0, 0.0], atol=1e-10)


def test_label_preservation_is_one_for_the_identity_and_chance_when_shuffled():
    rng = np.random.default_rng(0)
    probabilities = np.eye(10)[rng.integers(0, 10, 1000)]
    assert label_preservation(probabilities, probabilities) == 1.0
    shuffled = probabilities[rng.permutation(1000)]
    assert abs(label_preservation(probabilities, shuffled) - 0.1) < 0.05


def test_the_confusion_matrix_shows_a_permutation_off_its_diagonal():
    sources = np.eye(3)[[0, 0, 1, 2, 2, 2]]
    kept = confusion(sources, sources)
    np.testing.assert_array_equal(kept, np.diag([2, 1, 3]))
    permuted = confusion(sources, np.eye(3)[[1, 1, 2, 0, 0, 0]])  # 0 -> 1, 1 -> 2, 2 -> 0
    np.testing.assert_array_equal(permuted, [[0, 2, 0], [0, 0, 1], [3, 0, 0]])
    mixed = np.eye(3)[[0, 1, 1, 2, 0, 2]]
    counts = confusion(sources, mixed)
    assert np.trace(counts) / counts.sum() == label_preservation(sources, mixed) == 4 / 6


def test_flat_share_is_one_on_flat_images_and_low_on_texture():
    flat = np.full((2, 8, 8, 3), 0.3, np.float32)
    assert flat_share(flat) == 1.0
    halves = np.full((1, 8, 8, 1), -1.0, np.float32)
    halves[..., 4:, :] = 1.0  # one vertical edge: the two columns beside it are not flat
    assert flat_share(halves) == 6 / 8
    noise = np.random.default_rng(0).uniform(-1, 1, (2, 16, 16, 3)).astype(np.float32)
    assert flat_share(noise) < 0.05


def test_a_domain_smaller_than_a_batch_is_refused_before_anything_is_written(
    unpaired_inputs, tmp_path
):
    from ganops.errors import DataError
    from ganops.training.run import train_run

    data = dict(unpaired_inputs["digits_m"])
    keep = (data["domain_train"] == 0) | (np.cumsum(data["domain_train"] == 1) <= 3)
    data |= {"x_train": data["x_train"][keep], "domain_train": data["domain_train"][keep]}
    with pytest.raises(DataError, match="domain 'digits_m' has 3 training images, fewer than"):
        train_run(
            data, "cyclegan", TINY_MODELS["cyclegan"], {"batch_size": 8}, tmp_path / "c", tmp_path
        )
    assert not list(tmp_path.iterdir())


def test_identity_translations_are_reported_as_the_identity_collapse(unpaired_inputs):
    from ganops.evaluation.unpaired import identity_share
    from ganops.training.monitor import MonitorConfig, identity_collapsed

    image = keras.Input((16, 16, 3), name="image")
    direction = keras.Input((2,), name=DIRECTION)
    identity = keras.Model([image, direction], keras.layers.Identity()(image))
    share = identity_share(unpaired_inputs["digits_m"])(identity)
    assert share == 0.0
    assert "identity collapse" in identity_collapsed(share, MonitorConfig())
    assert identity_collapsed(0.5, MonitorConfig()) is None


def test_a_decay_that_ends_before_it_starts_is_refused():
    from pydantic import ValidationError

    from ganops.variants.base import OptimizerConfig

    with pytest.raises(ValidationError, match="decay: end 10 must come after start 20"):
        OptimizerConfig(decay=(20, 10))
