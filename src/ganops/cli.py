"""``kedro run`` for ganops: the project's own errors end in one line, not a traceback.

Kedro takes a project's ``run`` command from ``<package>.cli`` when there is one. This is
Kedro's own ``run`` (same options, same help), except that an error ganops raises on purpose
(:class:`~ganops.errors.GanopsError`: bad data or parameters, a missing tracking store, a
diverged training) prints one line naming the culprit and exits with status 2. Bugs keep
their full traceback. ``kedro airflow create`` is kedro-airflow's, likewise, and names an
unknown pipeline before it writes anything.
"""

from __future__ import annotations

import copy
import functools
import sys
from collections.abc import Callable
from typing import Any

import click
from kedro.framework.cli.project import run as kedro_run
from kedro.framework.project import pipelines
from kedro_airflow.plugin import create as airflow_create

from ganops.errors import ConfigError, GanopsError


def one_line_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """``command``, printing a :class:`GanopsError` as one line and exiting with 2."""

    @functools.wraps(command)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except GanopsError as err:
            click.secho(f"ganops: {type(err).__name__}: {err}", err=True, fg="red")
            sys.exit(2)

    return guarded


def known_pipelines(command: Callable[..., Any]) -> Callable[..., Any]:
    """``command``, raising :class:`ConfigError` first when its ``pipeline_names`` are not all
    registered pipelines."""

    @functools.wraps(command)
    def checked(*args: Any, **kwargs: Any) -> Any:
        for name in kwargs.get("pipeline_names") or ():
            if name not in pipelines:
                raise ConfigError(
                    f"unknown pipeline {name!r}; known: {', '.join(sorted(pipelines))}"
                )
        return command(*args, **kwargs)

    return checked


@click.group(name="ganops")
def cli() -> None:
    """ganops' project commands."""


run = copy.copy(kedro_run)
run.callback = one_line_errors(kedro_run.callback)
cli.add_command(run)


@cli.group(name="airflow")
def airflow() -> None:
    """Run the project with Airflow (kedro-airflow)."""


create = copy.copy(airflow_create)
create.callback = one_line_errors(known_pipelines(airflow_create.callback))
airflow.add_command(create)
