"""The monitor on the book's failure configurations as shipped, and on a healthy run."""

from pathlib import Path

import pytest
import yaml

from ganops.evaluation.evaluate import mode_coverage
from ganops.training.run import train_run

CONF = Path(__file__).resolve().parents[2] / "conf" / "base"
STEPS = 1250  # one sample check, right after the warm-up


def shipped(name: str) -> dict:
    """The ``name`` block of ``conf/base/parameters_<name>.yml``."""
    return yaml.safe_load((CONF / f"parameters_{name}.yml").read_text())[name]


def short_run(name, digits_input, digits_extractor, folder):
    params = shipped(name)
    train = {**params["train"], "steps": STEPS, "progress_bar": False, "batch_size": 32}
    coverage = mode_coverage(digits_extractor[0], digits_input["meta"])
    return train_run(
        digits_input,
        name,
        params["model"],
        train,
        folder / "checkpoints",
        folder / "reports",
        coverage=coverage,
    )


@pytest.mark.parametrize(
    ("name", "failure"),
    [("mode_collapse", "mode_coverage_collapsed"), ("convergence_failure", "discriminator_wins")],
)
def test_detectors_fire_on_the_books_failure_configurations(
    name, failure, digits_input, digits_extractor, tmp_path
):
    result = short_run(name, digits_input, digits_extractor, tmp_path)
    assert failure in result.summary["failures"], result.summary["failures"]
    resumed = short_run(name, digits_input, digits_extractor, tmp_path)  # finished: no steps
    assert resumed.summary["failures"] == result.summary["failures"]


@pytest.mark.slow  # every default-suite run has the monitor on, and none may warn
def test_detectors_stay_quiet_on_a_healthy_run(digits_input, digits_extractor, tmp_path):
    result = short_run("dcgan", digits_input, digits_extractor, tmp_path)
    assert result.summary["failures"] == {}
