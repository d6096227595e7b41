"""A newcomer's two commands on a fresh clone, in the README's order: `make run`, then
`make test` (its quick part here: the checks that read what a run leaves in the working tree).

Slow: it builds the clone's own virtual environment and trains the default DCGAN in full
(about 5 minutes on 2 cores). `make test` before `make run` is what CI runs on every clone.
"""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
#: The suite's checks of committed files and of the working folder's stores and reports.
QUICK = (
    "tests/tracking/test_readme_tables.py",
    "tests/tracking/test_dvc_plots.py",
    "tests/evaluation/test_report.py",
    "tests/test_cli.py",
)


@pytest.mark.slow
def test_make_run_changes_nothing_tracked_and_make_test_then_passes(tmp_path, run_cmd):
    clone = tmp_path / "ganops"
    run_cmd(tmp_path, "git", "clone", "-q", str(REPO), str(clone))

    run_cmd(clone, "make", "run", timeout=1800)
    assert (clone / "data/08_reporting/dcgan/registration.json").is_file()
    assert (clone / "mlflow.db").is_file()
    assert run_cmd(clone, "git", "status", "--porcelain").stdout == ""

    proc = run_cmd(clone, "make", "test", f"ARGS={' '.join(QUICK)}", timeout=1800)
    *_, skipped, totals = proc.stdout.strip().splitlines()
    assert skipped.startswith("ganops: skipped ") and " passed" in totals, proc.stdout
    assert "failed" not in totals and "error" not in totals, proc.stdout
