"""Kedro project settings."""

from ganops.quiet import quiet_start

quiet_start()  # before Kedro builds the session: no framework start-up lines

from kedro.config import OmegaConfigLoader  # noqa: E402
from omegaconf.resolvers import oc  # noqa: E402

CONFIG_LOADER_CLASS = OmegaConfigLoader
# oc.env in every file (Kedro allows it only in credentials by default): conf/team/mlflow.yml
# takes the team's server from GANOPS_TRACKING_URI.
CONFIG_LOADER_ARGS = {
    "base_env": "base",
    "default_run_env": "local",
    "custom_resolvers": {"oc.env": oc.env},
}

from ganops.hooks import ParameterCheck, TrackingCheck, VariantRuns  # noqa: E402

_VARIANT_RUNS = VariantRuns()
HOOKS = (TrackingCheck(), ParameterCheck(), _VARIANT_RUNS, _VARIANT_RUNS.leave)
