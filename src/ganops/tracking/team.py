"""The team's tracking server: ``mlflow server`` on PostgreSQL with proxied artifacts.

``make server`` runs ``python -m ganops.tracking.team``: it checks the backend store (one clear
line if it is unreachable or refuses its credentials), starts a PostgreSQL cluster of its own in
``.mlflow-server/`` when no ``--backend-store-uri`` is given, then runs ``mlflow server`` in the
foreground until stopped. The tests start the same cluster and server on loopback.

Secure by default: MLflow's basic-auth app is on (its users database and settings in
``.mlflow-server/auth/``; the ``admin`` password generated on first start), the cluster's
database password is generated too, both stored 0600 under ``.mlflow-server/`` and never put
on a command line; the cluster's socket folder is its owner's alone. Serving beyond loopback
without authentication (``--no-auth``) is refused.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from ganops.errors import ConfigError, GanopsError
from ganops.serving.rest import is_loopback
from ganops.tracking.server import answers, check_tracking_uri, is_database, without_password

OWNER = "postgres"  # PostgreSQL refuses to run as root: root runs it, and mlflow server, as this
ADMIN = "admin"  # the basic-auth app's first user
PRIVATE = 0o600  # secrets: the owner reads and writes, nobody else


def as_owner(command: list[str]) -> list[str]:
    """``command`` run as ``OWNER`` when we are root: neither PostgreSQL nor a server that the
    network reaches runs as root."""
    return ["runuser", "-u", OWNER, "--", *command] if os.geteuid() == 0 else command


def hand_over(path: Path) -> None:
    """Root: ``path`` (a folder the server writes in, or a file it reads) becomes ``OWNER``'s."""
    if os.geteuid() == 0:
        shutil.chown(path, OWNER, OWNER)


def check_owner_runs_python() -> None:
    """Root: refuse in one line, before anything starts, when ``OWNER`` cannot run this
    environment's Python (``mlflow server`` runs on it), e.g. one installed under /root."""
    if os.geteuid() != 0:
        return
    done = subprocess.run(as_owner([sys.executable, "-c", ""]), capture_output=True, check=False)
    if done.returncode != 0:
        python = Path(sys.executable).resolve()
        raise ConfigError(
            f"as root, make server runs mlflow server as {OWNER}, who cannot run {python}: "
            f"run make server as an ordinary user, or install Python where {OWNER} can reach it"
        )


def secret(path: Path) -> str:
    """The secret kept in ``path``: generated (``secrets``) and written 0600 on first use,
    read back after; a file others may read is refused."""
    if path.is_file():
        if path.stat().st_mode & 0o077:
            raise ConfigError(f"{path} can be read by others: chmod 600 {shlex.quote(str(path))}")
        return path.read_text().strip()
    value = secrets.token_urlsafe(24)
    private_file(path, value + "\n")
    return value


def private_file(path: Path, text: str) -> Path:
    """``text`` written to ``path`` with mode 0600 (from its creation: never readable by
    others, even for a moment)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE), "w") as file:
        file.write(text)
    return path


@dataclass
class Auth:
    """MLflow's basic-auth app for ``mlflow server``: its settings and users database in
    ``folder``, new users allowed to read only (``default_permission``), the ``admin``
    password kept in ``folder/admin-password`` and the key that signs its forms (CSRF) in
    ``folder/flask-secret-key`` (both generated on first start)."""

    folder: Path

    @property
    def password_file(self) -> Path:
        return self.folder / "admin-password"

    def admin_password(self) -> str:
        return secret(self.password_file)

    def env(self) -> dict[str, str]:
        """The server's environment for the auth app (the password in it, not in argv)."""
        settings = private_file(
            self.folder / "basic_auth.ini",
            "[mlflow]\n"
            "default_permission = READ\n"
            f"database_uri = sqlite:///{self.folder.resolve() / 'users.db'}\n"
            f"admin_username = {ADMIN}\n"
            "authorization_function = mlflow.server.auth:authenticate_request_basic_auth\n",
        )
        return {
            "MLFLOW_AUTH_CONFIG_PATH": str(settings),
            "MLFLOW_AUTH_ADMIN_PASSWORD": self.admin_password(),
            "MLFLOW_FLASK_SERVER_SECRET_KEY": secret(self.folder / "flask-secret-key"),  # CSRF
        }


class PostgresMissing(GanopsError, FileNotFoundError):
    """PostgreSQL's server programs are not installed."""


def postgres_program(name: str) -> str:
    """The path of PostgreSQL's program ``name`` (``initdb``, ``pg_ctl``): on PATH, else in
    Debian's ``/usr/lib/postgresql/<version>/bin``."""
    found = shutil.which(name) or next(
        (str(p) for p in sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True)),
        None,
    )
    if found is None:
        raise PostgresMissing(f"PostgreSQL's {name} is not installed: apt-get install postgresql")
    return found


