"""Kedro project settings."""

from ganops.quiet import quiet_start

quiet_start()  # before Kedro builds the session: no framework start-up lines

from ganops.loader import LOADER_ARGS, ConfigLoader  # noqa: E402

CONFIG_LOADER_CLASS = ConfigLoader  # oc.env in credentials and mlflow.yml only
CONFIG_LOADER_ARGS = LOADER_ARGS

from ganops.hooks import ParameterCheck, TrackingCheck, VariantRuns  # noqa: E402

_VARIANT_RUNS = VariantRuns()
HOOKS = (TrackingCheck(), ParameterCheck(), _VARIANT_RUNS, _VARIANT_RUNS.leave)
