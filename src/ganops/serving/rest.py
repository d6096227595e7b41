"""``mlflow models serve`` of a registered generator, started one way everywhere (``ganops
serve``, the serving tests, the soak and ``make bench``).

The project's settings: the environment's own packages (``--env-manager local``: no
virtualenv built, nothing downloaded), pickle loading off (versions are models from code),
TensorFlow's start-up lines muted, and the tracking store handed over in the environment,
never on the command line (where a password in the URI would show in the process list).
The server listens on loopback only: ``mlflow models serve`` has no authentication, so
anything wider goes through an authenticating reverse proxy in front of it.
"""

from __future__ import annotations

import ipaddress
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from ganops.errors import GanopsError

BIN = Path(sys.executable).parent  # the environment's mlflow (serve execs its uvicorn)
LOOPBACK = "127.0.0.1"


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


def serve_command(model_uri: str, host: str, port: int) -> list[str]:
    """The ``mlflow models serve`` command line of ``model_uri`` on ``host:port``."""
    return [
        str(BIN / "mlflow"),
        "models",
        "serve",
        "-m",
        model_uri,
        "--env-manager",
        "local",
        "--host",
        host,
        "--port",
        str(port),
    ]


def serve_env(tracking_uri: str) -> dict[str, str]:
    """The server's environment: this one, with the tracking store and the safe settings."""
    return {
        **os.environ,
        "MLFLOW_TRACKING_URI": tracking_uri,
        "MLFLOW_ALLOW_PICKLE_DESERIALIZATION": "false",
        "TF_CPP_MIN_LOG_LEVEL": os.environ.get("TF_CPP_MIN_LOG_LEVEL", "3"),
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
    }


def start_server(
    model_uri: str, tracking_uri: str, port: int, host: str = LOOPBACK, **popen: Any
) -> subprocess.Popen:
    """Start ``mlflow models serve`` of ``model_uri`` beside this process (``popen``:
    ``subprocess.Popen``'s options, e.g. where its output goes); a host other than loopback
    is refused."""
    check_host(host)
    command = serve_command(model_uri, host, port)
    return subprocess.Popen(command, env=serve_env(tracking_uri), **popen)


def become_server(model_uri: str, tracking_uri: str, port: int, host: str = LOOPBACK) -> None:
    """Replace this process with ``mlflow models serve`` of ``model_uri`` (``ganops serve``:
    Ctrl-C, a service manager's SIGTERM and the exit status are the server's own); a host
    other than loopback is refused. Returns only by raising."""
    check_host(host)
    command = serve_command(model_uri, host, port)
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(command[0], command, serve_env(tracking_uri))
