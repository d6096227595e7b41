"""The documentation site as a reader sees it: ``mkdocs build --strict`` (what ``make docs``
runs; the notebooks rendered as committed, not executed) into a temporary folder, then three of
its pages, served from the built files on loopback, in headless Chromium with no network: the
home page, Results and the CLI reference."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By

from static_site import served_folder

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent  # this virtual environment, already set up


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The site, built strictly: a broken link, a missing picture or a warning fails it."""
    out = tmp_path_factory.mktemp("site")
    env = {k: v for k, v in os.environ.items() if k != "GANOPS_DOCS_NOTEBOOKS"}
    env |= {"NO_MKDOCS_2_WARNING": "1", "PATH": f"{BIN}{os.pathsep}{env.get('PATH', '')}"}
    proc = subprocess.run(
        [BIN / "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "WARNING" not in proc.stderr, proc.stderr
    return out


def test_the_build_holds_every_page_the_generated_reference_and_the_notebooks(site):
    for page in ("index.html", "results/index.html", "cli/index.html", "changelog/index.html"):
        assert (site / page).is_file(), page
    cli = (site / "cli" / "index.html").read_text()
    assert "usage: ganops generate" in cli and "usage: ganops latent interpolate" in cli
    assert "usage: python -m ganops.bench" in cli
    for notebook in sorted((REPO / "notebooks").glob("*.ipynb")):
        assert (site / "notebooks" / notebook.stem / "index.html").is_file(), notebook.name
    assert "# Changelog" not in (site / "changelog" / "index.html").read_text()  # included


@pytest.fixture(scope="module")
def site_url(site: Path) -> Iterator[str]:
    """The built files served over http on a free loopback port, as any static server would."""
    with served_folder(site) as url:
        yield url


def visible_texts(browser, css: str) -> list[str]:
    return [e.text.strip() for e in browser.find_elements(By.CSS_SELECTOR, css) if e.is_displayed()]


def failed_requests(browser) -> list[str]:
    """The browser's errors since the last call: a request that failed (offline: anything
    from outside the site), a script that broke."""
    return [e["message"] for e in browser.get_log("browser") if e["level"] == "SEVERE"]


def test_home_results_and_cli_pages_draw_offline(browser, screenshot, site_url):
    browser.get_log("browser")  # earlier pages' messages
    size = browser.get_window_size()
    browser.set_window_size(1400, 1000)  # wide enough for the navigation sidebar
    try:
        browser.get(site_url)
        screenshot(browser, "docs-home")
        nav = visible_texts(browser, ".md-sidebar--primary .md-nav__link")
        headline = visible_texts(browser, "article table td")
        home_failed = failed_requests(browser)

        browser.get(site_url + "results/")
        screenshot(browser, "docs-results")
        digits_rows = [
            [td.text for td in row.find_elements(By.TAG_NAME, "td")]
            for row in browser.find_elements(By.CSS_SELECTOR, "article table tbody tr")
        ]
        results_failed = failed_requests(browser)

        browser.get(site_url + "cli/")
        screenshot(browser, "docs-cli")
        generate = browser.find_element(By.ID, "ganops-generate")
        usage = browser.execute_script("return arguments[0].nextElementSibling.innerText", generate)
        generate_shown = generate.is_displayed()
        cli_failed = failed_requests(browser)
    finally:
        browser.set_window_size(size["width"], size["height"])

    for title in ("Getting started", "Results", "CLI reference", "Errors", "Architecture"):
        assert title in nav, nav
    assert any(cell.startswith("dcgan ") for cell in headline), headline  # the headline table

    reference = json.loads((REPO / "reference" / "dcgan" / "metrics.json").read_text())
    fid = f"{reference['metrics']['fid']:.3g}"
    dcgan = next(row for row in digits_rows if row and row[0] == "dcgan")
    assert dcgan[2] == fid, dcgan  # the digits table's FD cell, drawn from the committed report

    assert generate_shown and usage.startswith("usage: ganops generate"), usage
    assert "--model" in usage and "--seed" in usage, usage
    assert not (home_failed or results_failed or cli_failed), (
        home_failed + results_failed + cli_failed
    )
