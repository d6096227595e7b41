"""What a user sees: errors ganops raises on purpose are one line, a fresh clone is quiet."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from kedro.framework.cli.project import run as kedro_run
from kedro.framework.cli.utils import find_run_command
from kedro.framework.project import pipelines
from kedro.io import DatasetError
from PIL import Image

from ganops import cli
from ganops.console import main
from ganops.errors import DataError

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
#: What a new user's shell has: none of the quieting variables the Makefile exports, no
#: tracking store of its own.
FRESH_SHELL = {
    k: v
    for k, v in os.environ.items()
    if k
    not in (
        "KEDRO_DISABLE_TELEMETRY",
        "DO_NOT_TRACK",
        "TF_CPP_MIN_LOG_LEVEL",
        "MLFLOW_TRACKING_URI",
    )
}


def failing(error: Exception) -> click.Command:
    def fail() -> None:
        raise error

    return click.Command("fail", callback=cli.one_line_errors(fail))


def test_an_error_ganops_raises_on_purpose_is_one_line_and_status_2():
    result = CliRunner().invoke(failing(DataError("raw/x.npz: x_train contains NaN")))
    assert result.exit_code == 2
    assert result.output.strip() == "ganops: DataError: raw/x.npz: x_train contains NaN"


def wrapped_by_kedro(error: Exception) -> DatasetError:
    """What Kedro raises when a dataset's ``load`` raised ``error``."""
    try:
        try:
            raise error
        except Exception as err:
            raise DatasetError("Failed while loading data from dataset ArraysDataset(...)") from err
    except DatasetError as wrapped:
        return wrapped


def test_an_error_of_ours_that_kedro_wrapped_is_still_one_line():
    missing = DataError("data/01_raw/digits.npz: no such file (run the pipeline that makes it)")
    result = CliRunner().invoke(failing(wrapped_by_kedro(missing)))
    assert result.exit_code == 2
    assert result.output.strip() == f"ganops: DataError: {missing}"


def test_a_dataset_bug_that_kedro_wrapped_keeps_its_traceback():
    result = CliRunner().invoke(failing(wrapped_by_kedro(ZeroDivisionError("a bug"))))
    assert isinstance(result.exception, DatasetError)
    assert isinstance(result.exception.__cause__, ZeroDivisionError)


def test_a_bug_keeps_its_traceback():
    result = CliRunner().invoke(failing(ZeroDivisionError("a bug")))
    assert isinstance(result.exception, ZeroDivisionError)


def test_kedro_runs_the_projects_run_with_kedros_options():
    assert find_run_command("ganops") is cli.run
    assert [p.name for p in cli.run.params] == [p.name for p in kedro_run.params]


def test_kedro_airflow_create_names_an_unknown_pipeline_before_writing(tmp_path: Path):
    pipelines.configure("ganops.pipeline_registry")  # as `kedro` does in the project
    target = tmp_path / "dags"
    args = ["airflow", "create", "--pipelines", "retrain,nope", "--target-dir", str(target)]
    result = CliRunner().invoke(cli.cli, args)
    assert result.exit_code == 2, result.output
    line, *rest = result.output.splitlines()
    assert line.startswith("ganops: ConfigError: unknown pipeline 'nope'; known: __default__, ")
    assert "retrain" in line.split("known: ")[1].split(", ")
    assert not rest and not target.exists()  # one line, and nothing written


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--pipelines", "nope"], "unknown pipeline 'nope'; known: __default__, "),
        (
            ["--pipelines", "register", "--namespaces", "dcgna"],
            "unknown namespace 'dcgna' in pipeline register; known: acgan, ",
        ),
    ],
)
def test_kedro_run_names_an_unknown_pipeline_or_variant_in_one_line(args, message):
    pipelines.configure("ganops.pipeline_registry")  # as `kedro` does in the project
    result = CliRunner().invoke(cli.cli, ["run", *args])
    assert result.exit_code == 2, result.output
    assert result.output.startswith(f"ganops: ConfigError: {message}")
    assert len(result.output.splitlines()) == 1


def test_the_ganops_command_without_a_registry_is_one_line(tmp_path: Path):
    proc = subprocess.run(
        [str(BIN / "ganops"), "generate", "--model", "ganops-dcgan-digits"],
        cwd=tmp_path,
        env=FRESH_SHELL,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [
        "ganops: MLflow tracking database sqlite:///mlflow.db does not exist: run from the "
        "project folder or give --tracking-uri"
    ]
    assert not list(tmp_path.iterdir())  # no empty registry made on the way


@pytest.fixture(scope="module")
def registry_list() -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "kedro"), "registry", "list"],
        cwd=REPO,
        env=FRESH_SHELL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=300,
    )


def test_kedro_in_a_fresh_shell_prints_only_what_was_asked(registry_list):
    """No telemetry notice (.telemetry), no TensorFlow start-up lines, no third-party
    deprecation notes (ganops.quiet): only the pipelines."""
    assert registry_list.returncode == 0, registry_list.stdout
    lines = registry_list.stdout.strip().splitlines()
    assert "- __default__" in lines
    assert all(line.startswith("- ") for line in lines), registry_list.stdout


def test_an_output_the_ganops_command_could_not_write_is_refused_first(
    tmp_path, capsys, monkeypatch
):
    for folder, names in {"in": ["a.png"], "dup": ["a.png", "a.jpg"]}.items():
        (tmp_path / folder).mkdir()
        for name in names:
            Image.new("L", (8, 8)).save(tmp_path / folder / name)
    (tmp_path / "afile").write_text("x")
    nowhere = ["--model", "m", "--tracking-uri", f"sqlite:///{tmp_path}/none/mlflow.db"]
    cases = {
        ("generate", "--output", "samples"): "--output samples: give an image file name",
        ("generate", "-o", "in"): "--output in: give an image file name",
        ("translate", "--input", "in/a.png", "--output", "in"): "--output in: a folder",
        ("translate", "--input", "in", "--output", "afile"): "--output afile: a file",
        ("translate", "--input", "dup", "--output", "out"): "dup: several images named a.*",
    }
    monkeypatch.chdir(tmp_path)
    for args, message in cases.items():
        assert main([*args, *nowhere]) == 2
        assert capsys.readouterr().err.startswith(f"ganops: {message}")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile", "dup", "in"]  # none written


def test_make_help_lists_every_target_with_what_it_does():
    makefile = (REPO / "Makefile").read_text()
    phony = next(line for line in makefile.splitlines() if line.startswith(".PHONY:"))
    listed = subprocess.run(
        ["make", "--no-print-directory", "-f", str(REPO / "Makefile"), "help"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    described = {line.split()[0]: line.split(None, 1)[1] for line in listed}
    assert set(phony.split()[1:]) <= set(described), phony
    assert described["run"].startswith("the default job")


def test_version_is_the_installed_package_s(capsys):
    from importlib.metadata import version

    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out.strip() == f"ganops {version('ganops')}"
