"""The reference tables of the README and the documentation site come from the committed
reports, never from a hand edit."""

import io
import json
import subprocess
import tarfile
from pathlib import Path

import numpy as np
import pytest

from ganops.errors import DataError
from ganops.tracking import readme_tables
from ganops.tracking.readme_tables import main, regenerate

ROOT = Path(__file__).resolve().parents[2]


#: What the tables are made of: the reports, and what names the variants.
COMMITTED = ["dvc.yaml", "conf/base", "reference", "data/08_reporting"]


def committed_pages() -> list[str]:
    """The Markdown files git holds at HEAD with a table block (the README, docs/...)."""
    found = subprocess.run(
        ["git", "grep", "-l", "--fixed-strings", "<!-- table: ", "HEAD", "--", "*.md"],
        cwd=ROOT, capture_output=True, text=True,
    ).stdout  # fmt: skip
    return [line.removeprefix("HEAD:") for line in found.splitlines()]


def test_the_tables_match_the_committed_reports(tmp_path, monkeypatch, capsys):
    """Checked on what git holds at HEAD, not on the working tree: a run (`make run`, or
    `dvc repro` before `make tables`) changes nothing here (`make lint` checks the working tree)."""
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout: no committed reports to compare")
    pages = committed_pages()
    assert pages, "no committed page holds a table block"
    archive = subprocess.run(
        ["git", "archive", "--format=tar", "HEAD", *COMMITTED, *pages],
        cwd=ROOT, capture_output=True, check=True,
    ).stdout  # fmt: skip
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(tmp_path, filter="data")
    monkeypatch.chdir(tmp_path)
    assert main(["--check", *pages]) == 0, capsys.readouterr().out


def write_run(reference: Path, variant: str, fid: float, failures: dict | None = None) -> None:
    folder = reference / variant
    folder.mkdir(parents=True)
    metrics = {"fid": fid, "kid": 0.0123, "precision": 0.5, "recall": 0.25, "coverage": 0.75,
               "classifier_score": 4.0, "classes_covered": 10,
               "memorization_ratio": 1.5}  # fmt: skip
    evaluation = {"variant": variant, "dataset": "digits", "primary": {"name": "fid"}}
    (folder / "metrics.json").write_text(json.dumps(evaluation | {"metrics": metrics}))
    summary = {"steps": 2000, "best_step": 1750, "failures": failures or {}}
    (folder / "train_summary.json").write_text(json.dumps(summary))


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A project folder with dvc.yaml's sampling variants (two), their published reports and a
    study's summary; the reference folder."""
    monkeypatch.chdir(tmp_path)
    Path("dvc.yaml").write_text("vars:\n  - sampling: [gan, dcgan]\n")
    reference = tmp_path / "reference"
    write_run(reference, "gan", 3.41763, {"discriminator_wins": {"step": 1250, "message": ""}})
    write_run(reference, "dcgan", 0.43075)
    study = tmp_path / "data/08_reporting/ablation"
    study.mkdir(parents=True)
    (study / "study.md").write_text("| change | fid |\n|---|---|\n| book | 1 |\n")
    return reference


def test_blocks_are_rewritten_from_the_reports_and_the_rest_is_kept(project):
    text = (
        "# Title\n<!-- table: digits -->\nold\n<!-- /table -->\nprose\n"
        "<!-- table: ablation -->\n<!-- /table -->\n"
    )
    new, changed = regenerate(text)
    assert changed == ["digits", "ablation"]
    assert new.startswith("# Title\n<!-- table: digits -->\n| variant | steps (best) | FD ↓ |")
    assert "| gan | 2,000 (1,750) | 3.42 | 0.012 | 0.50 | 0.25 | 0.75 | 4.00 | 10 | 1.50 | " \
        "`discriminator_wins` at 1,250 |" in new  # fmt: skip
    assert new.index("| gan |") < new.index("| dcgan | 2,000 (1,750) | 0.431 |")  # dvc.yaml order
    assert "\nprose\n<!-- table: ablation -->\n| change | fid |" in new and "old" not in new
    assert regenerate(new) == (new, [])


