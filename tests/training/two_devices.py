"""``python two_devices.py <folder> <variant>...``: training on two CPU devices
(``mirrored``) against one device, in a process of its own (the devices are set before
TensorFlow or JAX starts: logical devices, or XLA's host device count under
``KERAS_BACKEND=jax``). Prints one JSON line of what the tests check: for each variant, two
steps' losses and the largest gap between the two runs' variables; a real run of DCGAN."""

import json
import os
import sys
from pathlib import Path

JAX = os.environ.get("KERAS_BACKEND") == "jax"
if JAX:
    os.environ["XLA_FLAGS"] = "--xla_force_host_platform_device_count=2"
else:
    import tensorflow as tf

    cpu = tf.config.list_physical_devices("CPU")[0]
    devices = [tf.config.LogicalDeviceConfiguration()] * 2
    tf.config.set_logical_device_configuration(cpu, devices)

import keras  # noqa: E402
import numpy as np  # noqa: E402

from ganops.data.sources import load_digits  # noqa: E402
from ganops.data.transforms import PreprocessConfig, to_model_input  # noqa: E402
from ganops.errors import ConfigError  # noqa: E402
from ganops.sampling import generate  # noqa: E402
from ganops.training import backend, checkpoint  # noqa: E402
from ganops.training.run import train_run  # noqa: E402
from ganops.training.trainer import sample_batches  # noqa: E402
from ganops.variants import build_variant  # noqa: E402
from ganops.variants.base import DataSpec  # noqa: E402
from tiny import TINY_MODELS, TINY_TRAIN  # noqa: E402

#: TensorFlow's real run takes three steps per call (the unrolled step, made when first
#: called; under JAX its compilation takes long on this CPU).
SEVERAL = {} if JAX else {"steps_per_call": 3, "monitor": {"every": 3}}


def own_statistics(generator) -> bool | None:
    """Whether the two replicas' batch-norm statistics differ (each replica's own batches:
    the step ran on each), under TensorFlow."""
    if JAX:
        return None
    mean = next(v for v in generator.variables if "moving_mean" in v.path)
    first, second = backend.placement("mirrored").strategy.experimental_local_results(mean.value)
    return not np.allclose(first.numpy(), second.numpy())


def steps(data, variant: str, distribution: str, count: int = 2) -> tuple[list, list, list]:
    """Each step's losses, every variable's value, of ``count`` steps at batch 16, and the
    number of replicas (under JAX, of devices holding the variables)."""
    place = backend.placement(distribution)
    with place.scope():
        keras.utils.set_random_seed(0)
        gan = build_variant(variant, TINY_MODELS[variant], DataSpec.from_meta(data["meta"]))
        backend.build_optimizers(gan)
        call = backend.make_train_call(gan)
    pools, shape = gan.pools(data, 0), (gan.updates_per_step(), 16)
    logs = [call(sample_batches(pools, step, shape, 0)) for step in range(count)]
    values = [np.asarray(v.value).tolist() for v in gan.variables]
    return logs, values, len(gan.variables[0].value.devices()) if JAX else place.replicas


def replica_noise() -> dict:
    """One normal draw per replica, averaged, and the seed's state after; and the same draw
    on one device."""
    place = backend.placement("mirrored")
    with place.scope():
        seed = keras.random.SeedGenerator(0)
    draw = backend._on_every_replica(
        place.strategy, lambda _: {"z": keras.random.normal((), seed=seed)}, [seed.state]
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


def compare(data, variant: str) -> dict:
    """Two steps on one device and on two: each step's losses, the largest variable gap."""
    one_logs, one_values, _ = steps(data, variant, "none")
    two_logs, two_values, replicas = steps(data, variant, "mirrored")
    return {
        "replicas": replicas,
        "one_device_losses": one_logs,
        "two_device_losses": two_logs,
        "largest_gap": largest_gap(one_values, two_values),
    }


def main(folder: str, *variants: str) -> None:
    raw = load_digits()
    raw["meta"]["dataset"] = "digits"
    data = to_model_input(raw, PreprocessConfig(image_size=16))
    compared = {variant: compare(data, variant) for variant in variants}
    run = train_run(
        data,
        "dcgan",
        TINY_MODELS["dcgan"],
        TINY_TRAIN | {"checkpoint_every": 6, "distribution": "mirrored"} | SEVERAL,
        Path(folder) / "checkpoints",
        Path(folder) / "reports",
    )
    losses = run.losses.drop(columns="step").to_numpy()
    try:  # a global batch the replicas cannot share evenly
        train_run(
            data,
            "dcgan",
            TINY_MODELS["dcgan"],
            TINY_TRAIN | {"batch_size": 15, "distribution": "mirrored"},
            Path(folder) / "uneven",
            Path(folder) / "u",
        )
        uneven = None
    except ConfigError as err:
        uneven = str(err)
    report = {
        "compared": compared,
        "noise": None if JAX else replica_noise(),
        "dcgan_steps": int(run.losses["step"].iloc[-1]),
        "dcgan_finite": bool(np.isfinite(losses).all()),
        "own_statistics": own_statistics(run.gan.generator),
        "uneven": uneven,
        "samples": len(generate(run.gan.generator, 5, 0)),
        "checkpoints": [p.name for p in checkpoint.list_checkpoints(Path(folder) / "checkpoints")],
    }
    print(json.dumps(report))


if __name__ == "__main__":
    main(*sys.argv[1:])