@dataclass
class Cluster:
    """A PostgreSQL cluster in ``folder`` (its socket there too, the folder its owner's alone)
    serving one database to one user with a password on loopback ``port``."""

    folder: Path
    port: int
    password: str
    user: str = "ganops"
    database: str = "ganops"
    throwaway: bool = False  # a test's: no fsync, stopped without a shutdown checkpoint

    @property
    def uri(self) -> str:
        return f"postgresql://{self.user}:{self.password}@127.0.0.1:{self.port}/{self.database}"

    def run(self, program: str, *args: str) -> None:
        """Run PostgreSQL's ``program`` as the cluster's owner (``postgres`` when we are root)."""
        command = as_owner([postgres_program(program), *args])
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise GanopsError(f"PostgreSQL's {program} failed: {done.stderr.strip()[-500:]}")

    def start(self) -> None:
        """Create the cluster on first use, start it, and create the user and database."""
        data = self.folder / "data"
        if not (data / "PG_VERSION").is_file():
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            hand_over(self.folder)
            fast = ["--no-sync"] if self.throwaway else []
            # trust on the socket alone, which only the owner can reach (folder and socket 0700)
            self.run("initdb", "-D", str(data), "-U", OWNER, "--auth-local=trust",
                     "--auth-host=scram-sha-256", *fast)  # fmt: skip
        self.folder.chmod(0o700)
        options = shlex.join(
            ["-p", str(self.port), "-k", str(self.folder), "-c", "listen_addresses=127.0.0.1",
             "-c", "unix_socket_permissions=0700"]
        )  # fmt: skip
        if self.throwaway:
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        log = str(self.folder / "postgres.log")
        self.run("pg_ctl", "-D", str(data), "-l", log, "-o", options, "-w", "start")
        self.create_owner()

    def create_owner(self) -> None:
        """The user (with its password) and its database, unless they exist."""
        import psycopg
        from psycopg import sql

        # autocommit: create database runs outside a transaction
        with psycopg.connect(host=str(self.folder), port=self.port, user=OWNER,
                             dbname="postgres", autocommit=True) as admin:  # fmt: skip
            if not admin.execute(
                "select 1 from pg_roles where rolname = %s", (self.user,)
            ).fetchone():
                admin.execute(
                    sql.SQL("create role {} login password {}").format(
                        sql.Identifier(self.user), sql.Literal(self.password)
                    )
                )
            if not admin.execute(
                "select 1 from pg_database where datname = %s", (self.database,)
            ).fetchone():
                admin.execute(
                    sql.SQL("create database {} owner {}").format(
                        sql.Identifier(self.database), sql.Identifier(self.user)
                    )
                )

    def stop(self) -> None:
        mode = "immediate" if self.throwaway else "fast"
        self.run("pg_ctl", "-D", str(self.folder / "data"), "-m", mode, "-w", "stop")


@contextlib.contextmanager
def postgres(cluster: Cluster) -> Iterator[Cluster]:
    """``cluster`` started, and stopped on exit."""
    cluster.start()
    try:
        yield cluster
    finally:
        cluster.stop()


def server_command(
    artifacts: str,
    host: str = "127.0.0.1",
    port: int = 5000,
    workers: int = 2,
    auth: bool = True,
) -> list[str]:
    """``mlflow server`` proxying ``artifacts`` (a folder or an ``s3://`` / ``gs://`` URI):
    clients need no access of their own to the store; with ``auth``, MLflow's basic-auth app
    asks every request for a user. Its backend and secrets come from ``server_env`` (not the
    command line, where ``ps`` would show them)."""
    mlflow = Path(sys.executable).parent / "mlflow"
    return [
        str(mlflow) if mlflow.is_file() else "mlflow",
        "server",
        "--artifacts-destination", artifacts,
        "--host", host,
        "--port", str(port),
        "--workers", str(workers),
        *(["--app-name", "basic-auth"] if auth else []),
    ]  # fmt: skip


def server_env(
    backend: str, env: dict[str, str] | None = None, auth: Auth | None = None
) -> dict[str, str]:
    """``env`` (default: this process's) for ``mlflow server`` on ``backend`` (runs and
    registry), with ``auth``'s settings, and without MLflow's job executor (GenAI jobs ganops
    does not use: a dozen consumer processes) unless asked for."""
    return {
        "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false",
        **(os.environ if env is None else env),
        "MLFLOW_BACKEND_STORE_URI": backend,
        **(auth.env() if auth else {}),
    }


