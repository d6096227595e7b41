"""The `ganops` command's questions that need no registered model: the variants, the
datasets, which tracking store, what `--help` says, and what `ganops serve` refuses first."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import numpy as np
import pytest

from ganops.console import DEFAULT_TRACKING_URI, main, parser, tracking_store
from ganops.overview import (
    aligned,
    datasets_table,
    project_root,
    reproduced_on,
    variants_table,
)
from ganops.serving.loadtest import free_port
from ganops.serving.rest import is_loopback, serve_command, serve_env
from ganops.variants import FAMILIES, TRANSLATION, VARIANTS

REPO = Path(__file__).resolve().parents[1]


def rows(table: str) -> dict[str, list[str]]:
    """A table's rows by their first cell (cells: two spaces or more apart)."""
    import re

    lines = table.split("\n\n")[0].splitlines()[1:]
    return {cells[0]: cells for cells in (re.split(r"\s{2,}", line) for line in lines)}


@pytest.fixture
def variants_here(monkeypatch) -> dict[str, list[str]]:
    monkeypatch.delenv("COLUMNS", raising=False)  # output captured: nothing clipped
    return rows(variants_table(REPO))


def test_variants_lists_every_variant_with_its_family_data_and_dataset(variants_here):
    assert list(variants_here) == list(VARIANTS)
    translation = reproduced_on(REPO)  # dvc.yaml's: what `dvc repro` trains each on
    assert set(translation) == set(TRANSLATION)
    for name, (_, family, data, dataset, summary) in variants_here.items():
        assert name in FAMILIES[family]
        assert data == ", ".join(VARIANTS[name].DATA_KINDS)
        assert dataset == translation.get(name, "digits"), name
        assert summary and "\n" not in summary
    assert variants_here["pix2pix"][2:4] == ["pairs", "photos_color"]
    assert variants_here["cyclegan"][2:4] == ["unpaired", "mnist5k_m"]
    assert variants_here["gan"][4] == "Vanilla GAN (book Skill 2): MLP generator and discriminator."
    # an experiment is the GAN's module: its summary is its parameters file's
    assert variants_here["mode_collapse"][4].startswith("The book's mode-collapse experiment")


def test_a_long_summary_is_clipped_to_the_terminal(monkeypatch):
    monkeypatch.setenv("COLUMNS", "130")
    table = variants_table(REPO).split("\n\n")[0]
    assert max(len(line) for line in table.splitlines()) <= 130
    assert "…" in rows(table)["srgan"][4]


def test_variants_outside_a_project_leave_the_datasets_out(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["variants"]) == 0
    out = capsys.readouterr().out
    assert set(cells[3] for cells in rows(out).values()) == {"-"}
    assert "run this from the project folder" in out


