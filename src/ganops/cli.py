"""``kedro run`` for ganops: the project's own errors end in one line, not a traceback.

Kedro takes a project's ``run`` command from ``<package>.cli`` when there is one. This is
Kedro's own ``run`` (same options, same help), except that an error ganops raises on purpose
(:class:`~ganops.errors.GanopsError`: bad data or parameters, a missing tracking store, a
diverged training) prints one line naming the culprit and exits with status 2. Bugs keep
their full traceback. ``kedro airflow create`` is kedro-airflow's, likewise, and names an
unknown pipeline before it writes anything.

With ``TF_CONFIG`` (or JAX's ``JAX_COORDINATOR_ADDRESS``) set, ``kedro run`` first joins that
cluster (``train.distribution: multi_worker``; the chief), and ``kedro worker <variant>``
trains along on the other machines.
"""

from __future__ import annotations

import copy
import functools
import os
import sys
from collections.abc import Callable
from typing import Any

import click
from kedro.framework.cli.project import PARAMS_ARG_HELP
from kedro.framework.cli.project import run as kedro_run
from kedro.framework.cli.utils import _split_params, env_option
from kedro.framework.project import pipelines
from kedro.io import DatasetError
from kedro_airflow.plugin import create as airflow_create

from ganops.errors import ConfigError, GanopsError


def one_line_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """``command``, printing a :class:`GanopsError` as one line and exiting with 2; also one
    that a dataset raised, which Kedro wraps in its ``DatasetError``."""

    @functools.wraps(command)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except (GanopsError, DatasetError) as caught:
            err = ganops_cause(caught)
            if err is None:
                raise
            click.secho(f"ganops: {type(err).__name__}: {err}", err=True, fg="red")
            sys.exit(2)

    return guarded


def ganops_cause(err: BaseException | None) -> GanopsError | None:
    """``err`` or the first :class:`GanopsError` it was raised from, if any."""
    while err is not None and not isinstance(err, GanopsError):
        err = err.__cause__
    return err


def known_pipelines(command: Callable[..., Any]) -> Callable[..., Any]:
    """``command``, raising :class:`ConfigError` first when a pipeline it is given is not
    registered, or a namespace it is given is in none of them (a mistyped variant)."""

    @functools.wraps(command)
    def checked(*args: Any, **kwargs: Any) -> Any:
        names = [*(kwargs.get("pipeline_names") or ()), *(kwargs.get("pipelines") or ())]
        names += [kwargs["pipeline"]] if kwargs.get("pipeline") else []
        for name in names:
            if name not in pipelines:
                raise ConfigError(
                    f"unknown pipeline {name!r}; known: {', '.join(sorted(pipelines))}"
                )
        names = names or ["__default__"]
        chosen = [node for name in names for node in pipelines[name].nodes]
        known = {part for node in chosen for part in namespaces_of(node.namespace)}
        for namespace in kwargs.get("namespaces") or ():
            if namespace not in known:
                raise ConfigError(
                    f"unknown namespace {namespace!r} in pipeline {', '.join(names)}; "
                    f"known: {', '.join(sorted(known))}"
                )
        return command(*args, **kwargs)

    return checked


def namespaces_of(namespace: str | None) -> list[str]:
    """The namespaces a node of ``namespace`` is in: ``a.b`` is in ``a`` and ``a.b``."""
    parts = namespace.split(".") if namespace else []
    return [".".join(parts[: i + 1]) for i in range(len(parts))]


@click.group(name="ganops")
def cli() -> None:
    """ganops' project commands."""


def in_cluster(command: Callable[..., Any]) -> Callable[..., Any]:
    """``command``, after joining the cluster ``TF_CONFIG`` (or, under JAX,
    ``JAX_COORDINATOR_ADDRESS``...) describes when it is set, before the backend runs
    anything (``train.distribution: multi_worker``)."""

    @functools.wraps(command)
    def joined(*args: Any, **kwargs: Any) -> Any:
        if os.environ.get("TF_CONFIG") or os.environ.get("JAX_COORDINATOR_ADDRESS"):
            from ganops.training import backend  # TensorFlow: imported when needed

            backend.join_cluster()
        return command(*args, **kwargs)

    return joined


run = copy.copy(kedro_run)
run.callback = one_line_errors(known_pipelines(in_cluster(kedro_run.callback)))
cli.add_command(run)


@cli.command(name="worker")
@click.argument("variant")
@env_option
@click.option(
    "--params", type=click.UNPROCESSED, default="", help=PARAMS_ARG_HELP, callback=_split_params
)
@one_line_errors
def worker(variant: str, env: str | None, params: dict[str, Any]) -> None:
    """Train VARIANT along with a cluster's chief (train.distribution: multi_worker).

    Run on every machine but the chief's, with TF_CONFIG naming this worker (its index; under
    JAX: JAX_COORDINATOR_ADDRESS, JAX_NUM_PROCESSES, JAX_PROCESS_ID) and the same --env and
    --params as the chief's `kedro run`. Nothing is written or tracked
    here: the chief keeps the checkpoints, reports and MLflow run.
    """
    from ganops.pipelines.train.worker import train_worker  # TensorFlow: imported when used

    train_worker(variant, env, params)


@cli.group(name="airflow")
def airflow() -> None:
    """Run the project with Airflow (kedro-airflow)."""


create = copy.copy(airflow_create)
create.callback = one_line_errors(known_pipelines(airflow_create.callback))
airflow.add_command(create)
