"""End to end: `dvc plots diff` and `dvc metrics diff` in a git + DVC repository holding the
project's dvc.yaml, .dvc/config, its plot templates and the committed reports, looked at in
headless Chromium as a person would: the page renders offline, both revisions in each plot."""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
from selenium.webdriver.support.ui import WebDriverWait

from ganops.tracking.dvc_plots import leaderboard_table, read_metrics, write_template

REPO = Path(__file__).resolve().parents[2]
REPORTING = "reference"  # what `dvc repro` publishes, committed
VARIANT = "dcgan"  # the "experiment" below changes its losses and FD
COPIED = [
    "dvc.yaml",
    "conf/base/globals.yml",  # dvc.yaml's vars
    ".dvc/config",
    *(str(p.relative_to(REPO)) for p in sorted((REPO / ".dvc/plots").glob("*.json"))),
    f"{REPORTING}/leaderboard.csv",
    f"{REPORTING}/{VARIANT}/losses.csv",
    f"{REPORTING}/{VARIANT}/train_summary.json",
    *(str(p.relative_to(REPO)) for p in sorted((REPO / REPORTING).glob("*/scores.csv"))),
    *(str(p.relative_to(REPO)) for p in sorted((REPO / REPORTING).glob("*/metrics.json"))),
]
PLOTS = ("leaderboard", "fd_digits", f"losses_{VARIANT}")  # ids (DVC matches regexes)
BETTER = 0.5  # the experiment halves dcgan's FD


@dataclass
class Diff:
    path: Path  # the repository
    rev: str  # the commit's short hash, as `dvc plots diff` was given it
    page: Path  # `dvc plots diff <rev>`'s page


def an_experiment(repo: Path) -> None:
    """What `dvc exp run -S ...` would leave: dcgan's generator loss lower, its FD halved, the
    leaderboard rebuilt (the `leaderboard` stage's function)."""
    losses = repo / REPORTING / VARIANT / "losses.csv"
    table = pd.read_csv(losses)
    table.assign(g_loss=table["g_loss"] * 0.8).to_csv(losses, index=False)
    scores = repo / REPORTING / VARIANT / "scores.csv"
    table = pd.read_csv(scores)
    table.assign(fid=table["fid"] * BETTER).to_csv(scores, index=False)
    metrics = repo / REPORTING / VARIANT / "metrics.json"
    doc = json.loads(metrics.read_text())
    doc["metrics"]["fid"] *= BETTER
    doc["primary"]["value"] *= BETTER
    metrics.write_text(json.dumps(doc, indent=2))
    board = leaderboard_table(read_metrics(repo / REPORTING))
    board.to_csv(repo / REPORTING / "leaderboard.csv", index=False, float_format="%.6g")


@pytest.fixture(scope="module")
def diff(tmp_path_factory, run_cmd) -> Diff:
    """A committed repository, then an experiment's changes in its workspace, and
    `dvc plots diff <rev>` of the leaderboard, the FD on digits and dcgan's losses."""
    repo = tmp_path_factory.mktemp("plots") / "project"
    repo.mkdir()
    run_cmd(repo, "git", "init", "-q")
    for key, value in (("user.email", "e2e@example.com"), ("user.name", "e2e")):
        run_cmd(repo, "git", "config", key, value)
    run_cmd(repo, "git", "config", "commit.gpgsign", "false")
    run_cmd(repo, "dvc", "init", "-q")
    for name in COPIED:
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / name, repo / name)
    write_template(repo / ".dvc/plots_template.html")  # what `make setup` does
    run_cmd(repo, "git", "add", "-A")
    run_cmd(repo, "git", "commit", "-q", "-m", "reports")
    rev = run_cmd(repo, "git", "rev-parse", "--short=7", "HEAD").stdout.strip()
    an_experiment(repo)
    run_cmd(repo, "dvc", "plots", "diff", rev, "-o", "page", "--targets", *(f"{p}$" for p in PLOTS))
    return Diff(repo, rev, repo / "page" / "index.html")


def rendered(browser, plot_id: str) -> str:
    """The SVG text of plot ``plot_id`` once Vega has drawn its marks."""
    script = (
        "const svg = document.querySelector(`#${arguments[0]} svg`);"
        "const drawn = svg && svg.querySelector('.mark-line path, .mark-rect path');"
        "return drawn ? svg.textContent : null;"
    )
    return WebDriverWait(browser, 60).until(lambda b: b.execute_script(script, plot_id))


def test_plots_diff_page_renders_offline_with_both_revisions(diff: Diff, browser, screenshot):
    html = diff.page.read_text()
    assert not re.search(r"<script[^>]+src=", html), "the page must not load scripts"
    browser.set_window_size(1400, 1400)
    try:
        browser.get(diff.page.as_uri())
        texts = {plot: rendered(browser, plot) for plot in PLOTS}
        resources = browser.execute_script(
            "return performance.getEntriesByType('resource').map(r => r.name)"
        )
        assert [r for r in resources if not r.startswith(("file:", "data:"))] == []
        assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []
        losses = texts[f"losses_{VARIANT}"]
        assert f"{VARIANT}: losses per step" in losses
        for field in ("d_loss", "g_loss"):
            assert f"{field}  @{diff.rev}" in losses and f"{field}  @workspace" in losses
        lines = browser.find_elements("css selector", f"#losses_{VARIANT} .mark-line path")
        assert len(lines) >= 4  # two losses, two revisions
        assert f"{VARIANT}  @{diff.rev}" in texts["fd_digits"]
        assert (
            "Leaderboard" in texts["leaderboard"] and f"{VARIANT} (digits)" in texts["leaderboard"]
        )
        bars = browser.find_elements("css selector", "#leaderboard .mark-rect path")
        assert len(bars) == 2 * len(pd.read_csv(diff.path / REPORTING / "leaderboard.csv"))
        screenshot(browser, "dvc-plots")
    finally:
        browser.set_window_size(1400, 1000)


def test_metrics_diff_shows_the_fd_change(diff: Diff, run_cmd):
    before = json.loads((REPO / REPORTING / VARIANT / "metrics.json").read_text())["metrics"]
    proc = run_cmd(diff.path, "dvc", "metrics", "diff", diff.rev)
    rows = [line.split() for line in proc.stdout.splitlines()]
    fid = next(r for r in rows if r[:2] == [f"{REPORTING}/{VARIANT}/metrics.json", "metrics.fid"])
    assert float(fid[2]) == pytest.approx(before["fid"], rel=1e-4)
    assert float(fid[3]) == pytest.approx(before["fid"] * BETTER, rel=1e-4)
    assert any(r[:2] == [f"{REPORTING}/{VARIANT}/metrics.json", "primary.value"] for r in rows)
