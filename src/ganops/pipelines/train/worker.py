"""``kedro worker <variant>``: a cluster's other workers (``train.distribution:
multi_worker``), training along with the chief's ``kedro run`` (same parameters, same data)
and keeping nothing: the chief writes the checkpoints and reports and tracks the run."""

from __future__ import annotations

from typing import Any

from kedro.framework.project import pipelines
from kedro.framework.session import KedroSession

from ganops.errors import ConfigError
from ganops.training import backend


def train_worker(variant: str, env: str | None = None, params: dict[str, Any] | None = None):
    """Join the ``TF_CONFIG`` cluster, then run ``<variant>.train`` on the catalog's data,
    its outputs dropped (the node trains along: ``nodes.train_along``)."""
    backend.join_cluster()
    if backend.name() == "jax" and backend.jax_cluster() is None:
        raise ConfigError(
            "kedro worker: set JAX_COORDINATOR_ADDRESS, JAX_NUM_PROCESSES and JAX_PROCESS_ID "
            "(the processes, and this one's index from 0)"
        )
    if backend.name() == "tensorflow" and backend.cluster_config() is None:
        raise ConfigError(
            "kedro worker: set TF_CONFIG (the cluster's workers and this one's index)"
        )
    if backend.is_chief():
        raise ConfigError(
            "kedro worker: this process is the cluster's chief (worker or process 0): start "
            "it with `kedro run`, the other workers with `kedro worker`"
        )
    node = next((n for n in pipelines["train"].nodes if n.name == f"{variant}.train"), None)
    if node is None:
        known = sorted(n.namespace for n in pipelines["train"].nodes)
        raise ConfigError(f"kedro worker: unknown variant {variant!r}; known: {', '.join(known)}")
    with KedroSession.create(env=env, runtime_params=params or {}) as session:
        catalog = session.load_context().catalog
        node.run({name: catalog.load(name) for name in node.inputs})
