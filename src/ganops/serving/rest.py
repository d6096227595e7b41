"""A registered generator served over REST, started one way everywhere (``ganops serve``,
the serving tests, the soak and ``make bench``): MLflow's scoring server, the app
``mlflow models serve`` runs, under uvicorn behind a bound on the request body
(``ganops.serving.app``), for a copy of the version's files.

The project's settings: the environment's own packages (no virtualenv built, nothing
downloaded), pickle loading off (versions are models from code), TensorFlow's start-up lines
muted, and the tracking store handed over in the environment, never on the command line
(where a password in the URI would show in the process list). The server listens on loopback
only: it has no authentication, so anything wider goes through an authenticating reverse
proxy in front of it.
"""

from __future__ import annotations

import ipaddress
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from ganops.errors import GanopsError

BIN = Path(sys.executable).parent  # the environment's uvicorn
LOOPBACK = "127.0.0.1"
WORKERS = "GANOPS_SERVE_WORKERS"  # worker processes, each with the model (default 2)


def whole_setting(name: str, default: int) -> int:
    """The environment variable ``name``, a whole number of at least 1, else ``default``;
    anything else is one line naming it."""
    text = os.environ.get(name, str(default))
    if not text.isdigit() or int(text) < 1:
        raise GanopsError(f"{name}={text!r}: give a whole number of at least 1")
    return int(text)


def is_loopback(host: str) -> bool:
    """Whether ``host`` is a loopback address (``127.0.0.1``, ``::1``, ``localhost``)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_host(host: str) -> None:
    """Refuse, in one line, a host that is not loopback."""
    if not is_loopback(host):
        raise GanopsError(
            f"--host {host}: not a loopback address; mlflow models serve has no "
            f"authentication, so serve on {LOOPBACK} and put an authenticating reverse proxy "
            "in front of it"
        )


def serve_command(host: str, port: int) -> list[str]:
    """The server's command line on ``host:port`` (the model comes in ``serve_env``), with
    ``GANOPS_SERVE_WORKERS`` workers; ``GANOPS_MAX_REQUEST_BYTES``, if set, checked here."""
    from ganops.serving.app import LIMIT_VARIABLE

    workers = whole_setting(WORKERS, 2)
    if LIMIT_VARIABLE in os.environ:
        whole_setting(LIMIT_VARIABLE, 1)
    return [
        str(BIN / "uvicorn"),
        "--factory",
        "ganops.serving.app:build",
        "--host",
        host,
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--timeout-keep-alive",
        "5",
        "--no-server-header",
    ]


def local_copy(model_uri: str, tracking_uri: str) -> str:
    """The version's files copied into a new temporary folder (as ``mlflow models serve``
    does), read from the registry at ``tracking_uri``."""
    import tempfile

    from mlflow.artifacts import download_artifacts

    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")  # one line, no bar
    folder = tempfile.mkdtemp(prefix="ganops-serve-")
    return download_artifacts(model_uri, dst_path=folder, tracking_uri=tracking_uri)


def serve_env(tracking_uri: str, model_path: str) -> dict[str, str]:
    """The server's environment: this one, with the model's folder, the tracking store and
    the safe settings."""
    from mlflow.pyfunc.scoring_server import _SERVER_MODEL_PATH

    return {
        **os.environ,
        _SERVER_MODEL_PATH: model_path,
        "MLFLOW_TRACKING_URI": tracking_uri,
        "MLFLOW_ALLOW_PICKLE_DESERIALIZATION": "false",
        "TF_CPP_MIN_LOG_LEVEL": os.environ.get("TF_CPP_MIN_LOG_LEVEL", "3"),
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
    }


def start_server(
    model_uri: str, tracking_uri: str, port: int, host: str = LOOPBACK, **popen: Any
) -> subprocess.Popen:
    """Start the server of ``model_uri`` beside this process (``popen``:
    ``subprocess.Popen``'s options, e.g. where its output goes); a host other than loopback
    is refused."""
    check_host(host)
    command = serve_command(host, port)
    env = serve_env(tracking_uri, local_copy(model_uri, tracking_uri))
    return subprocess.Popen(command, env=env, **popen)


def become_server(model_uri: str, tracking_uri: str, port: int, host: str = LOOPBACK) -> None:
    """Replace this process with the server of ``model_uri`` (``ganops serve``: Ctrl-C, a
    service manager's SIGTERM and the exit status are the server's own); a host other than
    loopback is refused. Returns only by raising."""
    check_host(host)
    command = serve_command(host, port)
    env = serve_env(tracking_uri, local_copy(model_uri, tracking_uri))
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(command[0], command, env)
