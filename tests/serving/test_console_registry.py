"""`ganops models` and what `ganops serve` checks in the registry, on the serving tests' store
(tiny untrained GAN, CGAN and InfoGAN, each the champion of `ganops-<variant>-digits`); a
real `ganops serve` answering requests: tests/e2e/test_serve.py."""

import re
from datetime import datetime

import mlflow
from mlflow import MlflowClient

from ganops.console import main
from ganops.overview import models_table
from ganops.serving.loadtest import free_port


def test_models_lists_each_model_its_champion_and_its_primary_metric(tracking_uri, capsys):
    assert main(["models", "--tracking-uri", tracking_uri]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert re.split(r"\s{2,}", lines[0]) == [
        "MODEL",
        "VERSIONS",
        "CHAMPION",
        "PRIMARY METRIC",
        "TRAINED",
    ]
    found = {cells[0]: cells for cells in (re.split(r"\s{2,}", line) for line in lines[1:])}
    assert list(found) == sorted(found)  # by name
    today = datetime.now().strftime("%Y-%m-%d")
    for variant in ("gan", "cgan", "infogan"):  # registered scored fid 1.0 (stores.register_tiny)
        name, versions, champion, metric, trained = found[f"ganops-{variant}-digits"]
        assert (versions, champion, metric) == ("1", "v1", "fid 1 ↓")
        assert trained.startswith(today)


def test_a_model_without_a_champion_says_so(tracking_uri):
    mlflow.set_tracking_uri(tracking_uri)
    client = MlflowClient()
    client.create_registered_model("ganops-nochamp-digits")
    row = next(line for line in models_table(tracking_uri).splitlines() if "nochamp" in line)
    assert re.split(r"\s{2,}", row) == ["ganops-nochamp-digits", "0", "none", "-", "-"]


def serve(tracking_uri: str, *options: str) -> list[str]:
    port = str(free_port())
    return ["serve", "--tracking-uri", tracking_uri, "--port", port, *options]


def test_serve_names_a_missing_model_in_one_line_before_starting(tracking_uri, capsys):
    assert main(serve(tracking_uri, "--model", "ganops-nope-digits")) == 2
    assert capsys.readouterr().err == (
        f"ganops: no model ganops-nope-digits in {tracking_uri}: ganops models lists the "
        "registered ones\n"
    )


def test_serve_names_a_missing_alias_and_the_model_s_aliases(tracking_uri, capsys):
    assert main(serve(tracking_uri, "--model", "ganops-gan-digits", "--alias", "best")) == 2
    assert capsys.readouterr().err == (
        "ganops: ganops-gan-digits has no version aliased 'best' (its aliases: challenger, "
        "champion)\n"
    )
