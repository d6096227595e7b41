"""``make push`` / ``make pull``: the DVC remote checked first, then ``dvc push`` / ``dvc pull``.

The remote holds what ``dvc.yaml`` caches (data, checkpoints, feature extractors, generators),
so that a second machine reproduces a result with ``make pull && make repro``. A remote that
is not configured, or (pulling) not there, is one clear line before anything is copied, not a
pull that half-succeeds and leaves ``dvc repro`` to retrain everything.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from ganops.errors import ConfigError

HOW_TO_ADD = "dvc remote add -d storage s3://bucket/ganops (or gs://..., or a folder)"


class RemoteMissing(ConfigError):
    """The DVC remote is not configured, or not there."""


def check_remote(name: str | None, pulling: bool, root: Path = Path(".")) -> str:
    """The name of the DVC remote ``name`` (None: the default one); ``RemoteMissing`` when it
    is not configured or, ``pulling``, its location does not exist or cannot be reached.
    (Pushing creates the location: a bucket prefix exists only once written.)"""
    from dvc.config import NoRemoteError, RemoteNotFoundError
    from dvc.repo import Repo

    with Repo(str(root)) as repo:
        known = ", ".join(repo.config["remote"]) or "none"
        try:
            remote = repo.cloud.get_remote(name)
        except NoRemoteError:
            raise RemoteMissing(f"no DVC remote given and no default one: {HOW_TO_ADD}") from None
        except RemoteNotFoundError:
            raise RemoteMissing(
                f"DVC remote {name!r} is not configured (configured: {known}): {HOW_TO_ADD}"
            ) from None
        except ImportError as err:  # s3 is supported, but requires 'dvc-s3' to be installed
            raise RemoteMissing(f"DVC remote {name or 'default'!r}: {err}") from None
        if pulling:
            url = repo.config["remote"][remote.name]["url"]
            try:
                there = remote.fs.exists(remote.path)
            except Exception as err:  # credentials, network: whatever the storage says
                message = f"DVC remote {remote.name!r} ({url}) cannot be read: {err}"
                raise RemoteMissing(message) from None
            if not there:
                raise RemoteMissing(
                    f"DVC remote {remote.name!r} ({url}) does not exist: nothing to pull "
                    "(push from the machine that has the results, or fix its URL: dvc remote "
                    f"modify {remote.name} url ...)"
                )
        return remote.name


def main(argv: list[str] | None = None) -> int:
    """``python -m ganops.tracking.remote push|pull [REMOTE]``."""
    command, *name = (argv if argv is not None else sys.argv[1:]) or [""]
    if command not in ("push", "pull") or len(name) > 1:
        print("usage: python -m ganops.tracking.remote push|pull [REMOTE]", file=sys.stderr)
        return 2
    try:
        remote = check_remote(name[0] if name else None, pulling=command == "pull")
    except RemoteMissing as err:
        print(f"ganops: {err}", file=sys.stderr)
        return 2
    dvc = Path(sys.executable).parent / "dvc"
    return subprocess.call([str(dvc) if dvc.is_file() else "dvc", command, "-r", remote])


if __name__ == "__main__":
    sys.exit(main())
