"""Is the MLflow tracking store there? One clear error before any work, not a retry storm."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

import requests

from ganops.errors import GanopsError

HOW_TO_FIX = (
    "start the server, or point server.mlflow_tracking_uri in conf/local/mlflow.yml "
    "elsewhere (default: sqlite:///mlflow.db)"
)


class TrackingUnavailable(GanopsError, ConnectionError):
    """The MLflow tracking server or database cannot be reached."""


def is_server(uri: str | None) -> bool:
    """Whether ``uri`` is a tracking server (which can go away; a local database cannot)."""
    return urlparse(uri or "").scheme in ("http", "https")


def answers(uri: str, timeout: float = 5.0) -> bool:
    """Whether the tracking server at ``uri`` answers its health check (one try)."""
    try:
        requests.get(f"{uri.rstrip('/')}/health", timeout=timeout).raise_for_status()
    except requests.RequestException:
        return False
    return True


def check_tracking_uri(
    uri: str, root: Path = Path("."), timeout: float = 5.0, reading: bool = False
) -> None:
    """Raise ``TrackingUnavailable`` naming ``uri`` when its server does not answer or its
    SQLite file's folder does not exist (MLflow would retry for minutes, then fail deep);
    ``reading`` a registry, the SQLite file itself must exist (MLflow would create it)."""
    scheme = urlparse(uri).scheme
    if is_server(uri):
        if not answers(uri, timeout):
            raise TrackingUnavailable(f"MLflow tracking server {uri} is unreachable: {HOW_TO_FIX}")
    elif scheme == "sqlite":
        path = uri.removeprefix("sqlite:///")
        folder = (root / path).parent if not path.startswith("/") else Path(path).parent
        if path != ":memory:" and not folder.is_dir():
            raise TrackingUnavailable(
                f"MLflow tracking database {uri}: folder {folder} does not exist: {HOW_TO_FIX}"
            )
        if reading and path != ":memory:" and not (folder / Path(path).name).is_file():
            raise TrackingUnavailable(
                f"MLflow tracking database {uri} does not exist: run from the project folder "
                "or give --tracking-uri"
            )
