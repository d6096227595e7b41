"""The champion gate on the real `kedro run`: a model retrained at another image size cannot
be measured like the champion, and the gate says so instead of crashing."""

from __future__ import annotations

import json

import pytest


@pytest.mark.slow  # two default runs; the rule itself: tests/tracking/test_registry.py
def test_a_champion_of_another_image_size_keeps_the_alias_and_the_run_ends_well(
    tmp_path, make_project, run_cmd
):
    project = make_project(tmp_path / "project")
    run_cmd(project, "kedro", "run")
    proc = run_cmd(project, "kedro", "run", "--params", "preprocess.image_size=32")
    assert "Traceback" not in proc.stdout, proc.stdout[-3000:]
    decision = json.loads((project / "data/08_reporting/dcgan/registration.json").read_text())
    assert decision["version"] == "2" and not decision["promoted"], decision
    assert "other shapes" in decision["reason"], decision
    assert decision["champion_version"] == "1"