@contextlib.contextmanager
def tracking_server(
    backend: str,
    artifacts: str,
    port: int,
    log: Path,
    env: dict[str, str] | None = None,
    workers: int = 1,
    auth: Auth | None = None,
) -> Iterator[str]:
    """``server_command`` on loopback ``port`` in the background (one worker: the tests'),
    with ``auth`` if given, logging to ``log``; yields its URI once it answers, and kills it
    (and its workers) on exit."""
    import signal

    uri = f"http://127.0.0.1:{port}"
    with log.open("a") as out:
        server = subprocess.Popen(
            server_command(artifacts, port=port, workers=workers, auth=auth is not None),
            env=server_env(backend, env, auth),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 120
        while not answers(uri, timeout=1):
            if server.poll() is not None or time.monotonic() > deadline:
                raise GanopsError(f"mlflow server did not start: {log.read_text()[-2000:]}")
            time.sleep(0.5)
        yield uri
    finally:
        with contextlib.suppress(ProcessLookupError):  # it may have died on its own
            os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def check_exposure(host: str, auth: bool) -> None:
    """Refuse, in one line, serving beyond loopback without authentication."""
    if not auth and not is_loopback(host):
        raise ConfigError(
            f"--host {host} with --no-auth: anyone who reaches the port could read and write "
            "runs and move the champion; serve beyond loopback with authentication only"
        )


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="make server",
        description="The team's MLflow tracking server: PostgreSQL runs and registry, "
        "proxied artifacts.",
    )
    p.add_argument(
        "--backend-store-uri",
        default=os.environ.get("MLFLOW_BACKEND_STORE_URI"),
        help="postgresql://user:password@host:port/database (default: $MLFLOW_BACKEND_STORE_URI, "
        "else a PostgreSQL cluster of its own in --folder, on --postgres-port)",
    )
    p.add_argument(
        "--artifacts-destination",
        default=os.environ.get("MLFLOW_ARTIFACTS_DESTINATION"),
        help="folder, s3:// or gs:// (default: $MLFLOW_ARTIFACTS_DESTINATION, else "
        "--folder/artifacts)",
    )
    p.add_argument(
        "--folder",
        type=Path,
        default=Path(".mlflow-server"),
        help="the server's own files: its PostgreSQL cluster, the generated secrets (0600), "
        "the users database (default: .mlflow-server)",
    )
    p.add_argument("--postgres-port", type=int, default=5433)
    p.add_argument(
        "--host",
        default="127.0.0.1",
        help="0.0.0.0 to serve the team (authentication required; default: 127.0.0.1)",
    )
    p.add_argument("--port", type=int, default=5000)
    p.add_argument("--workers", type=int, default=4)
    p.add_argument(
        "--no-auth",
        dest="auth",
        action="store_false",
        help="no users and passwords: on loopback only (one person's machine)",
    )
    return p


def drop_root(artifacts: str, auth: Auth | None) -> None:
    """Root: make what ``mlflow server`` (run as ``OWNER``) writes and reads its own (a local
    artifacts folder, the auth app's folder and settings)."""
    if os.geteuid() != 0:
        return
    if not urlparse(artifacts).scheme:  # a local folder, not s3:// or gs://
        Path(artifacts).mkdir(parents=True, exist_ok=True)
        hand_over(Path(artifacts))
    if auth is not None:  # its secrets stay root's: they reach the server in its environment
        hand_over(auth.folder)
        hand_over(auth.folder / "basic_auth.ini")


def main(argv: list[str] | None = None) -> int:
    """Check the backend store, start what is needed, serve until stopped (Ctrl-C)."""
    args = parser().parse_args(argv)
    artifacts = args.artifacts_destination or str((args.folder / "artifacts").resolve())
    auth = Auth(args.folder.resolve() / "auth") if args.auth else None
    with contextlib.ExitStack() as stack:
        try:
            check_exposure(args.host, args.auth)
            backend = args.backend_store_uri
            if backend is not None:  # the team's own database: checked before anything else
                if not is_database(backend) and urlparse(backend).scheme != "sqlite":
                    raise ConfigError(f"--backend-store-uri {backend}: give a postgresql:// URI")
                check_tracking_uri(backend)
            check_owner_runs_python()
            args.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            hand_over(args.folder)  # root: the server's own folder is OWNER's (secrets stay root's)
            if backend is None:
                password = secret(args.folder.resolve() / "postgres-password")
                cluster = Cluster(args.folder.resolve() / "postgres", args.postgres_port, password)
                backend = stack.enter_context(postgres(cluster)).uri
                check_tracking_uri(backend)
            env = server_env(backend, auth=auth)
            command = server_command(artifacts, args.host, args.port, args.workers, args.auth)
            drop_root(artifacts, auth)
        except GanopsError as err:
            print(f"ganops: {err}", file=sys.stderr)
            return 2
        command = as_owner(command)
        print(f"mlflow server on http://{args.host}:{args.port}: runs and registry in "
              f"{without_password(backend)}, artifacts in {artifacts}", flush=True)  # fmt: skip
        if auth:
            print(f"users: {ADMIN}, password in {auth.password_file}; clients set "
                  "MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD", flush=True)  # fmt: skip
        with contextlib.suppress(KeyboardInterrupt):
            return subprocess.call(command, env=env)
    return 0


if __name__ == "__main__":
    sys.exit(main())
