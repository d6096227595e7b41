"""Training under the JAX backend: every variant's jitted step, parity with TensorFlow,
exact resume, mixed precision."""

import json
import os
import subprocess
import sys
from pathlib import Path

import keras
import numpy as np
import pytest

from ganops.errors import ConfigError
from ganops.sampling import generate
from ganops.training import backend, checkpoint
from ganops.training.config import TrainConfig
from ganops.training.run import train_run
from ganops.training.trainer import Trainer, sample_batches
from ganops.variants import EXPERIMENTS, VARIANTS, build_variant
from ganops.variants.base import DataSpec
from tiny import TINY_MODELS, TINY_TRAIN

HERE = Path(__file__).parent
DATA = {  # the variants that need other data than digits
    "pix2pix": ("paired", "colorize"),
    "srgan": ("paired", "super_resolution"),
    "srresnet": ("paired", "super_resolution"),
    "context_encoder": ("paired", "inpaint"),
    "cyclegan": ("unpaired", "digits_m"),
    "discogan": ("unpaired", "digits_m"),
    "cartoongan": ("unpaired", "photos_cartoon"),
}


def test_keras_runs_on_jax():
    assert keras.backend.backend() == "jax" == backend.name()


def model_input(name, request):
    kind, key = DATA.get(name, ("images", None))
    if kind == "images":
        return request.getfixturevalue("digits_input")
    return request.getfixturevalue(f"{kind}_inputs")[key]


def built(name, data, **model):
    keras.utils.set_random_seed(0)
    spec = DataSpec.from_meta(data["meta"])
    features = None
    if name in ("srgan", "cartoongan"):  # their content loss's network: any small conv net
        features = keras.Sequential([keras.Input(spec.sample_shape), keras.layers.Conv2D(4, 3)])
    model = TINY_MODELS[name] | model
    gan = build_variant(name, model, spec, features=features)
    backend.build_optimizers(gan)
    return gan


def values(variables):
    return [np.array(v.value) for v in variables]


#: One variant per family in `make test` (and WGAN-GP: input gradients; CycleGAN: the history
#: of fakes carried as state); every variant in `make test-all`.
SHOWN = ("dcgan", "wgan_gp", "cgan", "pix2pix", "cyclegan", "vae")


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(n, marks=() if n in SHOWN else pytest.mark.slow)
        for n in VARIANTS
        if n not in EXPERIMENTS
    ],
)
def test_every_variant_trains_with_finite_losses_and_moves_every_player(name, request):
    data = model_input(name, request)
    shorter = {"labelled": 20} if name == "sgan" else {}  # pre-training: one step, not three
    shorter |= {"pretrain_steps": 1} if "pretrain_steps" in TINY_MODELS[name] else {}
    gan = built(name, data, **shorter)
    call = backend.make_train_call(gan)
    before = {p.name: values(p.variables) for p in gan.players}
    pools, shape = gan.pools(data, 0), (gan.updates_per_step(), 4)
    logs = [call(sample_batches(pools, step, shape, 0)) for step in range(2)]
    assert all(np.isfinite(v) for step in logs for v in step.values()), logs
    for player in gan.players:
        after = values(player.variables)
        moved = [not np.array_equal(a, b) for a, b in zip(before[player.name], after, strict=True)]
        assert any(moved), f"{name}: {player.name} did not change"


def test_single_pass_updates_both_players(digits_input):
    gan = built("dcgan", digits_input)
    call = backend.make_train_call(gan, single_pass=True)
    before = values(gan.variables)
    logs = call(sample_batches(gan.pools(digits_input, 0), 0, (1, 8), 0))
    assert set(logs) >= {"d_loss", "g_loss"} and all(np.isfinite(list(logs.values())))
    assert (
        sum(not np.array_equal(a, b) for a, b in zip(before, values(gan.variables), strict=True))
        > 10
    )


