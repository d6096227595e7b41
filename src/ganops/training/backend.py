"""The only backend-specific code: one compiled call that runs every player's updates.

TensorFlow (the default, CPU and GPU) uses ``GradientTape`` inside ``tf.function``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import keras

from ganops.errors import ConfigError

if TYPE_CHECKING:  # variants import this module (gradient penalties)
    from ganops.variants.base import Batch, Trainable


def devices() -> list[str]:
    """Accelerators the backend sees (empty on CPU-only machines)."""
    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        return [d.name for d in tf.config.list_logical_devices("GPU")]
    if keras.backend.backend() == "jax":
        import jax

        return [str(d) for d in jax.devices() if d.platform != "cpu"]
    return []


def build_optimizers(gan: Trainable) -> None:
    """Create every optimizer's slots now, so checkpoints hold a fixed list of variables."""
    for player in gan.players:
        player.optimizer.build(player.variables)


def make_train_call(
    gan: Trainable, jit_compile: bool = False
) -> Callable[[Batch], dict[str, float]]:
    """A compiled ``call(batches) -> logs`` running one step: every player's updates in order.

    ``batches`` holds arrays shaped ``(updates_per_step, batch, ...)``: each player update takes
    the next real batch. (Unrolling several steps into one call measured slower on CPU.)
    """
    if keras.backend.backend() != "tensorflow":
        raise ConfigError(
            f"Keras backend '{keras.backend.backend()}' is not supported yet: "
            "set KERAS_BACKEND=tensorflow"
        )
    import tensorflow as tf

    def update(player, batch):
        with tf.GradientTape() as tape:
            loss, logs = player.loss(batch)
            scaled = player.optimizer.scale_loss(loss)
        grads = tape.gradient(scaled, player.variables)
        player.optimizer.apply(grads, player.variables)
        if player.after_update is not None:
            player.after_update()
        return logs

    @tf.function(jit_compile=jit_compile, reduce_retracing=True)
    def call(batches):
        logs, k = {}, 0
        for player in gan.players:
            for _ in range(player.steps):
                logs.update(update(player, {key: value[k] for key, value in batches.items()}))
                k += 1
        return logs

    return lambda batches: {k: float(v) for k, v in call(batches).items()}


def input_gradients(fn: Callable, x):
    """d sum(fn(x)) / dx: per-sample input gradients when samples do not interact (gradient
    penalties). Differentiable itself, so a penalty on it can be minimised."""
    if keras.backend.backend() != "tensorflow":
        raise ConfigError(f"input gradients under Keras backend '{keras.backend.backend()}'")
    import tensorflow as tf

    with tf.GradientTape() as tape:
        tape.watch(x)
        y = fn(x)
    return tape.gradient(y, x)
