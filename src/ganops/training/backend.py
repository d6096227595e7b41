"""The only backend-specific code: one compiled call that runs every player's updates.

TensorFlow (the default, CPU and GPU) uses ``GradientTape`` inside ``tf.function``.
"""

from __future__ import annotations

from collections.abc import Callable

import keras
import numpy as np

from ganops.errors import ConfigError
from ganops.variants.base import Adversarial, Batch


def devices() -> list[str]:
    """Accelerators the backend sees (empty on CPU-only machines)."""
    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        return [d.name for d in tf.config.list_logical_devices("GPU")]
    if keras.backend.backend() == "jax":
        import jax

        return [str(d) for d in jax.devices() if d.platform != "cpu"]
    return []


def build_optimizers(gan: Adversarial) -> None:
    """Create every optimizer's slots now, so checkpoints hold a fixed list of variables."""
    for player in gan.players:
        player.optimizer.build(player.variables)


def make_train_call(gan: Adversarial, steps_per_call: int, jit_compile: bool
                    ) -> Callable[[Batch], dict[str, np.ndarray]]:
    """A compiled ``call(batches) -> logs`` for ``steps_per_call`` steps.

    ``batches`` holds arrays shaped ``(steps_per_call, updates_per_step, batch, ...)``: each
    player update takes the next real batch. Logs come back shaped ``(steps_per_call,)``.
    """
    if keras.backend.backend() != "tensorflow":
        raise ConfigError(f"Keras backend '{keras.backend.backend()}' is not supported yet: "
                          "set KERAS_BACKEND=tensorflow")
    import tensorflow as tf

    def update(player, batch):
        with tf.GradientTape() as tape:
            loss, logs = player.loss(batch)
            scaled = player.optimizer.scale_loss(loss)
        grads = tape.gradient(scaled, player.variables)
        player.optimizer.apply(grads, player.variables)
        return logs

    def one_step(batches, i):
        logs, k = {}, 0
        for player in gan.players:
            for _ in range(player.steps):
                logs.update(update(player, {key: value[i, k] for key, value in batches.items()}))
                k += 1
        return logs

    @tf.function(jit_compile=jit_compile, reduce_retracing=True)
    def call(batches):
        per_step = [one_step(batches, i) for i in range(steps_per_call)]
        return {key: tf.stack([logs[key] for logs in per_step]) for key in per_step[0]}

    return lambda batches: {k: v.numpy() for k, v in call(batches).items()}
