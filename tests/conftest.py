"""Shared fixtures: small real datasets and tiny configurations, built once per session; and
the run's last line, which says what it skipped and why."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KEDRO_DISABLE_TELEMETRY", "true")
os.environ.setdefault("DVC_NO_ANALYTICS", "1")
os.environ.setdefault("MPLBACKEND", "Agg")

import pytest  # noqa: E402

from ganops.data.sources import load_digits, make_mixture  # noqa: E402
from ganops.data.transforms import PreprocessConfig, to_model_input  # noqa: E402
from skips import skipped_line  # noqa: E402


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_terminal_summary(terminalreporter):
    """After pytest's own summary (its ``-ra`` lines), the skipped checks in one line."""
    result = yield
    terminalreporter.write_line(skipped_line(terminalreporter.stats))
    return result


@pytest.fixture(scope="session")
def digits_input() -> dict:
    raw = load_digits()
    raw["meta"]["dataset"] = "digits"
    return to_model_input(raw, PreprocessConfig(image_size=16))


@pytest.fixture(scope="session")
def ring_input() -> dict:
    raw = make_mixture("ring", modes=8, n=2000, std=0.02, radius=2.0, seed=0)
    raw["meta"]["dataset"] = "ring8"
    return to_model_input(raw, PreprocessConfig())


@pytest.fixture(scope="session")
def inputs(digits_input, ring_input) -> dict:
    return {"images": digits_input, "points": ring_input}


@pytest.fixture(scope="session")
def digits_extractor(digits_input):
    """A small domain classifier (a few epochs) and the reference features it gives."""
    from ganops.evaluation.evaluate import reference_set
    from ganops.evaluation.features import ClassifierConfig, train_classifier

    classifier, info = train_classifier(digits_input, ClassifierConfig(epochs=8))
    reference = reference_set(digits_input, classifier)
    reference["meta"] = {**info, "samples": len(digits_input["x_train"])}
    return classifier, reference


@pytest.fixture(scope="session")
def paired_inputs() -> dict:
    """The embedded photo patches (few of them) as each derived paired dataset, by task:
    gray -> colour 16x16, 4x super-resolution 4x4 -> 16x16, a 4x4 hole in 16x16."""
    from ganops.data.sources import ingest

    tasks = {
        "colorize": {"task": "colorize", "size": 16},
        "super_resolution": {"task": "super_resolution", "size": 16, "factor": 4},
        "inpaint": {"task": "inpaint", "size": 16, "hole": 4},
    }
    source = {"format": "photos", "patch": 32, "patches_per_photo": 6, "test_photos": 2}
    return {
        task: to_model_input(
            ingest(f"photos_{task}", {**source, "pairs": pairs}), PreprocessConfig()
        )
        for task, pairs in tasks.items()
    }


@pytest.fixture(scope="session")
def unpaired_inputs() -> dict:
    """The embedded unpaired datasets as model input: digits <-> digits-M (16x16) and a few
    photo <-> cartoon patches (16x16)."""
    from ganops.data.sources import ingest

    digits = ingest("digits_m", {"format": "digits_m"})
    cartoon = ingest("photos_cartoon", {"format": "cartoon", "patch": 16, "patches_per_photo": 12})
    return {
        "digits_m": to_model_input(digits, PreprocessConfig(image_size=16)),
        "photos_cartoon": to_model_input(cartoon, PreprocessConfig(image_size=16)),
    }


@pytest.fixture(scope="session")
def team_server(tmp_path_factory):
    """A real PostgreSQL (a throw-away cluster) and a real ``mlflow server`` on it with proxied
    artifacts and basic authentication, both on loopback, shared by the session's tests
    (``make server``'s own code; each test registers its own model names). This process
    talks to it as the admin (MLflow reads ``MLFLOW_TRACKING_USERNAME``/``_PASSWORD``)."""
    import shutil
    import tempfile
    from pathlib import Path
    from types import SimpleNamespace

    from ganops.serving.loadtest import free_port
    from ganops.tracking.team import (
        ADMIN,
        Auth,
        Cluster,
        PostgresMissing,
        postgres,
        postgres_program,
    )
    from ganops.tracking.team import tracking_server as mlflow_server

    try:
        postgres_program("initdb")
    except PostgresMissing as err:  # CI installs it (.ci/run): there, its absence fails
        (pytest.fail if os.environ.get("CI") else pytest.skip)(str(err))
    folder = Path(tempfile.mkdtemp(prefix="ganops-pg-"))  # not under pytest's root-only folder
    cluster = Cluster(folder, free_port(), password="s3cr3t", throwaway=True)
    store = tmp_path_factory.mktemp("team")  # the server's artifacts, log and users
    auth = Auth(store / "auth")
    password = auth.admin_password()
    artifacts, log = str(store / "artifacts"), store / "log"
    try:
        with (
            pytest.MonkeyPatch.context() as env,
            postgres(cluster),
            mlflow_server(cluster.uri, artifacts, free_port(), log, auth=auth) as uri,
        ):
            env.setenv("MLFLOW_TRACKING_USERNAME", ADMIN)
            env.setenv("MLFLOW_TRACKING_PASSWORD", password)
            yield SimpleNamespace(
                uri=uri, cluster=cluster, artifacts=store / "artifacts", admin=(ADMIN, password)
            )
    finally:
        shutil.rmtree(cluster.folder, ignore_errors=True)


#: Headless Chromium in a container: no sandbox (root), no GPU, no shared-memory limit, and no
#: traffic of its own (the views must render from loopback and local files alone).
CHROMIUM_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-default-apps",
    "--disable-extensions",
    "--disable-sync",
    "--no-first-run",
    "--window-size=1400,1000",
)


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium (Debian's ``chromium`` and ``chromium-driver``), shared by the
    tests that look at a view as a person would."""
    import shutil

    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    driver = shutil.which("chromedriver")
    if driver is None:  # CI installs it (.ci/run): there, its absence fails
        message = "headless Chromium missing: apt-get install chromium-driver"
        (pytest.fail if os.environ.get("CI") else pytest.skip)(message)
    options = webdriver.ChromeOptions()
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    chromium = webdriver.Chrome(options=options, service=Service(driver))
    chromium.set_page_load_timeout(60)
    try:
        yield chromium
    finally:
        chromium.quit()


@pytest.fixture(scope="session")
def screenshot():
    """``screenshot(browser, "name")``: a PNG of the page in ``$GANOPS_SCREENSHOTS`` when set
    (``make screenshots`` sets it to docs/screenshots; tests never depend on it)."""
    from pathlib import Path

    def take(chromium, name: str) -> None:
        folder = os.environ.get("GANOPS_SCREENSHOTS")
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
            chromium.save_screenshot(str(Path(folder) / f"{name}.png"))

    return take