def test_check_names_the_stale_tables_and_writes_nothing(project, capsys):
    readme = Path("README.md")
    readme.write_text("<!-- table: ablation -->\nhand-edited\n<!-- /table -->\n")
    assert main(["--check", str(readme)]) == 1
    assert "stale tables in README.md: ablation; run `make tables`" in capsys.readouterr().out
    assert "hand-edited" in readme.read_text()
    assert main([str(readme)]) == 0 and "| book | 1 |" in readme.read_text()


@pytest.mark.parametrize(
    ("block", "message"),
    [
        ("<!-- table: leaderboard -->\n<!-- /table -->", "README.md: table 'leaderboard': unknown"),
        ("<!-- table: mixtures -->\n<!-- /table -->", "mixtures/study.md: missing; run `kedro run"),
    ],
)
def test_an_unknown_table_or_a_missing_study_is_one_line(project, capsys, block, message):
    readme = Path("README.md")
    readme.write_text(block + "\n")
    assert main([str(readme)]) == 2
    assert message in capsys.readouterr().err
    assert readme.read_text() == block + "\n"


def test_help_is_usage_not_a_missing_file(capsys):
    assert main(["--help"]) == 0
    assert capsys.readouterr().out.startswith("usage: python -m ganops.tracking.readme_tables")


def test_a_corrupt_report_names_its_file(project):
    (project / "dcgan" / "metrics.json").write_text("{not json")
    with pytest.raises(DataError, match="dcgan/metrics.json: not JSON"):
        readme_tables.digits_table()


def test_a_missing_report_names_its_file(project):
    (project / "gan" / "train_summary.json").unlink()
    with pytest.raises(DataError, match="gan/train_summary.json: cannot read it"):
        readme_tables.digits_table()


def write_translation(reference: Path, variant: str, dataset: str, metrics: dict) -> None:
    folder = reference / variant
    folder.mkdir(parents=True)
    evaluation = {"variant": variant, "dataset": dataset, "primary": {"name": "fid"}}
    (folder / "metrics.json").write_text(json.dumps(evaluation | {"metrics": metrics}))
    summary = {"variant": variant, "steps": 3000, "best_step": 2000, "images_per_second": 80.0,
               "failures": {}}  # fmt: skip
    (folder / "train_summary.json").write_text(json.dumps(summary))
    params = Path("conf/base") / f"parameters_{variant}.yml"
    params.parent.mkdir(parents=True, exist_ok=True)
    params.write_text(f"{variant}:\n  train:\n    batch_size: 16\n")


