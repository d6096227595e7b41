# Two commands on a fresh machine: `make run` and `make test` (both set up .venv first).
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
AIRFLOW_VENV  := .venv-airflow
AIRFLOW_STAMP := $(AIRFLOW_VENV)/.installed
AIRFLOW_DAGS  ?= airflow_dags
PIPELINE      ?= retrain
SERVER_HOST   ?= 127.0.0.1
SERVER_PORT   ?= 5000
VIZ_PORT      ?= 4141
UV_VERSION    := 0.13.9
# kedro-viz 12.5 imports a response class FastAPI deprecates: mute its 20-line notice.
VIZ_QUIET     := PYTHONWARNINGS="ignore:ORJSONResponse is deprecated"
#: The Markdown files with generated tables (<!-- table: NAME --> blocks): a folder, its *.md files.
TABLE_FILES   := README.md docs
#: The tests that look at each view in headless Chromium (and take the README's screenshots).
VIEW_TESTS    := tests/e2e/test_viz.py::test_static_site_shows_the_default_pipeline_offline \
  tests/e2e/test_dvc_plots_page.py::test_plots_diff_page_renders_offline_with_both_revisions \
  tests/e2e/test_kedro_run.py::test_mlflow_ui_lists_the_run_and_the_champion_with_its_description
export KEDRO_DISABLE_TELEMETRY := true
export DVC_NO_ANALYTICS := 1
export NO_MKDOCS_2_WARNING := 1
export TF_CPP_MIN_LOG_LEVEL := 3
export MPLBACKEND := Agg

.PHONY: help setup run test test-all soak bench repro tables lint lock clean airflow-dag airflow-venv server push pull viz viz-build screenshots docs

help:                  ## these targets and what each does
	@grep -E '^[a-z-]+:.*## ' $(firstword $(MAKEFILE_LIST)) | sed -E 's/^([a-z-]+):[^#]*## /\1\t/' | expand -t 15

setup: $(STAMP)        ## the virtual environment .venv from requirements.lock (every target does it first)

# Every package installed is checked against the locks' hashes, uv itself included; the project
# is built by the locked setuptools (no build isolation: nothing fetched unhashed).
$(STAMP): requirements.lock requirements-uv.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check --require-hashes --no-deps -r requirements-uv.lock
	$(BIN)/uv pip install -q --python $(BIN)/python --require-hashes -r requirements.lock
	$(BIN)/uv pip install -q --python $(BIN)/python --no-deps --no-build-isolation -e .
	$(BIN)/python -m ganops.tracking.dvc_plots template .dvc/plots_template.html  # `dvc plots`, offline
	touch $@

run: $(STAMP)          ## the default job: DCGAN on the embedded digits, logged to MLflow
	$(BIN)/kedro run

test: $(STAMP)         ## the default suite (slow end-to-end runs excluded); ARGS="tests/x.py -k y" narrows it
	$(BIN)/pytest $(ARGS)

test-all: $(STAMP)     ## everything, slow end-to-end runs included
	$(BIN)/pytest -m ''

soak: $(STAMP)         ## fault and load soaks -> data/08_reporting/soak/*.json (minutes)
	$(BIN)/pytest -m soak

bench: $(STAMP)        ## throughput, seconds per stage, peak memory -> data/08_reporting/bench.json
	$(BIN)/python -m ganops.bench

repro: $(STAMP)        ## dvc repro: rerun the stages whose code, data or parameters changed, publish to reference/; then the tables
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/dvc repro   # its stages call `kedro`
	$(MAKE) tables

tables: $(STAMP)       ## the reference tables of README.md and docs/, rewritten from reference/ and the studies' summaries
	$(BIN)/python -m ganops.tracking.readme_tables $(TABLE_FILES)

viz: $(STAMP)          ## kedro-viz: the pipelines by layer, a group per variant, a tag per family (VIZ_PORT)
	$(VIZ_QUIET) $(BIN)/kedro viz run --host 127.0.0.1 --port $(VIZ_PORT) --no-browser

viz-build: $(STAMP)    ## kedro-viz as a static site in build/ (any web server serves it, offline)
	rm -rf build/api  # kedro viz build exits 0 even when it fails: its site's data tells
	$(VIZ_QUIET) $(BIN)/kedro viz build
	@test -f build/api/main || { echo "ganops: kedro viz build failed (its ERROR above); no site in build/" >&2; exit 2; }

screenshots: $(STAMP)  ## the pictures of kedro-viz, DVC plots and the MLflow UI -> docs/screenshots/ (the view tests)
	GANOPS_SCREENSHOTS=docs/screenshots $(BIN)/pytest -q $(VIEW_TESTS)

airflow-dag: $(STAMP)  ## regenerate airflow_dags/ganops_$(PIPELINE)_dag.py from the pipeline
	$(BIN)/kedro airflow create --pipelines $(PIPELINE) --group-by namespace \
	  --jinja-file airflow_dags/dag_template.j2 --target-dir $(AIRFLOW_DAGS)

airflow-venv: $(AIRFLOW_STAMP)  ## Airflow alone in .venv-airflow (its pins clash with the project's)

$(AIRFLOW_STAMP): airflow_dags/requirements.lock | $(STAMP)
	rm -rf $(AIRFLOW_VENV)
	$(PYTHON) -m venv --without-pip $(AIRFLOW_VENV)
	$(BIN)/uv pip install -q --python $(AIRFLOW_VENV)/bin/python --require-hashes -r airflow_dags/requirements.lock
	touch $@

server: $(STAMP)       ## the team's MLflow server: PostgreSQL + proxied artifacts (SERVER_HOST/PORT; MLFLOW_BACKEND_STORE_URI, MLFLOW_ARTIFACTS_DESTINATION)
	$(BIN)/python -m ganops.tracking.team --host $(SERVER_HOST) --port $(SERVER_PORT)

push: $(STAMP)         ## dvc push: data, checkpoints, extractors, generators to the DVC remote (REMOTE=name, else the default)
	$(BIN)/python -m ganops.tracking.remote push $(REMOTE)

pull: $(STAMP)         ## dvc pull from the DVC remote, checked first; then `make repro` reruns only what changed
	$(BIN)/python -m ganops.tracking.remote pull $(REMOTE)

lint: $(STAMP)         ## ruff, and the tables of README.md and docs/ against the working tree's reports
	$(BIN)/ruff check src tests docs
	$(BIN)/ruff format --check src tests docs
	$(BIN)/python -m ganops.tracking.readme_tables --check $(TABLE_FILES)

docs: $(STAMP)         ## the documentation site, offline, in build/site (mkdocs build --strict); notebooks run first when a model is registered
	$(BIN)/python docs/notebooks.py build/notebooks
	GANOPS_DOCS_NOTEBOOKS=build/notebooks $(BIN)/mkdocs build --strict --site-dir build/site

lock:                  ## re-resolve the locks (with hashes) from pyproject.toml, airflow_dags/requirements.in and UV_VERSION
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 --generate-hashes -o requirements.lock
	$(BIN)/uv pip compile airflow_dags/requirements.in --python-version 3.11 --generate-hashes -o airflow_dags/requirements.lock
	echo "uv==$(UV_VERSION)" | $(BIN)/uv pip compile - --python-version 3.11 --generate-hashes --no-header -o requirements-uv.lock

clean:                 ## remove both virtual environments and pytest's cache
	rm -rf $(VENV) $(AIRFLOW_VENV) .pytest_cache
