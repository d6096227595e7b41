"""Is the MLflow tracking store there? One clear error before any work, not a retry storm."""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import urlparse

import requests

from ganops.errors import GanopsError

HOW_TO_FIX = (
    "start the server (the team's: make server), or point server.mlflow_tracking_uri in "
    "conf/local/mlflow.yml elsewhere (--env team: GANOPS_TRACKING_URI; default: "
    "sqlite:///mlflow.db)"
)

#: The same for the ``ganops`` command, which reads a registry given by ``--tracking-uri``.
HOW_TO_FIX_READING = "start the server (the team's: make server), or give --tracking-uri"
SQLITE_HEADER = b"SQLite format 3\x00"


class TrackingUnavailable(GanopsError, ConnectionError):
    """The MLflow tracking server or database cannot be reached."""


CREDENTIALS = "refused the credentials"
#: How libpq says a PostgreSQL server turned a connection away, what that is, what to do.
REFUSALS = {
    "password authentication failed": CREDENTIALS,
    "no pg_hba.conf entry": CREDENTIALS,
    'role "': CREDENTIALS,  # role "x" does not exist
    'database "': "has no such database",  # database "x" does not exist
}
LIBPQ_PREFIX = re.compile(r"^(connection failed: )?(connection to server .*? failed: )?(FATAL: )?")
FIXES = {
    "is unreachable": "start PostgreSQL, or fix the host and port",
    CREDENTIALS: "fix the user and password in the URI",
    "has no such database": "create it (createdb), or fix its name in the URI",
}


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


def credentials_problem(uri: str, timeout: float = 5.0) -> str | None:
    """Why the server at ``uri`` refuses this process's user (MLflow's
    ``MLFLOW_TRACKING_USERNAME`` and ``MLFLOW_TRACKING_PASSWORD``), or None."""
    user = os.environ.get("MLFLOW_TRACKING_USERNAME")
    auth = (user, os.environ.get("MLFLOW_TRACKING_PASSWORD", "")) if user else None
    try:
        answer = requests.get(
            f"{uri.rstrip('/')}/api/2.0/mlflow/experiments/search",
            params={"max_results": 1},
            auth=auth,
            timeout=timeout,
        )
    except requests.RequestException:
        return None  # it answered its health check: let MLflow's own retries deal with it
    if answer.status_code != 401:
        return None
    if auth is None:
        return "asks for a user: set MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD"
    return f"refused user {user!r}: check MLFLOW_TRACKING_PASSWORD"


def is_database(uri: str | None) -> bool:
    """Whether ``uri`` is a PostgreSQL database (``postgresql://``, ``postgresql+driver://``)."""
    return urlparse(uri or "").scheme.split("+")[0] == "postgresql"


def without_password(uri: str) -> str:
    """``uri`` with its password shown as ``***``, for messages."""
    from sqlalchemy.engine import make_url

    return make_url(uri).render_as_string(hide_password=True)


def shown_uri(uri: str) -> str:
    """A tracking URI as messages show it (a database's password hidden)."""
    return without_password(uri) if is_database(uri) else uri


def database_problem(uri: str, timeout: float = 5.0) -> str | None:
    """Why the PostgreSQL database ``uri`` cannot be used (one try), or None when it can:
    ``is unreachable (...)``, ``refused the credentials (...)`` or ``has no such database``,
    with what to do."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import SQLAlchemyError

    engine = create_engine(uri, connect_args={"connect_timeout": max(1, round(timeout))})
    try:
        with engine.connect() as connection:
            connection.execute(text("select 1"))
    except SQLAlchemyError as err:
        said = str(getattr(err, "orig", err)).strip().splitlines()[0]
        reason = LIBPQ_PREFIX.sub("", " ".join(said.split()))
        kind = next((k for key, k in REFUSALS.items() if key in reason), "is unreachable")
        return f"{kind} ({reason}): {FIXES[kind]}"
    finally:
        engine.dispose()
    return None


def check_tracking_uri(
    uri: str, root: Path = Path("."), timeout: float = 5.0, reading: bool = False
) -> None:
    """Raise ``TrackingUnavailable`` naming ``uri`` when its server does not answer, its
    PostgreSQL database is unreachable or refuses its credentials (named, password hidden),
    or its SQLite file's folder does not exist (MLflow would retry for minutes, then fail
    deep); ``reading`` a registry (the ``ganops`` command), the SQLite file itself must exist
    (MLflow would create it) and be a database."""
    scheme, fix = urlparse(uri).scheme, HOW_TO_FIX_READING if reading else HOW_TO_FIX
    if is_server(uri):
        if not answers(uri, timeout):
            raise TrackingUnavailable(f"MLflow tracking server {uri} is unreachable: {fix}")
        problem = credentials_problem(uri, timeout)
        if problem is not None:
            raise TrackingUnavailable(f"MLflow tracking server {uri} {problem}")
    elif is_database(uri):
        problem = database_problem(uri, timeout)
        if problem is not None:
            raise TrackingUnavailable(f"MLflow tracking database {without_password(uri)} {problem}")
    elif scheme == "sqlite":
        path = uri.removeprefix("sqlite:///").split("?", 1)[0]  # ?timeout=30...
        if path == ":memory:":
            return
        file = root / path if not path.startswith("/") else Path(path)
        if not file.parent.is_dir():
            raise TrackingUnavailable(
                f"MLflow tracking database {uri}: folder {file.parent} does not exist: {fix}"
            )
        if reading and not file.is_file():
            raise TrackingUnavailable(
                f"MLflow tracking database {uri} does not exist: run from the project folder "
                "or give --tracking-uri"
            )
        if reading and not is_sqlite(file):
            raise TrackingUnavailable(f"MLflow tracking database {uri}: {file} is no database")


def is_sqlite(file: Path) -> bool:
    """Whether ``file`` is a SQLite database (or empty: SQLite makes one of it)."""
    with open(file, "rb") as f:
        head = f.read(len(SQLITE_HEADER))
    return head in (b"", SQLITE_HEADER)