def test_translation_tables_list_dvc_yamls_variants_by_kind(tmp_path, monkeypatch):
    """Paired variants (measured against targets) in one table, model then **baseline** with
    the task's own metrics; unpaired ones in the other, — where a one-way model has no
    second direction; both in dvc.yaml's order, with the training loop's minutes."""
    monkeypatch.chdir(tmp_path)
    Path("dvc.yaml").write_text(
        "vars:\n  - globals.yml\n  - translation:\n      srgan: photos_sr\n"
        "      cartoongan: photos_cartoon\n      cyclegan: digits_m\n"
    )
    reference = tmp_path / "reference"
    measured = {"l1": 0.0748, "psnr": 20.37, "ssim": 0.292, "fid": 6.12, "psnr_y": 23.56}
    baselines = {"l1": 0.035, "psnr": 27.5, "ssim": 0.35, "fid": 1.41, "psnr_y": 30.9}
    paired = measured | {"kid": 0.6, "kid_std": 0.0}
    paired |= {f"baseline_{k}": 2 * v for k, v in baselines.items()}
    write_translation(reference, "srgan", "photos_sr", paired)
    flat = {"flat_share_AtoB": 0.5, "target_flat_share_AtoB": 0.61, "baseline_flat_share_AtoB": 0.1}
    write_translation(
        reference, "cartoongan", "photos_cartoon", {"fid_AtoB": 19.0, "kid": 4.75} | flat
    )
    write_translation(
        reference, "cyclegan", "digits_m",
        {"fid_AtoB": 2.24, "fid_BtoA": 3.08, "kid": 0.033, "label_preservation_AtoB": 0.76,
         "label_preservation_BtoA": 0.43, "cycle_l1_AtoB": 0.042, "cycle_l1_BtoA": 0.14} | flat,
    )  # fmt: skip
    paired_table = readme_tables.TABLES["paired"]().splitlines()
    assert paired_table[1] == "|---|---|---|---|---|---|---|---|" and len(paired_table) == 3
    assert paired_table[2] == (
        "| srgan (`photos_sr`) | 3,000 (2,000), 10 | 0.0748 / **0.07** | 20.4 / **55** "
        "| 0.29 / **0.70** | 6.12 / **2.82** | `psnr_y` 23.6 / **61.8** | none |"
    )
    unpaired = readme_tables.TABLES["unpaired"]().splitlines()
    assert unpaired[2:] == [
        "| cartoongan (`photos_cartoon`) | 3,000 (2,000), 10 | 19 / — | 4.8 | — | — "
        "| 0.50 / 0.61 / 0.10 | none |",
        "| cyclegan (`digits_m`) | 3,000 (2,000), 10 | 2.24 / 3.08 | 0.033 | 0.76 / 0.43 "
        "| 0.042 / 0.14 | 0.50 / 0.61 / 0.10 | none |",
    ]


def test_conditional_table_lists_only_the_variants_with_classes_or_codes(project):
    """What each conditional variant does with its condition, blank where it has none; the
    unconditional variants are left out."""
    cgan = json.loads((project / "dcgan" / "metrics.json").read_text())
    cgan["metrics"] |= {"conditional_accuracy": 0.8648, "intra_fid": 2.1729}
    (project / "dcgan" / "metrics.json").write_text(json.dumps(cgan))
    info = json.loads((project / "gan" / "metrics.json").read_text())
    info["metrics"] |= {"code_matching_accuracy": 0.7179, "class_of_code_0": 7.0,
                        "class_of_code_1": 6.0, "class_of_code_2": 8.0}  # fmt: skip
    (project / "gan" / "metrics.json").write_text(json.dumps(info))
    assert readme_tables.conditional_table().splitlines()[2:] == [
        "| gan |  |  | 0.72 (codes → 7 6 8) |  |",
        "| dcgan | 0.86 | 2.17 |  |  |",
    ]
    summary = json.loads((project / "gan" / "train_summary.json").read_text())
    (project / "gan" / "metrics.json").write_text(json.dumps(info | {"metrics": {"fid": 1}}))
    (project / "gan" / "train_summary.json").write_text(
        json.dumps(summary | {"classifier_test_accuracy": 0.95})
    )
    assert "| gan |  |  |  | 0.950 |" in readme_tables.conditional_table()


def test_likelihood_table_bounds_an_elbo_model_and_ends_with_dcgan_for_scale(project):
    Path("dvc.yaml").write_text("vars:\n  - sampling: [gan, dcgan, vae, pixelcnn]\n")
    Path("conf/base").mkdir(parents=True)
    for variant, nll in (("vae", {"nll": 61.63, "nll_elbo": 65.63}), ("pixelcnn", {"nll": 42.35})):
        write_run(project, variant, 3.758)
        doc = json.loads((project / variant / "metrics.json").read_text())
        doc["metrics"] |= nll | {"bits_per_dim": nll["nll"] / 256 / np.log(2)}
        (project / variant / "metrics.json").write_text(json.dumps(doc))
    for variant in ("vae", "pixelcnn", "dcgan"):
        summary = project / variant / "train_summary.json"
        doc = json.loads(summary.read_text()) | {"variant": variant, "images_per_second": 1280}
        summary.write_text(json.dumps(doc))
        (Path("conf/base") / f"parameters_{variant}.yml").write_text(
            f"{variant}:\n  train:\n    batch_size: 64\n"
        )
    assert readme_tables.likelihood_table().splitlines()[2:] == [
        "| vae | ≤ 61.6 (IWAE) | ≤ 0.347 | 65.6 | 3.76 | 0.012 | 2,000 steps, 1.7 min |",
        "| pixelcnn | 42.4 (exact) | 0.239 |  | 3.76 | 0.012 | 2,000 steps, 1.7 min |",
        "| dcgan, for scale | (no likelihood) |  |  | 0.431 | 0.012 | 2,000 steps, 1.7 min |",
    ]


