"""kedro-viz as a person sees it: `make viz-build` in a tiny copy of the project, the static site
served on loopback and opened in headless Chromium (offline), and the data the site draws."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from ganops.pipeline_registry import register_pipelines
from ganops.variants import FAMILIES
from static_site import served_folder

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent  # this virtual environment, already set up
#: The default pipeline's layers, in the order its data flows (data/02_... to data/08_...).
LAYERS = ["intermediate", "model_input", "feature", "models", "reporting"]
FOLDER_LAYERS = {
    "01_raw": "raw",
    "02_intermediate": "intermediate",
    "03_primary": "primary",
    "04_feature": "feature",
    "05_model_input": "model_input",
    "06_models": "models",
    "07_model_output": "model_output",
    "08_reporting": "reporting",
}
#: The only requests the static site may fail offline: Google's web font (system fonts stand
#: in) and `kedro viz run`'s server-only /api/metadata (the app draws without it).
OPTIONAL_REQUESTS = ("fonts.googleapis.com", "/api/metadata", "metadata fetch error")
#: kedro-viz's saved settings: no onboarding tour, no minimap over the flowchart.
VIEW = {"showFeatureHints": False, "visible": {"miniMap": False}}
WINDOW = (1400, 1300)  # the whole default pipeline, legible


def expected_layer(name: str, entry: dict) -> str | None:
    """The layer of catalog entry ``name``: its data/ folder's; MLflow-only metrics report;
    ``{variant}.reports`` (train's sample-grid folder, an input of train) has none."""
    if name == "{variant}.reports":
        return None
    folder = re.search(r"data/(0\d_[a-z_]+)/", json.dumps(entry))
    return FOLDER_LAYERS[folder.group(1)] if folder else "reporting"


def test_every_catalog_entry_has_its_folders_layer():
    catalog = yaml.safe_load((REPO / "conf" / "base" / "catalog.yml").read_text())
    for name, entry in catalog.items():
        layer = entry.get("metadata", {}).get("kedro-viz", {}).get("layer")
        assert layer == expected_layer(name, entry), name
        if "data/" not in json.dumps(entry):
            assert entry["type"].startswith("kedro_mlflow.io.metrics."), name


def make(run_cmd: Callable, project: Path, target: str, check: bool = True):
    """``make <target>`` of the project's Makefile, run in ``project`` with this venv."""
    makefile = str(REPO / "Makefile")
    setup = ("-o", ".venv/.installed", f"BIN={BIN}")  # set up already
    return run_cmd(project, "make", "-f", makefile, *setup, target, check=check)


@pytest.fixture(scope="module")
def site(tmp_path_factory, make_project, run_cmd) -> Path:
    """`make viz-build`'s static site (build/) of a tiny copy of the project."""
    project = make_project(tmp_path_factory.mktemp("viz"))
    make(run_cmd, project, "viz-build")
    return project / "build"


@pytest.fixture(scope="module")
def site_url(site: Path) -> Iterator[str]:
    """The site served over http on a free loopback port, as any static web server would."""
    with served_folder(site) as url:
        yield url


def test_site_data_draws_the_default_pipeline_by_layer_and_variant_group(site):
    main = json.loads((site / "api" / "main").read_text())
    default = register_pipelines()["__default__"]
    assert main["selected_pipeline"] == "__default__"
    assert main["layers"] == LAYERS  # top to bottom; kedro-viz drops them all on a cycle
    tasks = {n["full_name"]: n for n in main["nodes"] if n["type"] == "task"}
    assert tasks.keys() == {node.name for node in default.nodes}
    layers = {n["name"]: n["layer"] for n in main["nodes"] if n["type"] == "data"}
    assert layers.keys() == {d for d in default.datasets() if not d.startswith("params:")}
    assert layers["raw_data"] == "intermediate" and layers["feature_extractor"] == "feature"
    assert layers["dcgan.generator"] == "models"  # a "{variant}.*" factory pattern's metadata
    assert layers["dcgan.metrics"] == layers["dcgan.mlflow_metrics"] == "reporting"
    group = main["modular_pipelines"]["dcgan"]  # the variant's namespace: one group
    assert {"id": "dcgan", "type": "modularPipeline"} in main["modular_pipelines"]["__root__"][
        "children"
    ]
    assert {c["id"] for c in group["children"] if c["type"] == "task"} == {
        n["id"] for n in tasks.values() if n["modular_pipelines"] == ["dcgan"]
    }
    assert {tasks[f"dcgan.{step}"]["tags"][0] for step in ("train", "evaluate")} == {
        "unconditional"
    }
    assert {tag["id"] for tag in main["tags"]} == FAMILIES.keys()  # the Tags filter


def texts(browser, css: str) -> list[str]:
    return [element.text for element in browser.find_elements(By.CSS_SELECTOR, css)]


def settled(browser, css: str) -> Callable:
    """A wait condition: the ``transform`` of ``css`` is the same as at the last poll (the
    flowchart's zoom-to-fit has ended)."""
    last: list[str | None] = [None]

    def check(_) -> bool:
        now = browser.find_element(By.CSS_SELECTOR, css).get_attribute("transform")
        done, last[0] = now == last[0], now
        return done

    return check


def test_static_site_shows_the_default_pipeline_offline(browser, screenshot, site_url):
    size = browser.get_window_size()
    browser.get_log("browser")  # earlier pages' messages
    browser.get(site_url + "favicon.ico")  # the site's origin, for its saved settings
    browser.execute_script("localStorage.setItem('KedroViz', arguments[0])", json.dumps(VIEW))
    browser.set_window_size(*WINDOW)
    try:
        browser.get(site_url + "?pid=__default__")
        wait = WebDriverWait(browser, 60)
        wait.until(lambda b: texts(b, ".pipeline-layer-name") == LAYERS)
        wait.until(lambda b: "dcgan" in texts(b, "[data-node-type=modularPipeline]"))
        WebDriverWait(browser, 60, poll_frequency=0.5).until(settled(browser, "#zoom-wrapper"))
        screenshot(browser, "kedro-viz")
        labels = set(texts(browser, ".pipeline-node"))
        filters = {e.get_attribute("title") for e in browser.find_elements(By.CSS_SELECTOR, "li")}
        selected = texts(browser, "[data-test=kedro-pipeline-selector] .dropdown__label")
        failed = [
            entry["message"]
            for entry in browser.get_log("browser")
            if entry["level"] == "SEVERE"
            and not any(url in entry["message"] for url in OPTIONAL_REQUESTS)
        ]
    finally:
        browser.set_window_size(size["width"], size["height"])
    assert selected == ["__default__"]
    shared = {"ingest_dataset", "preprocess", "dataset_card", "fit_feature_extractor"}
    assert shared | {"raw_data", "model_input", "feature_extractor", "dcgan"} <= labels
    assert not {"train", "evaluate", "register"} & labels  # collapsed into the dcgan group
    assert {"dcgan.report", "dcgan.registration"} <= labels  # the group's results, below it
    assert {name.replace("_", " ").title() for name in FAMILIES} <= filters  # Tags filter
    assert not failed, failed  # every script, style sheet and data file came from the build


@pytest.mark.slow
def test_viz_build_of_a_broken_project_fails_in_one_line(tmp_path, make_project, run_cmd):
    project = make_project(tmp_path)
    params = project / "conf" / "base" / "parameters_dcgan.yml"
    params.write_text(params.read_text() + "dcgan: {train: [unclosed\n")
    earlier = project / "build" / "api" / "main"  # an earlier build's site
    earlier.parent.mkdir(parents=True)
    earlier.write_text("{}")
    proc = make(run_cmd, project, "viz-build", check=False)
    output = proc.stdout
    assert proc.returncode == 2, output  # kedro viz build itself exits 0
    assert "Traceback" not in output and len(output.splitlines()) < 10, output
    assert "ERROR: Failed to build/deploy Kedro-Viz : Invalid YAML" in output, output
    assert "parameters_dcgan.yml" in output
    assert "ganops: kedro viz build failed (its ERROR above); no site in build/" in output
    assert not earlier.exists()  # no stale site left to be taken for this one
