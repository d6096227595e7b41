import keras
import numpy as np
import pytest

from ganops.errors import ConfigError
from ganops.sampling import generate
from ganops.training import backend
from ganops.training.trainer import sample_batches
from ganops.variants import LIKELIHOOD, VARIANTS, build_variant, get_variant
from ganops.variants.base import DataSpec
from tiny import TINY_MODELS

CASES = [  # translation variants: tests/variants/test_paired.py, test_unpaired.py
    (name, kind)
    for name, module in VARIANTS.items()
    for kind in module.DATA_KINDS
    if kind in ("images", "points")
]


def test_registry_refuses_unknown_names_listing_known_ones():
    with pytest.raises(
        ConfigError,
        match="unknown variant .stylegan.; known: acgan, cartoongan, cgan, context_encoder, conv",
    ):
        get_variant("stylegan")


@pytest.mark.parametrize(
    ("model", "key"),
    [
        ({"loss": "hinge_typo"}, "dcgan.model.loss"),
        ({"generator_optimizer": {"learning_rate": -1}}, "generator_optimizer.learning_rate"),
        ({"latent_dim": 0}, "latent_dim"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_invalid_model_parameters_name_the_key(model, key, digits_input):
    with pytest.raises(ConfigError, match=key):
        build_variant("dcgan", model, DataSpec.from_meta(digits_input["meta"]))


def test_dcgan_refuses_points(ring_input):
    with pytest.raises(ConfigError, match="does not train on points"):
        build_variant("dcgan", {}, DataSpec.from_meta(ring_input["meta"]))


@pytest.mark.parametrize(("name", "kind"), CASES)
def test_one_update_changes_every_network_and_losses_are_finite(name, kind, inputs):
    data = inputs[kind]
    keras.utils.set_random_seed(0)
    gan = build_variant(name, TINY_MODELS[name], DataSpec.from_meta(data["meta"]))
    backend.build_optimizers(gan)
    assert generate(gan.generator, 5, seed=1).shape == (5, *data["meta"]["sample_shape"])
    before = {p.name: [np.array(v) for v in p.variables] for p in gan.players}
    call = backend.make_train_call(gan)
    updates = sum(p.steps for p in gan.players)
    pools = gan.pools(data, 0)
    for step in range(3):
        logs = call(sample_batches(pools, step, (updates, 8), seed=0))
        assert ({"loss"} if name in LIKELIHOOD else {"d_loss", "g_loss"}) <= logs.keys()
        assert all(np.isfinite(v) for v in logs.values())
    for player in gan.players:
        changed = [
            not np.array_equal(a, np.array(b))
            for a, b in zip(before[player.name], player.variables, strict=True)
        ]
        assert any(changed), f"{player.name} did not change"
