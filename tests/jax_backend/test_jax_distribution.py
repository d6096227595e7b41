"""Data parallelism under JAX (``train.distribution``: ``keras.distribution``'s
``DataParallel``): two CPU devices of one process, or two processes joined by
``jax.distributed``, give one device's update on the global batch."""

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from ganops.errors import ConfigError
from ganops.training import backend
from ganops.training.run import train_run
from tiny import TINY_MODELS, TINY_TRAIN

TESTS = Path(__file__).parents[1]


@pytest.mark.slow  # ~50 s; the default suite has the two processes' same update below
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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow  # ~40 s; the default suite has TensorFlow's two workers (test_kedro_run)
def test_two_processes_train_as_one_device(digits_input, tmp_path):
    """``multi_worker`` under JAX: two processes (``jax.distributed``, one CPU device each)
    train the tiny GAN in step, as one device does on the global batch."""
    env = {**os.environ, "PYTHONPATH": str(TESTS), "TF_CPP_MIN_LOG_LEVEL": "3"}
    port, script = str(free_port()), str(Path(__file__).with_name("two_processes.py"))
    processes = [
        subprocess.Popen(
            [sys.executable, script, str(index), port, str(tmp_path)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for index in (1, 0)
    ]
    try:
        outputs = [process.communicate(timeout=300) for process in processes]
    finally:
        for process in processes:
            process.kill()
    assert all(p.returncode == 0 for p in processes), [err[-3000:] for _, err in outputs]
    worker, chief = (json.loads(out.strip().splitlines()[-1]) for out, _ in outputs)
    assert chief["chief"] and not worker["chief"] and chief["devices"] == worker["devices"] == 2
    assert chief["losses"] == worker["losses"] and len(chief["losses"]) == 6
    assert chief["checkpoints"] == ["ckpt-00000006.npz"]
    alone = train_run(
        digits_input, "gan", TINY_MODELS["gan"], TINY_TRAIN, tmp_path / "c", tmp_path / "r"
    )
    assert np.allclose(alone.losses.to_numpy(), chief["losses"], rtol=1e-5, atol=1e-6)


def test_multi_worker_without_its_processes_is_one_line(monkeypatch):
    with pytest.raises(ConfigError, match="multi_worker needs the cluster: under JAX set"):
        backend.placement("multi_worker")
    monkeypatch.setenv("JAX_COORDINATOR_ADDRESS", "localhost:1234")
    monkeypatch.delenv("JAX_PROCESS_ID", raising=False)
    with pytest.raises(ConfigError, match="set JAX_NUM_PROCESSES and JAX_PROCESS_ID too"):
        backend.jax_cluster()
