"""The only backend-specific code: one compiled call that runs every player's updates.

TensorFlow (the default, CPU and GPU) uses ``GradientTape`` inside ``tf.function``.
"""

from __future__ import annotations

import contextlib
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
    gan: Trainable, jit_compile: bool = False, single_pass: bool = False
) -> Callable[[Batch], dict[str, float]]:
    """A compiled ``call(batches) -> logs`` running one step: every player's updates in order,
    or with ``single_pass`` every player updated from one forward pass (``gan.joint``: one
    tape per player; each gradient sees the others before their update).

    ``batches`` holds arrays shaped ``(updates_per_step, batch, ...)``: each player update takes
    the next real batch. (Unrolling several steps into one call measured slower on CPU.)
    """
    if keras.backend.backend() != "tensorflow":
        raise ConfigError(
            f"Keras backend '{keras.backend.backend()}' is not supported yet: "
            "set KERAS_BACKEND=tensorflow"
        )
    import tensorflow as tf

    def apply(player, tape, loss):
        grads = tape.gradient(loss, player.variables)
        player.optimizer.apply(grads, player.variables)
        if player.after_update is not None:
            player.after_update()

    def update(player, batch):
        with tf.GradientTape() as tape:
            loss, logs = player.loss(batch)
            scaled = player.optimizer.scale_loss(loss)
        apply(player, tape, scaled)
        return logs

    def alternating(batches):
        logs, k = {}, 0
        for player in gan.players:
            for _ in range(player.steps):
                logs.update(update(player, {key: value[k] for key, value in batches.items()}))
                k += 1
        return logs

    def joint(batches):
        with contextlib.ExitStack() as stack:
            tapes = [stack.enter_context(tf.GradientTape()) for _ in gan.players]
            losses, logs = gan.joint({key: value[0] for key, value in batches.items()})
            scaled = [p.optimizer.scale_loss(losses[p.name]) for p in gan.players]
        for player, tape, loss in zip(gan.players, tapes, scaled, strict=True):
            apply(player, tape, loss)
        return logs

    if single_pass and (gan.joint is None or any(p.steps != 1 for p in gan.players)):
        raise ConfigError(
            "train.single_pass: only the adversarial game with d_steps 1 updates both players "
            "from one forward pass"
        )
    call = tf.function(
        joint if single_pass else alternating, jit_compile=jit_compile, reduce_retracing=True
    )
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
