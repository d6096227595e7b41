"""Project hooks: check the MLflow tracking store before kedro-mlflow starts a run, and go on
without it should a tracking server stop answering during the run."""

from __future__ import annotations

import os

from kedro.framework.hooks import hook_impl

from ganops.tracking.guard import GUARD
from ganops.tracking.server import check_tracking_uri

MLFLOW_PATTERNS = ["mlflow*", "mlflow*/**", "**/mlflow*"]  # the ones kedro-mlflow registers


class TrackingCheck:
    """Fail fast, with one clear message, when the tracking server or database is missing;
    keep the run going when a server goes away in the middle (``tracking.guard``)."""

    @hook_impl(tryfirst=True)  # before kedro-mlflow's own hook, which fails deep in retries
    def after_context_created(self, context) -> None:
        patterns = context.config_loader.config_patterns
        patterns.setdefault("mlflow", MLFLOW_PATTERNS)
        server = context.config_loader["mlflow"].get("server", {})
        uri = server.get("mlflow_tracking_uri") or os.environ.get("MLFLOW_TRACKING_URI")
        registry = server.get("mlflow_registry_uri") or os.environ.get("MLFLOW_REGISTRY_URI")
        for store in dict.fromkeys(u for u in (uri, registry) if u):
            check_tracking_uri(store, context.project_path)
        GUARD.watch(uri)

    @hook_impl
    def before_pipeline_run(self, catalog) -> None:
        GUARD.catalog = catalog

    @hook_impl(tryfirst=True)  # before kedro-mlflow reopens the run and logs the parameters
    def before_node_run(self, node) -> None:
        GUARD.tracking(f"before node {node.name}")

    @hook_impl(tryfirst=True)  # before the node's outputs are saved (kedro-mlflow logs them)
    def after_node_run(self, node) -> None:
        GUARD.tracking(f"during node {node.name}")

    @hook_impl(tryfirst=True)  # before kedro-mlflow ends the run on the server
    def after_pipeline_run(self) -> None:
        GUARD.check()
