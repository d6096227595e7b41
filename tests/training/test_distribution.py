"""Data-parallel training (``train.distribution``): the same update on two devices as on one,
a real run on two devices, and the settings refused before any training."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ganops.config import validate
from ganops.errors import ConfigError
from ganops.pipelines.train.worker import train_worker
from ganops.training.config import TrainConfig
from ganops.training.run import train_run
from tiny import TINY_MODELS, TINY_TRAIN

HERE = Path(__file__).parent


def test_two_devices_make_the_update_of_one_device_on_the_global_batch(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(HERE.parent), "TF_CPP_MIN_LOG_LEVEL": "3"}
    env.pop("TF_CONFIG", None)
    script = [sys.executable, str(HERE / "two_devices.py"), str(tmp_path), "pixelcnn"]
    done = subprocess.run(script, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    pixelcnn = report["compared"]["pixelcnn"]
    assert pixelcnn["replicas"] == 2
    # PixelCNN: one player, no noise, no batch norm: the same losses and weights up to the
    # float sums' order (each replica's mean over 8 images, then their gradients summed)
    pairs = zip(pixelcnn["one_device_losses"], pixelcnn["two_device_losses"], strict=True)
    for one, two in pairs:
        assert two == pytest.approx(one, rel=1e-6)
    assert pixelcnn["largest_gap"] < 1e-5
    noise = report["noise"]  # each replica draws its own noise; the seed moves as on one device
    assert noise["two"] != pytest.approx(noise["one"], abs=1e-3)
    assert noise["state"] == noise["one_state"]
    # a real run on two devices, three steps per call: DCGAN (batch norm, noise), finite
    # losses, each replica's own batch statistics, one checkpoint
    assert report["dcgan_steps"] == 6 and report["dcgan_finite"] and report["own_statistics"]
    assert report["samples"] == 5  # the generator samples on one device, as one made outside
    assert report["checkpoints"] == ["ckpt-00000006.npz"]
    assert report["uneven"] == (
        "dcgan.train.batch_size: 15 is not a multiple of 2 (2 replicas of train.distribution)"
    )


def test_every_replicas_noise_stream_fits_the_32_bit_seeds_apart_from_the_others():
    import tensorflow as tf

    from ganops.training import backend

    last = backend.MAX_REPLICAS - 1
    shifts = [int(backend._stream_shift(tf.constant(i), tf.int32)[1]) for i in (1, last)]
    assert shifts == [backend.REPLICA_STREAM, last * backend.REPLICA_STREAM]
    assert shifts[1] + backend.REPLICA_STREAM <= 2**31  # no overflow, no wrap


def test_an_unknown_distribution_is_one_line_naming_the_setting_and_its_values():
    with pytest.raises(ConfigError) as err:
        validate(TrainConfig, {"distribution": "horovod"}, "dcgan.train")
    assert str(err.value) == (
        "invalid parameters: dcgan.train.distribution: "
        "Input should be 'none', 'mirrored' or 'multi_worker'"
    )


def test_multi_worker_without_a_cluster_is_refused_before_any_training(
    digits_input, tmp_path, monkeypatch
):
    monkeypatch.delenv("TF_CONFIG", raising=False)
    train = TINY_TRAIN | {"distribution": "multi_worker"}
    with pytest.raises(ConfigError, match="multi_worker needs the cluster: set TF_CONFIG"):
        train_run(
            digits_input, "dcgan", TINY_MODELS["dcgan"], train, tmp_path / "c", tmp_path / "r"
        )
    assert not list(tmp_path.iterdir())


def test_a_worker_without_its_cluster_is_refused(monkeypatch):
    monkeypatch.delenv("TF_CONFIG", raising=False)
    with pytest.raises(ConfigError, match=r"kedro worker: set TF_CONFIG \(the cluster's"):
        train_worker("gan")
