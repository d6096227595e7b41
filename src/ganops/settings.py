"""Kedro project settings."""

from ganops.quiet import quiet_start

quiet_start()  # before Kedro builds the session: no framework start-up lines

from kedro.config import OmegaConfigLoader  # noqa: E402

CONFIG_LOADER_CLASS = OmegaConfigLoader
CONFIG_LOADER_ARGS = {"base_env": "base", "default_run_env": "local"}

from ganops.hooks import TrackingCheck  # noqa: E402

HOOKS = (TrackingCheck(),)
