"""The only backend-specific code: one compiled call that runs every player's updates.

TensorFlow (the default, CPU and GPU) uses ``GradientTape`` inside ``tf.function``. JAX (GPU
machines without TensorFlow) runs one jitted, stateless step over the values of every variable
of the run (``Trainable.variables``: networks, their statistics and random state, optimizer
slots, variant state such as CycleGAN's history), then writes them back to the Keras variables,
so callbacks, checkpoints and sampling read them as under TensorFlow.

Data parallelism (``train.distribution``): under TensorFlow a ``tf.distribute`` strategy
(``MirroredStrategy`` on one machine's devices, ``MultiWorkerMirroredStrategy`` across
machines) whose scope the run's variables are created in; each replica takes its slice of the
global batch, its loss divided by the number of replicas, and the optimizer sums the
gradients over the replicas.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import keras
import numpy as np

from ganops.errors import ConfigError

if TYPE_CHECKING:  # variants import this module (gradient penalties)
    from ganops.variants.base import Batch, Player, Trainable

#: What each backend installs (the served model's requirements).
PACKAGES = {"tensorflow": ["tensorflow"], "jax": ["jax", "jaxlib"]}
#: Each replica's seed generators draw from their own stream: the counter shifted this much
#: per replica (2**24 draws apart, 8 million steps of two draws; Keras takes seeds modulo
#: 2**31 - 2, so at most MAX_REPLICAS streams fit).
REPLICA_STREAM = 2**24
MAX_REPLICAS = 2**31 // REPLICA_STREAM
_cluster = None  # the multi-worker strategy, or "jax", made once per process (``join_cluster``)


def name() -> str:
    """The Keras backend in use, refused when ganops cannot train on it."""
    backend = keras.backend.backend()
    if backend not in PACKAGES:
        raise ConfigError(
            f"Keras backend '{backend}' is not supported: set KERAS_BACKEND to "
            + " or ".join(PACKAGES)
        )
    return backend


def devices() -> list[str]:
    """Accelerators the backend sees (empty on CPU-only machines)."""
    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        return [d.name for d in tf.config.list_logical_devices("GPU")]
    if keras.backend.backend() == "jax":
        import jax

        return [str(d) for d in jax.devices() if d.platform != "cpu"]
    return []


def cluster_config() -> dict | None:
    """The cluster this process belongs to (``TF_CONFIG``), or ``None`` when it is not set."""
    raw = os.environ.get("TF_CONFIG")
    if not raw:
        return None
    try:
        config = json.loads(raw)
        config["cluster"]["worker"], config["task"]["type"], config["task"]["index"]
    except (ValueError, KeyError, TypeError) as err:
        raise ConfigError(
            'TF_CONFIG must be JSON like {"cluster": {"worker": ["host:port", ...]}, '
            f'"task": {{"type": "worker", "index": 0}}}}: {err!r}'
        ) from err
    return config


def is_chief() -> bool:
    """Whether this process writes a run's outputs: always, except on a cluster's workers
    other than the chief (task ``chief``, or worker 0 when the cluster names no chief; JAX:
    process 0)."""
    if _cluster == "jax":
        import jax

        return jax.process_index() == 0
    config = cluster_config() if _cluster is not None else None
    if config is None:
        return True
    task, cluster = config["task"], config["cluster"]
    return task["type"] == "chief" or (
        task["type"] == "worker" and task["index"] == 0 and "chief" not in cluster
    )


def jax_cluster() -> tuple[str, int, int] | None:
    """The JAX processes this one belongs to: ``JAX_COORDINATOR_ADDRESS`` (host:port of
    process 0, JAX's own variable), ``JAX_NUM_PROCESSES`` and ``JAX_PROCESS_ID``; ``None``
    when the address is not set."""
    address = os.environ.get("JAX_COORDINATOR_ADDRESS")
    if not address:
        return None
    try:
        count, index = int(os.environ["JAX_NUM_PROCESSES"]), int(os.environ["JAX_PROCESS_ID"])
    except (KeyError, ValueError) as err:
        raise ConfigError(
            "JAX_COORDINATOR_ADDRESS is set: set JAX_NUM_PROCESSES and JAX_PROCESS_ID too "
            f"(integers: the processes, and this one's index from 0): {err!r}"
        ) from err
    return address, count, index


def join_cluster() -> None:
    """Join the cluster ``TF_CONFIG`` (TensorFlow) or ``jax_cluster`` (JAX) describes, when
    set: at program start, before the backend runs anything (TensorFlow cannot set up
    collective operations later, nor JAX join other processes)."""
    global _cluster
    if _cluster is not None:
        return
    if name() == "jax":
        found = jax_cluster()
        if found is not None:
            import jax

            jax.config.update("jax_cpu_collectives_implementation", "gloo")  # CPU processes
            jax.distributed.initialize(*found)
            _cluster = "jax"
        return
    if cluster_config() is None:
        return
    import tensorflow as tf

    try:
        _cluster = tf.distribute.MultiWorkerMirroredStrategy()
    except RuntimeError as err:
        raise ConfigError(
            "train.distribution multi_worker: TensorFlow was already running when the cluster "
            "was to be joined; start the process with TF_CONFIG set (`kedro run`, "
            f"`kedro worker`): {err}"
        ) from err


def strategy(kind: str):
    """The ``tf.distribute`` strategy of a ``train.distribution`` (``None`` for ``none``):
    ``mirrored`` spans this machine's GPUs, or its logical CPUs when it has none."""
    if kind == "none":
        return None
    if kind == "mirrored":
        return _mirrored()
    if _cluster is None:
        raise ConfigError(
            "train.distribution multi_worker needs the cluster: set TF_CONFIG (every worker's "
            "host:port and this one's index) before starting `kedro run` / `kedro worker`"
        )
    return _cluster


@functools.cache
def _mirrored():
    """One strategy per process: two would reuse each other's collective operation keys."""
    import tensorflow as tf

    found = tf.config.list_logical_devices("GPU") or tf.config.list_logical_devices("CPU")
    return tf.distribute.MirroredStrategy([device.name for device in found])


@dataclass(frozen=True)
class Placement:
    """Where a run's variables live (``train.distribution``): on one device, or on every
    replica of a ``tf.distribute`` strategy, which share each global batch."""

    strategy: Any = None  # TensorFlow's
    parallel: Any = None  # JAX: a ``keras.distribution.DataParallel``

    @property
    def replicas(self) -> int:
        if self.parallel is not None:
            return self.parallel.num_model_replicas
        return 1 if self.strategy is None else self.strategy.num_replicas_in_sync

    @contextlib.contextmanager
    def scope(self) -> Iterator[None]:
        """Variables created inside live on every replica; steps made inside run on each."""
        with contextlib.ExitStack() as stack:
            for each in (self.strategy, self.parallel):
                if each is not None:
                    stack.enter_context(each.scope())
            yield

    def release(self, gan: Trainable) -> None:
        """Let the networks predict on one replica, as a model made outside would (Keras runs
        a model made in a strategy's scope on every replica and concatenates the outputs:
        samples, scores and monitors want one copy, and one worker alone may ask)."""
        if self.strategy is not None:
            for net in [*gan.networks, gan.classify]:
                if net is not None:
                    net._distribute_strategy, net.predict_function = None, None

    @property
    def cluster(self) -> bool:
        """Whether the replicas span several processes (``multi_worker``)."""
        return _cluster is not None and (self.strategy is _cluster or self.parallel is not None)

    def from_chief(self, gan: Trainable, step: int, values: list | None) -> int:
        """Every process of a cluster takes the chief's step and variables (the chief alone
        resumes: its checkpoint's ``values``, or the variables as they are), then returns the
        step; elsewhere, ``step`` as it is."""
        if not self.cluster:
            return step
        from ganops.training import checkpoint

        values = values if values is not None else checkpoint.capture(gan)
        if self.parallel is not None:
            from jax.experimental import multihost_utils

            step, values = multihost_utils.broadcast_one_to_all((np.int64(step), values))
        else:
            step, values = self._broadcast(step, values)
        checkpoint.restore(gan, values)
        return int(step)

    def _broadcast(self, step: int, values: list) -> tuple[int, list]:
        """The chief's step and values on every worker: an all-reduce of theirs and zeros."""
        import tensorflow as tf

        def chief_only(values):  # a sum of the chief's values and zeros (as float64: exact)
            first = tf.distribute.get_replica_context().replica_id_in_sync_group == 0
            shared = [tf.where(first, tf.cast(v, "float64"), 0.0) for v in values]
            summed = tf.distribute.get_replica_context().all_reduce("SUM", shared)
            return [tf.cast(s, v.dtype) for s, v in zip(summed, values, strict=True)]

        @tf.function
        def broadcast(values):
            reduced = self.strategy.run(chief_only, args=(values,))
            return self.strategy.experimental_local_results(reduced)[0]

        shared = broadcast([tf.constant(step, "int64"), *map(tf.constant, values)])
        return int(shared[0]), [value.numpy() for value in shared[1:]]


def placement(kind: str) -> Placement:
    """The ``Placement`` of a ``train.distribution``: under JAX, ``keras.distribution``'s
    ``DataParallel`` over every device (the jitted step then computes the global batch's
    update itself, batch statistics and noise included)."""
    if kind == "none":
        return Placement()
    if name() == "jax":
        return Placement(parallel=_data_parallel(kind))
    return Placement(strategy(kind))


def _data_parallel(kind: str):
    """Every device of this machine (``mirrored``), or of every process (``multi_worker``,
    after ``jax.distributed.initialize``), in one batch-sharded mesh."""
    import jax

    if kind == "multi_worker" and _cluster != "jax":
        raise ConfigError(
            "train.distribution multi_worker needs the cluster: under JAX set "
            "JAX_COORDINATOR_ADDRESS (host:port of process 0), JAX_NUM_PROCESSES and "
            "JAX_PROCESS_ID before starting `kedro run` / `kedro worker`"
        )
    return keras.distribution.DataParallel(devices=jax.devices())


def build_optimizers(gan: Trainable) -> None:
    """Create every optimizer's slots now, so checkpoints hold a fixed list of variables."""
    for player in gan.players:
        player.optimizer.build(player.variables)


def updates(gan: Trainable, single_pass: bool) -> list[tuple[list[Player], int]]:
    """One step's updates in order: which players update together, on which real batch.
    Alternating: each player alone, ``steps`` times, each on the next batch; single pass:
    every player at once from batch 0 (``gan.joint``)."""
    if not single_pass:
        order = [player for player in gan.players for _ in range(player.steps)]
        return [([player], k) for k, player in enumerate(order)]
    if gan.joint is None or any(p.steps != 1 for p in gan.players):
        raise ConfigError(
            "train.single_pass: only the adversarial game with d_steps 1 updates both players "
            "from one forward pass"
        )
    return [(gan.players, 0)]


def make_train_call(
    gan: Trainable, jit_compile: bool = False, single_pass: bool = False
) -> Callable[[Batch], dict[str, float]]:
    """A compiled ``call(batches) -> logs`` running one step: every player's updates in order,
    or with ``single_pass`` every player updated from one forward pass (``gan.joint``: each
    gradient sees the others before their update).

    ``batches`` holds arrays shaped ``(updates_per_step, batch, ...)``: each player update takes
    the next real batch.
    ``jit_compile`` turns XLA on under TensorFlow; JAX always compiles with XLA.
    """
    step = _compiled(gan, jit_compile, single_pass, several=False)
    return lambda batches: {k: float(v) for k, v in step(batches).items()}


def make_steps_call(
    gan: Trainable, jit_compile: bool = False, single_pass: bool = False, steps_per_call: int = 1
) -> Callable[[Batch], list[dict[str, float]]]:
    """A compiled ``call(batches) -> [logs, ...]`` running up to ``steps_per_call`` steps at
    once: ``batches`` holds arrays shaped ``(steps, updates_per_step, batch, ...)``, the steps
    as ``make_train_call`` runs them, one after the other, with one host round trip per call
    instead of one per step. With ``steps_per_call`` 1, ``make_train_call``'s own step."""
    if steps_per_call == 1:
        one = make_train_call(gan, jit_compile, single_pass)
        return lambda batches: [one({k: v[0] for k, v in batches.items()})]
    steps = _compiled(gan, jit_compile, single_pass, several=True)

    def call(batches):
        logs = {k: keras.ops.convert_to_numpy(v) for k, v in steps(batches).items()}
        count = len(next(iter(batches.values())))
        return [{k: float(v[i]) for k, v in logs.items()} for i in range(count)]

    return call


def _compiled(gan: Trainable, jit_compile: bool, single_pass: bool, several: bool) -> Callable:
    plan = updates(gan, single_pass)
    if name() == "jax":
        return _jax_step(gan, plan, several)
    return _tensorflow_step(gan, plan, jit_compile, several)


def losses(gan: Trainable, players: list[Player], batch: Batch) -> tuple[list, dict]:
    """Each player's scaled loss (from one forward pass when several update together)."""
    if len(players) == 1:
        loss, logs = players[0].loss(batch)
        return [players[0].optimizer.scale_loss(loss)], logs
    by_name, logs = gan.joint(batch)
    return [p.optimizer.scale_loss(by_name[p.name]) for p in players], logs


def apply(player: Player, grads: list) -> None:
    """One optimizer update, then the player's after-update action (clipping, averages)."""
    player.optimizer.apply(grads, player.variables)
    if player.after_update is not None:
        player.after_update()


def _tensorflow_step(gan: Trainable, plan, jit_compile: bool, several: bool) -> Callable:
    """``step(batches) -> logs`` in a ``tf.function``; ``several``: the steps in a graph
    loop (one graph for any number of steps: unrolled, the graph grew with them, took
    seconds to build and ran slower). Made inside a strategy's scope (``distributed``), it
    runs on every replica."""
    import tensorflow as tf

    def step(batches):
        logs = {}
        for players, k in plan:
            batch = {key: _replica_slice(value[k]) for key, value in batches.items()}
            with contextlib.ExitStack() as stack:
                tapes = [stack.enter_context(tf.GradientTape()) for _ in players]
                scaled, player_logs = losses(gan, players, batch)
                scaled = [_replica_share(loss) for loss in scaled]
            for player, tape, loss in zip(players, tapes, scaled, strict=True):
                apply(player, tape.gradient(loss, player.variables))
            logs.update(player_logs)
        return logs

    if tf.distribute.has_strategy():
        seeds = [v for v in gan.variables if _is_seed(v)]
        step = _on_every_replica(tf.distribute.get_strategy(), step, seeds)

    def steps(batches):  # the first step outside the loop gives the logs' names and types
        first = step({k: v[0] for k, v in batches.items()})
        count = tf.shape(next(iter(batches.values())))[0]
        logs = {k: tf.TensorArray(v.dtype, count).write(0, v) for k, v in first.items()}
        for i in tf.range(1, count):
            each = step({k: v[i] for k, v in batches.items()})
            logs = {k: logs[k].write(i, each[k]) for k in logs}
        return {k: v.stack() for k, v in logs.items()}

    return tf.function(steps if several else step, jit_compile=jit_compile, reduce_retracing=True)


def _replica_slice(value):
    """This replica's share of a global batch (all of it outside a strategy)."""
    import tensorflow as tf

    context = tf.distribute.get_replica_context()
    if context is None or context.num_replicas_in_sync == 1:
        return value
    size = value.shape[0] // context.num_replicas_in_sync
    first = context.replica_id_in_sync_group * size
    return value[first : first + size]


def _replica_share(loss):
    """A replica's loss divided by the number of replicas: the optimizer sums their
    gradients, which makes the global batch's mean."""
    import tensorflow as tf

    replicas = tf.distribute.get_strategy().num_replicas_in_sync
    return loss if replicas == 1 else loss / replicas


def _is_seed(variable) -> bool:
    """A seed generator's state (the variant's, a dropout layer's...)."""
    return variable.name == "seed_generator_state"


def _on_every_replica(strategy, fn: Callable, seeds: list) -> Callable:
    """``fn(batches) -> logs`` run by every replica of ``strategy``, each drawing its own
    noise (its seed streams shifted by its index, then shifted back: the state stays the
    same on every replica); the logs averaged over the replicas."""
    import tensorflow as tf

    if strategy.num_replicas_in_sync > MAX_REPLICAS:
        raise ConfigError(
            f"train.distribution: {strategy.num_replicas_in_sync} replicas; their noise streams "
            f"stay apart for at most {MAX_REPLICAS}"
        )

    def replica(batches):
        index = tf.distribute.get_replica_context().replica_id_in_sync_group
        for seed in seeds:
            seed.assign_add(_stream_shift(index, seed.dtype))
        logs = fn(batches)
        for seed in seeds:
            seed.assign_sub(_stream_shift(index, seed.dtype))
        return logs

    def run(batches):
        logs = strategy.run(replica, args=(batches,))
        mean = tf.distribute.ReduceOp.MEAN
        return {key: strategy.reduce(mean, value, axis=None) for key, value in logs.items()}

    return run


def _stream_shift(index, dtype):
    import tensorflow as tf

    return tf.cast(tf.stack([0, index * REPLICA_STREAM]), dtype)


def _jax_step(gan: Trainable, plan, several: bool) -> Callable:
    """``step(batches) -> logs``: a jitted pure function of the run's variable values, each
    update a ``jax.vjp`` of the players' losses inside a ``keras.StatelessScope``, then
    ``optimizer.stateless_apply`` and the after-update action in a scope of their own;
    ``several``: the steps in an unrolled ``jax.lax.scan``."""
    import jax

    variables = gan.variables
    index = {id(v): i for i, v in enumerate(variables)}

    def stateless(values: list, fn: Callable):
        """``fn()`` with every variable read from ``values``; its result and the new values."""
        with keras.StatelessScope(state_mapping=list(zip(variables, values, strict=True))) as s:
            out = fn()
        return out, [s.get_current_value(v) for v in variables]

    def update(values: list, players: list[Player], batch: Batch):
        trained = sorted({index[id(v)] for p in players for v in p.variables})

        def forward(weights):
            current = list(values)
            for i, weight in zip(trained, weights, strict=True):
                current[i] = weight
            (scaled, logs), current = stateless(current, lambda: losses(gan, players, batch))
            return scaled, (logs, current)

        scaled, backward, (logs, values) = jax.vjp(
            forward, [values[i] for i in trained], has_aux=True
        )
        grads = []
        for n, player in enumerate(players):  # each player's loss, its own weights
            seed = [
                keras.ops.ones_like(x) if m == n else keras.ops.zeros_like(x)
                for m, x in enumerate(scaled)
            ]
            (by_weight,) = backward(seed)
            grads.append([by_weight[trained.index(index[id(v)])] for v in player.variables])

        for player, player_grads in zip(players, grads, strict=True):
            values = list(values)
            slots = [index[id(v)] for v in player.optimizer.variables]
            weights = [index[id(v)] for v in player.variables]
            new_weights, new_slots = player.optimizer.stateless_apply(
                [values[i] for i in slots], player_grads, [values[i] for i in weights]
            )
            for i, value in zip(slots + weights, new_slots + new_weights, strict=True):
                values[i] = value
            if player.after_update is not None:
                _, values = stateless(values, player.after_update)
        return logs, values

    def step(values, batches):
        logs = {}
        for players, k in plan:
            batch = {key: value[k] for key, value in batches.items()}
            player_logs, values = update(values, players, batch)
            logs.update(player_logs)
        return values, logs

    def steps(values, batches):  # unrolled: a rolled loop ran 7x slower per step on CPU
        return jax.lax.scan(step, values, batches, unroll=True)

    # the old values are replaced at once: let an accelerator reuse their memory
    compiled = jax.jit(steps if several else step, donate_argnums=(0,) if devices() else ())
    shard = _batch_sharding(2 if several else 1)

    def call(batches):
        values, logs = compiled([v.value for v in variables], shard(batches))
        for variable, value in zip(variables, values, strict=True):
            variable.assign(value)
        return logs

    return call


def _batch_sharding(leading: int) -> Callable[[Batch], Batch]:
    """Under a ``DataParallel`` distribution (made in its scope): the global batches as
    arrays split along their batch axis (after ``leading`` axes: updates, steps) over the
    devices, each process giving its own devices' shares; otherwise as they are."""
    import jax

    parallel = keras.distribution.distribution()
    if not isinstance(parallel, keras.distribution.DataParallel):
        return lambda batches: batches
    mesh = jax.sharding.Mesh(parallel.device_mesh.devices, parallel.device_mesh.axis_names)
    spec = jax.sharding.PartitionSpec(*[None] * leading, parallel.batch_dim_name)
    sharding = jax.sharding.NamedSharding(mesh, spec)

    def shard(batches):
        return {
            key: jax.make_array_from_callback(value.shape, sharding, lambda at, v=value: v[at])
            for key, value in batches.items()
        }

    return shard


def input_gradients(fn: Callable, x):
    """d sum(fn(x)) / dx: per-sample input gradients when samples do not interact (gradient
    penalties). Differentiable itself, so a penalty on it can be minimised."""
    if keras.backend.backend() == "jax":
        return _jax_input_gradients(fn, x)
    import tensorflow as tf

    with tf.GradientTape() as tape:
        tape.watch(x)
        y = fn(x)
    return tape.gradient(y, x)


def _jax_input_gradients(fn: Callable, x):
    """``jax.grad`` inside the step's stateless scope: the variable updates ``fn`` makes
    (batch statistics, random state) come out of the gradient's trace as values, as they do
    under TensorFlow."""
    import jax
    from keras.src.backend.common.stateless_scope import get_stateless_scope

    scope = get_stateless_scope()
    mapping = scope.state_mapping if scope is not None else {}
    before = dict(mapping)

    def total(x):
        y = keras.ops.sum(fn(x))
        return y, {k: v for k, v in mapping.items() if before.get(k) is not v}

    grads, changed = jax.grad(total, has_aux=True)(x)
    mapping.clear()
    mapping.update(before | changed)
    return grads