def test_every_page_given_or_under_a_folder_given_is_rewritten(project, capsys):
    """Several files, and a folder standing for its Markdown files that hold a block (others
    are left alone, and not listed); --check names each stale file."""
    block = "<!-- table: ablation -->\nstale\n<!-- /table -->\n"
    Path("README.md").write_text("# Title\n" + block)
    Path("docs/families").mkdir(parents=True)
    Path("docs/results.md").write_text(block + "prose\n" + block)
    Path("docs/families/one.md").write_text(block)
    Path("docs/plain.md").write_text("no tables here\n")
    assert main(["--check", "README.md", "docs"]) == 1
    out = capsys.readouterr().out
    for name in ("README.md", "docs/families/one.md", "docs/results.md"):
        assert f"stale tables in {name}: ablation" in out
    assert "plain.md" not in out
    assert main(["README.md", "docs"]) == 0
    assert "docs/results.md: 2 table(s) rewritten: ablation, ablation" in capsys.readouterr().out
    assert Path("docs/results.md").read_text().count("| book | 1 |") == 2
    assert Path("docs/plain.md").read_text() == "no tables here\n"
    assert main(["--check", "README.md", "docs"]) == 0


def test_no_path_is_usage(capsys):
    assert main(["--check"]) == 2
    assert capsys.readouterr().err.startswith("usage: python -m ganops.tracking.readme_tables")


def test_headline_ranks_each_family_and_task_by_its_primary_metric(tmp_path, monkeypatch):
    """One line per (family, dataset, primary metric), the variants best first in the
    metric's direction, the task's baseline where it has one; the failure experiments out."""
    monkeypatch.chdir(tmp_path)
    Path("dvc.yaml").write_text(
        "vars:\n  - sampling: [gan, dcgan, mode_collapse]\n"
        "  - translation:\n      srgan: photos_sr\n      srresnet: photos_sr\n"
    )
    runs = {
        "gan": ("digits", "fid", "lower", {"fid": 3.651}),
        "dcgan": ("digits", "fid", "lower", {"fid": 0.4233}),
        "mode_collapse": ("digits", "fid", "lower", {"fid": 24.9}),
        "srgan": ("photos_sr", "fid", "lower", {"fid": 9.72, "baseline_fid": 28.1}),
        "srresnet": ("photos_sr", "psnr_y", "higher", {"psnr_y": 31.56, "baseline_psnr_y": 30.5}),
    }
    for variant, (dataset, name, better, metrics) in runs.items():
        folder = tmp_path / "reference" / variant
        folder.mkdir(parents=True)
        primary = {"name": name, "value": metrics[name], "better": better}
        doc = {"variant": variant, "dataset": dataset, "primary": primary, "metrics": metrics}
        (folder / "metrics.json").write_text(json.dumps(doc))
        (folder / "train_summary.json").write_text(json.dumps({"steps": 10}))
    assert readme_tables.headline_table().splitlines()[2:] == [
        "| unconditional | `digits` | `fid` ↓ | dcgan 0.423 · gan 3.65 | — |",
        "| paired translation | `photos_sr` | `fid` ↓ | srgan 9.72 | 28.1 |",
        "| paired translation | `photos_sr` | `psnr_y` ↑ | srresnet 31.6 | 30.5 |",
    ]
