"""The project's Kedro configuration loader: Kedro's ``OmegaConfigLoader``, with environment
variables (``${oc.env:NAME}``) read in the credentials and the tracking settings alone."""

from __future__ import annotations

from typing import Any

from kedro.config import OmegaConfigLoader
from omegaconf import OmegaConf
from omegaconf.errors import UnsupportedInterpolationType
from omegaconf.resolvers import oc

from ganops.errors import ConfigError

#: The configuration whose files may read environment variables: the credentials (Kedro's own
#: rule) and the tracking settings (``mlflow.yml``: conf/team/mlflow.yml takes the team's
#: server from GANOPS_TRACKING_URI). Never the parameters, which MLflow logs for anyone who
#: can read the run.
ENVIRONMENT_KEYS = ("credentials", "mlflow")
#: The project's configuration layout (``settings.CONFIG_LOADER_ARGS``).
LOADER_ARGS = {"base_env": "base", "default_run_env": "local"}


class ConfigLoader(OmegaConfigLoader):
    """``OmegaConfigLoader`` with ``oc.env`` in ``ENVIRONMENT_KEYS`` alone; elsewhere it is
    one ``ConfigError`` naming the kind of configuration."""

    def __getitem__(self, key: str) -> dict[str, Any]:
        if key in ENVIRONMENT_KEYS and not OmegaConf.has_resolver("oc.env"):
            OmegaConf.register_resolver("oc.env", oc.env)
            try:
                return super().__getitem__(key)
            finally:
                OmegaConf.clear_resolver("oc.env")
        try:
            return super().__getitem__(key)
        except UnsupportedInterpolationType as err:
            if "oc.env" not in str(err):
                raise
            raise ConfigError(
                f"{key}: ${{oc.env:...}} reads an environment variable, which only "
                f"credentials*.yml and mlflow.yml may ({key} is logged to MLflow): give the "
                "value with --params, or keep it in a credentials file"
            ) from None
