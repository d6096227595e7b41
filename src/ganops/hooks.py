"""Project hooks: check the MLflow tracking store before kedro-mlflow starts a run."""

from __future__ import annotations

import os

from kedro.framework.hooks import hook_impl

from ganops.tracking.server import check_tracking_uri

MLFLOW_PATTERNS = ["mlflow*", "mlflow*/**", "**/mlflow*"]  # the ones kedro-mlflow registers


class TrackingCheck:
    """Fail fast, with one clear message, when the tracking server or database is missing."""

    @hook_impl(tryfirst=True)  # before kedro-mlflow's own hook, which fails deep in retries
    def after_context_created(self, context) -> None:
        patterns = context.config_loader.config_patterns
        patterns.setdefault("mlflow", MLFLOW_PATTERNS)
        server = context.config_loader["mlflow"].get("server", {})
        uri = server.get("mlflow_tracking_uri") or os.environ.get("MLFLOW_TRACKING_URI")
        if uri:
            check_tracking_uri(uri, context.project_path)
