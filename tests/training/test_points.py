"""On 2-D points every variant takes the points settings (``parameters_points.yml``)."""

from pathlib import Path

import keras
import pytest
import yaml

from ganops.errors import ConfigError
from ganops.training.config import TrainConfig, for_data
from ganops.variants import VARIANTS, build_variant
from ganops.variants.base import DataSpec

CONF = Path(__file__).resolve().parents[2] / "conf" / "base"


def shipped(name: str) -> dict:
    return yaml.safe_load((CONF / f"parameters_{name}.yml").read_text())[name]


POINTS = shipped("points")


def test_on_points_a_variant_takes_the_points_settings():
    gan = shipped("gan")
    metric, model, train = for_data(
        {"kind": "points"}, "gan", POINTS, gan["primary_metric"], gan["model"], gan["train"]
    )
    assert metric == "mixture_fit"
    assert model["latent_dim"] == 2 and model["generator_units"] == [128] * 4  # `model`
    assert model["discriminator_dropout"] == [0.0, 0.0]  # `models.gan`, over `model`
    assert model["loss"] == gan["model"]["loss"]  # what points do not set stays the variant's
    assert train["batch_size"] == POINTS["train"]["batch_size"]
    assert train["d_steps"] == gan["train"]["d_steps"]
    images = for_data({"kind": "images"}, "gan", POINTS, "fid", gan["model"], gan["train"])
    assert images == ("fid", gan["model"], gan["train"])


def test_a_misspelt_variant_under_points_models_is_named():
    typo = POINTS | {"models": {"wgan-gp": {}}}
    with pytest.raises(ConfigError, match=r"points.models: .*unknown variant\(s\) \['wgan-gp'\]"):
        for_data({"kind": "points"}, "wgan_gp", typo, "fid", {}, {})


@pytest.mark.parametrize("variant", sorted(POINTS["models"]))
def test_every_learning_rate_decays_to_zero_at_the_end_of_the_run(variant):
    """Each optimizer counts its own updates: a critic with 5 steps decays over 5x as many."""
    steps = POINTS["train"]["steps"]
    updates = {"generator": steps, "discriminator": steps * shipped(variant)["train"]["d_steps"]}
    for player, count in updates.items():
        start, end = POINTS["models"][variant][f"{player}_optimizer"]["decay"]
        assert end == count and start == pytest.approx(0.4 * count)


@pytest.mark.parametrize("variant", sorted(POINTS["models"]))
def test_the_points_settings_build_each_variant_they_name(variant, ring_input):
    assert "points" in VARIANTS[variant].DATA_KINDS
    params = shipped(variant)
    _, model, _ = for_data(ring_input["meta"], variant, POINTS, "fid", params["model"], {})
    built = build_variant(variant, model, DataSpec.from_meta(ring_input["meta"]))
    assert built.generator.input_shape[-1] == 2 and built.generator.output_shape[-1] == 2
    dense = [layer for layer in built.generator.layers if isinstance(layer, keras.layers.Dense)]
    assert len(dense) == len(POINTS["model"]["generator_units"]) + 1  # the shared `model`


def test_a_layout_s_schedule_scale_stretches_the_steps_and_every_decay():
    """grid25's 25 modes get a longer schedule than ring8's 8; nothing else changes."""
    params, factor = shipped("wgan_gp"), POINTS["schedule_scale"]["grid"]
    assert factor > 1

    def on(layout):
        meta = {"kind": "points", "layout": layout}
        return for_data(meta, "wgan_gp", POINTS, "fid", params["model"], params["train"])[1:]

    (ring_model, ring_train), (grid_model, grid_train) = on("ring"), on("grid")
    assert ring_train["steps"] == POINTS["train"]["steps"]
    assert grid_train == ring_train | {"steps": factor * ring_train["steps"]}
    optimizers = {key for key in ring_model if key.endswith("_optimizer")}
    assert optimizers == {"generator_optimizer", "discriminator_optimizer"}
    for key in optimizers:
        decay = [factor * update for update in ring_model[key]["decay"]]
        assert grid_model[key] == ring_model[key] | {"decay": decay}
    assert {k: v for k, v in grid_model.items() if k not in optimizers} == {
        k: v for k, v in ring_model.items() if k not in optimizers
    }


def test_a_scaled_run_without_steps_scales_the_default():
    points = {"schedule_scale": {"grid": 2}}
    _, _, train = for_data({"kind": "points", "layout": "grid"}, "gan", points, "fid", {}, {})
    assert train["steps"] == 2 * TrainConfig().steps


def test_a_misspelt_points_key_is_named():
    with pytest.raises(ConfigError, match="points.modles"):
        for_data({"kind": "points"}, "gan", {"modles": {}}, "fid", {}, {})


@pytest.mark.parametrize("variant", ["mode_collapse", "convergence_failure"])
def test_a_variant_the_points_settings_do_not_name_keeps_its_own_networks(variant, ring_input):
    """The shared ``model`` is for the variants ``models`` names: the failure experiments
    (the vanilla GAN under other names) keep the networks they are about."""
    params = shipped(variant)
    _, model, _ = for_data(ring_input["meta"], variant, POINTS, "fid", params["model"], {})
    assert model == params["model"]
    built = build_variant(variant, model, DataSpec.from_meta(ring_input["meta"]))
    assert built.generator.output_shape[-1] == 2
