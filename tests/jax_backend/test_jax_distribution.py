"""Data parallelism under JAX (``train.distribution: mirrored``: ``keras.distribution``'s
``DataParallel``): two CPU devices give one device's update on the global batch."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ganops.errors import ConfigError
from ganops.training import backend

TESTS = Path(__file__).parents[1]


def test_two_devices_make_the_update_of_one_device_on_the_global_batch(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(TESTS), "TF_CPP_MIN_LOG_LEVEL": "3"}
    script = [sys.executable, str(TESTS / "training" / "two_devices.py"), str(tmp_path), "dcgan"]
    done = subprocess.run(script, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    dcgan = report["compared"]["dcgan"]
    assert dcgan["replicas"] == 2  # the variables live on both devices
    # DCGAN, batch norm and noise included: XLA computes the global batch's step itself, so
    # the same losses and weights as one device, up to the float sums' order
    pairs = zip(dcgan["one_device_losses"], dcgan["two_device_losses"], strict=True)
    for one, two in pairs:
        assert two == pytest.approx(one, rel=1e-5)
    assert dcgan["largest_gap"] < 1e-4
    # a real run on the two devices: finite losses, one checkpoint, samples on one copy
    assert report["dcgan_steps"] == 6 and report["dcgan_finite"] and report["samples"] == 5
    assert report["checkpoints"] == ["ckpt-00000006.npz"]
    assert report["uneven"] == (
        "dcgan.train.batch_size: 15 is not a multiple of 2 (2 replicas of train.distribution)"
    )


def test_multi_worker_is_refused_under_jax_in_one_line():
    with pytest.raises(ConfigError, match="multi_worker runs under TensorFlow"):
        backend.placement("multi_worker")