def test_first_steps_match_tensorflow(paired_inputs, tmp_path):
    """The same weights and batches give the same losses under both backends, for two steps
    (the second's losses follow from the first's updates), for the Context Encoder (no
    dropout, no noise), within 0.1 %. Weights are not compared: Adam's first update is ±lr
    for any gradient, so a weight whose gradient is about 0 (a bias before a batch norm)
    moves ±lr on rounding noise, which then shows in the next losses at the 1e-4 level."""
    data, name = paired_inputs["inpaint"], "context_encoder"
    gan = built(name, data)
    pools, shape = gan.pools(data, 0), (gan.updates_per_step(), 4)
    steps = [sample_batches(pools, step, shape, 0) for step in range(2)]
    case = {f"var{i:04d}": v for i, v in enumerate(checkpoint.capture(gan))}
    case |= {f"batch/{k}": np.stack([step[k] for step in steps]) for k in steps[0]}
    np.savez(tmp_path / "case.npz", variant=name, meta=json.dumps(data["meta"]), **case)
    env = {**os.environ, "PYTHONPATH": str(HERE.parent), "TF_CPP_MIN_LOG_LEVEL": "3"}
    script = [sys.executable, str(HERE / "tensorflow_step.py")]
    args = [str(tmp_path / "case.npz"), str(tmp_path / "tf.npz")]
    done = subprocess.run([*script, *args], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    call = backend.make_train_call(gan)
    logs = [call(batches) for batches in steps]
    with np.load(tmp_path / "tf.npz") as tf:
        assert set(tf.files) == set(logs[0])
        for key in tf.files:
            np.testing.assert_allclose([s[key] for s in logs], tf[key], rtol=1e-3, err_msg=key)


def trainer(data, folder, steps, **train):
    keras.utils.set_random_seed(0)
    gan = build_variant("dcgan", TINY_MODELS["dcgan"], DataSpec.from_meta(data["meta"]))
    return Trainer(gan, TrainConfig(**{**TINY_TRAIN, "steps": steps, **train}), folder, "run")


def test_resume_is_exact_and_under_jax_only(digits_input, tmp_path):
    pools = {"real": {"x": digits_input["x_train"]}}
    straight = trainer(digits_input, tmp_path / "a", steps=6)
    straight.fit(pools)
    trainer(digits_input, tmp_path / "b", steps=3).fit(pools)  # "interrupted" after step 3
    resumed = trainer(digits_input, tmp_path / "b", steps=6)
    assert list(resumed.fit(pools)["step"]) == [1, 2, 3, 4, 5, 6]
    for a, b in zip(values(straight.gan.variables), values(resumed.gan.variables), strict=True):
        np.testing.assert_array_equal(a, b)
    written = checkpoint.latest(tmp_path / "b")
    assert written.backend == "jax"
    written.backend = "tensorflow"  # as if TensorFlow had written it
    checkpoint.save(tmp_path / "b", written, keep=3)
    with pytest.raises(ConfigError, match="written under the tensorflow backend.*uses jax"):
        trainer(digits_input, tmp_path / "b", steps=9).resume()


@pytest.mark.slow  # the same check runs under TensorFlow in the default suite
def test_several_steps_per_call_train_as_one_step_per_call(digits_input, tmp_path):
    pools = {"real": {"x": digits_input["x_train"]}}
    one = trainer(digits_input, tmp_path / "1", steps=7)
    three = trainer(digits_input, tmp_path / "3", steps=7, steps_per_call=3, monitor={"every": 3})
    np.testing.assert_allclose(one.fit(pools), three.fit(pools), rtol=1e-4, atol=1e-5)
    for a, b in zip(values(one.gan.variables), values(three.gan.variables), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("mixed", [True, "bfloat16"])
def test_mixed_precision_trains_and_keeps_float32_outputs(digits_input, tmp_path, mixed):
    train = {**TINY_TRAIN, "steps": 2, "mixed_precision": mixed}
    result = train_run(digits_input, "dcgan", TINY_MODELS["dcgan"], train, tmp_path, tmp_path)
    assert all(np.isfinite(v) for v in result.summary["final_losses"].values())
    assert generate(result.gan.generator, 2, seed=0).dtype == np.float32
    assert keras.mixed_precision.global_policy().name == "float32"  # policy restored
