"""What `make setup` installs is pinned and checked: every lock entry carries its hashes, uv
itself is installed from a hashed lock at the Makefile's version, and the project is built
by the locked setuptools without build isolation (nothing fetched unhashed)."""

import re
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
LOCKS = ["requirements.lock", "airflow_dags/requirements.lock", "requirements-uv.lock"]
PIN = re.compile(r"^([A-Za-z0-9_.\-\[\]]+)==(\S+)")


def pins(lock: str) -> dict[str, tuple[str, int]]:
    """``{package: (version, number of hashes)}`` of a lock written by `uv pip compile`."""
    found, name = {}, None
    for line in (REPO / lock).read_text().splitlines():
        if match := PIN.match(line):
            name = match[1].lower()
            found[name] = (match[2], 0)
        elif name and line.strip().startswith("--hash=sha256:"):
            version, count = found[name]
            found[name] = (version, count + 1)
    return found


@pytest.mark.parametrize("lock", LOCKS)
def test_every_locked_package_carries_its_hashes(lock):
    locked = pins(lock)
    assert locked, f"{lock}: no pins"
    unhashed = sorted(name for name, (_, hashes) in locked.items() if hashes == 0)
    assert not unhashed, f"{lock}: no --hash for {unhashed}; run make lock"


def test_make_setup_requires_the_hashes_and_builds_with_the_locked_setuptools():
    makefile = (REPO / "Makefile").read_text()
    recipe = makefile[makefile.index("$(STAMP): requirements.lock") :].split("\n\n")[0]
    installs = [line for line in recipe.splitlines() if " install " in line]
    assert len(installs) == 3, recipe
    assert all("--require-hashes" in line for line in installs[:2]), recipe
    assert "--no-build-isolation" in installs[2] and "--no-deps" in installs[2], recipe
    airflow = makefile[makefile.index("$(AIRFLOW_STAMP):") :].split("\n\n")[0]
    assert "--require-hashes" in airflow


def test_uv_and_the_build_backend_are_the_locked_versions():
    makefile = (REPO / "Makefile").read_text()
    uv_version = re.search(r"^UV_VERSION\s*:=\s*(\S+)", makefile, re.M)[1]
    uv = pins("requirements-uv.lock")
    assert list(uv) == ["uv"] and uv["uv"][0] == uv_version
    build = tomllib.loads((REPO / "pyproject.toml").read_text())["build-system"]["requires"]
    assert build == [f"setuptools=={pins('requirements.lock')['setuptools'][0]}"]
