"""A tracking server that goes away in the middle of a run: the run goes on without it, every
result saved on disk, its registrations skipped, and ends with one line giving the command
that registers them once the server is back."""

from __future__ import annotations

import contextlib
import logging
import os
from dataclasses import dataclass, field
from typing import Any

from ganops.tracking.server import TrackingUnavailable, answers, is_server

logger = logging.getLogger(__name__)

#: MLflow's HTTP retries, unless the user set them: a few seconds, not MLflow's four minutes
#: per call (7 retries, backoff factor 2, 120 s timeout) before a dead server's error shows.
FAIL_FAST = {
    "MLFLOW_HTTP_REQUEST_MAX_RETRIES": "3",
    "MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR": "1",
    "MLFLOW_HTTP_REQUEST_TIMEOUT": "30",
}


@dataclass
class Guard:
    """This process's tracking server, and where the run lost it (None while it answers)."""

    uri: str | None = None  # set by the project's hooks when tracking goes to a server
    catalog: Any = None  # the running pipeline's catalog, whose MLflow datasets it turns off
    lost_at: str | None = None
    #: dataset -> the variants whose registrations were skipped since ``watch``
    unregistered: dict[str, list[str]] = field(default_factory=dict)

    def watch(self, uri: str | None) -> None:
        """Watch ``uri`` if it is a server (with MLflow's retries kept short)."""
        self.uri, self.lost_at, self.unregistered = (uri if is_server(uri) else None), None, {}
        if self.uri:
            for name, value in FAIL_FAST.items():
                os.environ.setdefault(name, value)

    def tracking(self, where: str) -> bool:
        """Whether the run still tracks. The first time the server does not answer, every
        MLflow write of the rest of this run is turned off (kedro-mlflow's parameters and
        datasets, ours) and a warning says so; ``where`` names the moment."""
        if self.lost_at is not None:
            return False
        if self.uri is None or answers(self.uri):
            return True
        self.lost_at = where
        logger.warning(
            "MLflow tracking server %s stopped answering (%s): the run goes on without "
            "tracking, its results saved on disk",
            self.uri,
            where,
        )
        self.stop_tracking()
        return False

    def skip_registration(self, variant: str, dataset: str) -> dict[str, Any]:
        """The record of ``variant``'s registration on ``dataset``, skipped: the server stopped
        answering; the run ends with the command that retries it (``check``)."""
        self.unregistered.setdefault(dataset, []).append(variant)
        reason = f"MLflow tracking server {self.uri} stopped answering ({self.lost_at})"
        return {"registered": False, "reason": reason}

    def check(self) -> None:
        """At the end of a run: raise ``TrackingUnavailable`` if the server stopped answering
        during it, with the command that retries the registrations it skipped."""
        if self.lost_at is None:
            return
        message = (
            f"MLflow tracking server {self.uri} stopped answering ({self.lost_at}): the run's "
            "results are saved on disk, untracked"
        )
        if self.unregistered:
            message += "; once it answers, register alone: " + "; ".join(
                f"kedro run --pipelines register --namespaces {','.join(variants)} "
                f"--params dataset={dataset}"
                for dataset, variants in self.unregistered.items()
            )
        raise TrackingUnavailable(message)

    def stop_tracking(self) -> None:
        """Turn off every MLflow write of this run: kedro-mlflow's, as it does for a pipeline
        whose tracking is disabled (its datasets write only their files, its hook logs no
        parameters and reopens no run), and MLflow's own (the open runs are closed here,
        with one quick try, not at exit after the error line)."""
        import mlflow
        from kedro_mlflow.framework.hooks.mlflow_hook import mlflow_hook
        from kedro_mlflow.io.catalog.switch_catalog_logging import switch_catalog_logging

        if self.catalog is not None:
            switch_catalog_logging(self.catalog, False)
        mlflow_hook.run_id, mlflow_hook._is_mlflow_enabled = None, False
        os.environ.update(MLFLOW_HTTP_REQUEST_MAX_RETRIES="0", MLFLOW_HTTP_REQUEST_TIMEOUT="5")
        while mlflow.active_run() is not None:
            with contextlib.suppress(Exception):  # the server is gone: it cannot hear it
                mlflow.end_run("FAILED")


#: The one guard of this process (the hooks set it up; unwatched, it always tracks).
GUARD = Guard()