def small_project(folder: Path) -> Path:
    """A project folder with two datasets, one of them preprocessed."""
    (folder / "conf/base").mkdir(parents=True)
    (folder / "conf/local").mkdir()
    (folder / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    (folder / "conf/base/globals.yml").write_text("dataset: digits\n")
    (folder / "conf/base/parameters.yml").write_text(
        "dataset: ${runtime_params:dataset,${globals:dataset}}\n"
    )
    (folder / "conf/base/parameters_preprocess.yml").write_text("preprocess: {image_size: 16}\n")
    datasets = {
        "digits": {"format": "digits"},
        "ring8": {"format": "mixture", "layout": "ring", "modes": 8, "std": 0.1, "radius": 2},
        "photos_sr": {
            "format": "photos",
            "patch": 32,
            "pairs": {"task": "super_resolution", "size": 32, "factor": 4},
        },
        "mnist": {"format": "idx", "path": "data/01_raw/mnist", "image_size": 28},
        "horses": {"format": "cyclegan", "path": "data/01_raw/horses", "image_size": 64},
    }
    (folder / "conf/base/parameters_ingest.yml").write_text(json.dumps({"datasets": datasets}))
    (folder / "data/01_raw/horses").mkdir(parents=True)
    (folder / "data/05_model_input").mkdir(parents=True)
    meta = {"n_train": 1617, "n_test": 180, "sample_shape": [16, 16, 1]}
    np.savez_compressed(
        folder / "data/05_model_input/digits.npz",
        x_train=np.zeros((2, 16, 16, 1)),
        meta=np.asarray(json.dumps(meta)),
    )
    return folder


def test_datasets_says_kind_size_what_is_ingested_and_where_each_comes_from(tmp_path):
    project = small_project(tmp_path / "project")
    table = datasets_table(project)
    found = rows(table)
    assert list(found) == ["digits *", "ring8", "photos_sr", "mnist", "horses"]
    assert found["digits *"][1:5] == ["images", "digits", "16x16", "1,617 + 180 test of 16x16x1"]
    assert found["digits *"][5] == "embedded: scikit-learn's bundled digits."
    assert found["ring8"][1:5] == ["points", "mixture", "2-D points", "not ingested yet"]
    assert found["photos_sr"][1:4] == ["pairs", "photos", "8x8 -> 32x32"]
    assert found["mnist"][1:4] == ["images", "idx", "28x28"]
    assert found["mnist"][5] == "data/01_raw/mnist (not there)"
    assert found["horses"][1:6] == [
        "unpaired",
        "cyclegan",
        "64x64",
        "not ingested yet",
        "data/01_raw/horses",
    ]
    assert "* the project's dataset" in table


def test_datasets_reads_the_project_from_a_folder_below_it(tmp_path, monkeypatch, capsys):
    project = small_project(tmp_path / "project")
    (project / "notebooks").mkdir()
    monkeypatch.chdir(project / "notebooks")
    assert project_root() == project.resolve()
    assert main(["datasets"]) == 0
    assert "digits *" in capsys.readouterr().out


def test_datasets_outside_a_project_is_one_line(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["datasets"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("ganops: not in a ganops project: no folder with pyproject.toml")
    assert len(err.splitlines()) == 1


def test_aligned_columns_are_as_wide_as_their_widest_cell():
    assert aligned(["A", "BB"], [["xyz", "1"], ["x", "22"]]).splitlines() == [
        "A    BB",
        "xyz  1",
        "x    22",
    ]


def test_the_tracking_store_is_the_flag_else_the_environment_else_the_project_s(monkeypatch):
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    assert tracking_store(None) == DEFAULT_TRACKING_URI == "sqlite:///mlflow.db"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "sqlite:///team.db")
    assert tracking_store(None) == "sqlite:///team.db"
    assert tracking_store("sqlite:///mine.db") == "sqlite:///mine.db"
    help_text = " ".join(help_of("models").split())
    assert "(default: $MLFLOW_TRACKING_URI when set, else sqlite:///mlflow.db" in help_text


def test_models_reads_the_store_mlflow_tracking_uri_names(tmp_path, monkeypatch, capsys):
    (tmp_path / "team.db").touch()  # an empty database: MLflow makes its tables
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path}/team.db")
    monkeypatch.chdir(tmp_path)
    assert main(["models"]) == 0
    out = capsys.readouterr().out
    assert out == (
        f"no registered models in sqlite:///{tmp_path}/team.db (kedro run trains, "
        "evaluates and registers them)\n"
    )
    assert not (tmp_path / "mlflow.db").exists()  # not the default store


def help_of(*command: str) -> str:
    sub = parser()
    for name in command:
        action = next(a for a in sub._actions if a.dest in ("command", "tool"))
        sub = action.choices[name]
    return sub.format_help()


def test_every_command_s_help_describes_it(monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")
    top = help_of()
    for name in ("models", "variants", "datasets", "generate", "translate", "latent", "serve"):
        assert f"    {name}" in top
        text = help_of(name)
        assert text.startswith(f"usage: ganops {name}")
        assert len(text.split("\n\n")[1]) > 40  # a description, not only the usage
    for tool in ("interpolate", "attribute", "perturb", "truncate"):
        assert "-o FILE, --output FILE" in help_of("latent", tool)
    assert "examples:\n  ganops generate --model ganops-dcgan-digits" in help_of("generate")
    assert "-o FILE, --output FILE" in help_of("generate")
    assert "-o PATH, --output PATH" in help_of("translate")
    assert "--direction {AtoB,BtoA}" in help_of("translate")


def test_one_spelling_of_the_output_flag(capsys):
    for command in (["generate"], ["latent", "truncate"]):
        with pytest.raises(SystemExit):
            parser().parse_args([*command, "--model", "m", "--out", "x.png"])
        assert "unrecognized arguments: --out x.png" in capsys.readouterr().err
    args = parser().parse_args(["latent", "perturb", "--model", "m", "-o", "w.png"])
    assert args.output == Path("w.png")


def test_a_direction_is_one_of_the_two(capsys):
    args = ["translate", "--model", "m", "--input", "a.png", "-o", "b.png"]
    assert parser().parse_args([*args, "--direction", "BtoA"]).direction == "BtoA"
    with pytest.raises(SystemExit):
        parser().parse_args([*args, "--direction", "AB"])
    assert "invalid choice: 'AB' (choose from 'AtoB', 'BtoA')" in capsys.readouterr().err


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20", "example.com", "::"])
def test_serve_refuses_a_host_that_is_not_loopback_in_one_line(host, tmp_path, capsys):
    nowhere = f"sqlite:///{tmp_path}/none/mlflow.db"  # not even read: the host is refused first
    assert main(["serve", "--model", "m", "--host", host, "--tracking-uri", nowhere]) == 2
    err = capsys.readouterr().err
    assert err == (
        f"ganops: --host {host}: not a loopback address; mlflow models serve has no "
        "authentication, so serve on 127.0.0.1 and put an authenticating reverse proxy in "
        "front of it\n"
    )


def test_loopback_hosts():
    assert all(is_loopback(h) for h in ("127.0.0.1", "127.0.0.2", "::1", "localhost"))
    assert not any(is_loopback(h) for h in ("0.0.0.0", "::", "10.0.0.1", "localhost.evil"))


def test_serve_refuses_a_port_in_use(tmp_path, capsys):
    (tmp_path / "mlflow.db").touch()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        store = f"sqlite:///{tmp_path}/mlflow.db"
        assert main(["serve", "--model", "m", "--port", str(port), "--tracking-uri", store]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"ganops: --port {port}: cannot listen on 127.0.0.1 (")
    assert err.endswith("): give another --port\n")


def test_the_server_gets_the_store_in_its_environment_not_its_command_line(monkeypatch):
    secret = "postgresql://ganops:s3cr3t@db:5432/mlflow"
    command = serve_command("127.0.0.1", free_port())
    assert secret not in " ".join(command) and "ganops.serving.app:build" in command
    env = serve_env(secret, "/tmp/model")
    assert env["MLFLOW_TRACKING_URI"] == secret and env["__pyfunc_model_path__"] == "/tmp/model"
    assert env["MLFLOW_ALLOW_PICKLE_DESERIALIZATION"] == "false"


@pytest.mark.parametrize("name", ["GANOPS_SERVE_WORKERS", "GANOPS_MAX_REQUEST_BYTES"])
@pytest.mark.parametrize("value", ["two", "0", "-1"])
def test_a_bad_server_setting_is_one_line_naming_it(monkeypatch, name, value):
    from ganops.errors import GanopsError

    monkeypatch.setenv(name, value)
    with pytest.raises(GanopsError, match=f"{name}='{value}': give a whole number of at least 1"):
        serve_command("127.0.0.1", 5001)
