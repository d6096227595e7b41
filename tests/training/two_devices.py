"""``python two_devices.py <folder>``: training on two logical CPU devices (``mirrored``)
against one device, in a process of its own (the devices are set before TensorFlow starts).
Prints one JSON line of what the test checks."""

import json
import sys
from pathlib import Path

import tensorflow as tf

cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)

import keras  # noqa: E402
import numpy as np  # noqa: E402

from ganops.data.sources import load_digits  # noqa: E402
from ganops.data.transforms import PreprocessConfig, to_model_input  # noqa: E402
from ganops.sampling import generate  # noqa: E402
from ganops.training import backend, checkpoint  # noqa: E402
from ganops.training.run import train_run  # noqa: E402
from ganops.training.trainer import sample_batches  # noqa: E402
from ganops.variants import build_variant  # noqa: E402
from ganops.variants.base import DataSpec  # noqa: E402
from tiny import TINY_MODELS, TINY_TRAIN  # noqa: E402


def steps(data, variant: str, distribution: str, count: int = 2) -> tuple[list, list, list]:
    """Each step's losses, then every variable's value, of ``count`` steps at batch 16."""
    place = backend.placement(distribution)
    with place.scope():
        keras.utils.set_random_seed(0)
        gan = build_variant(variant, TINY_MODELS[variant], DataSpec.from_meta(data["meta"]))
        backend.build_optimizers(gan)
        call = backend.make_train_call(gan)
    pools, shape = gan.pools(data, 0), (gan.updates_per_step(), 16)
    logs = [call(sample_batches(pools, step, shape, 0)) for step in range(count)]
    values = [np.asarray(v.value).tolist() for v in gan.variables]
    return logs, values, place.replicas


def replica_noise() -> dict:
    """One normal draw per replica, averaged, and the seed's state after; and the same draw
    on one device."""
    with backend.placement("mirrored").scope():
        seed = keras.random.SeedGenerator(0)
        draw = backend._on_every_replica(
            lambda _: {"z": keras.random.normal((), seed=seed)}, [seed.state]
        )
    mean = float(tf.function(draw)({"x": tf.zeros(2)})["z"])
    state = keras.ops.convert_to_numpy(keras.ops.convert_to_tensor(seed.state)).tolist()
    alone = keras.random.SeedGenerator(0)
    one = float(keras.random.normal((), seed=alone))
    return {"two": mean, "one": one, "state": state, "one_state": np.asarray(alone.state).tolist()}


def largest_gap(a: list, b: list) -> float:
    """The largest difference between two runs' variables, relative to their scale."""
    pairs = zip(a, b, strict=True)
    gaps = [np.max(np.abs(np.subtract(x, y))) / (np.max(np.abs(x)) + 1e-6) for x, y in pairs]
    return float(max(gaps))


def main(folder: str) -> None:
    raw = load_digits()
    raw["meta"]["dataset"] = "digits"
    data = to_model_input(raw, PreprocessConfig(image_size=16))
    one_logs, one_values, _ = steps(data, "pixelcnn", "none")
    two_logs, two_values, replicas = steps(data, "pixelcnn", "mirrored")
    run = train_run(
        data,
        "dcgan",
        TINY_MODELS["dcgan"],
        TINY_TRAIN | {"checkpoint_every": 6, "distribution": "mirrored"},
        Path(folder) / "checkpoints",
        Path(folder) / "reports",
    )
    losses = run.losses.drop(columns="step").to_numpy()
    report = {
        "replicas": replicas,
        "one_device_losses": [step["loss"] for step in one_logs],
        "two_device_losses": [step["loss"] for step in two_logs],
        "largest_gap": largest_gap(one_values, two_values),
        "noise": replica_noise(),
        "dcgan_steps": int(run.losses["step"].iloc[-1]),
        "dcgan_finite": bool(np.isfinite(losses).all()),
        "samples": len(generate(run.gan.generator, 5, 0)),
        "checkpoints": [p.name for p in checkpoint.list_checkpoints(Path(folder) / "checkpoints")],
    }
    print(json.dumps(report))


if __name__ == "__main__":
    main(*sys.argv[1:])
