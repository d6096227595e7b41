"""The README's reference tables come from the committed reports, never from a hand edit."""

import json
from pathlib import Path

import pytest

from ganops.errors import DataError
from ganops.tracking import readme_tables
from ganops.tracking.readme_tables import main, regenerate

ROOT = Path(__file__).resolve().parents[2]


def test_the_readme_tables_match_the_committed_reports(monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    assert main(["--check", "README.md"]) == 0, capsys.readouterr().out


def write_run(reports: Path, variant: str, fid: float, failures: dict | None = None) -> None:
    folder = reports / variant
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
    """A project folder with dvc.yaml's train stage over two variants, and their reports."""
    monkeypatch.chdir(tmp_path)
    Path("dvc.yaml").write_text("stages:\n  train:\n    foreach: [gan, dcgan]\n")
    reports = tmp_path / "data/08_reporting"
    write_run(reports, "gan", 3.41763, {"discriminator_wins": {"step": 1250, "message": ""}})
    write_run(reports, "dcgan", 0.43075)
    (reports / "ablation").mkdir()
    (reports / "ablation" / "study.md").write_text("| change | fid |\n|---|---|\n| book | 1 |\n")
    return reports


def test_blocks_are_rewritten_from_the_reports_and_the_rest_is_kept(project):
    text = (
        "# Title\n<!-- table: digits -->\nold\n<!-- /table -->\nprose\n"
        "<!-- table: ablation -->\n<!-- /table -->\n"
    )
    new, changed = regenerate(text, project)
    assert changed == ["digits", "ablation"]
    assert new.startswith("# Title\n<!-- table: digits -->\n| variant | steps (best) | FD ↓ |")
    assert "| gan | 2,000 (1,750) | 3.42 | 0.012 | 0.50 | 0.25 | 0.75 | 4.00 | 10 | 1.50 | " \
        "`discriminator_wins` at 1,250 |" in new  # fmt: skip
    assert new.index("| gan |") < new.index("| dcgan | 2,000 (1,750) | 0.431 |")  # dvc.yaml order
    assert "\nprose\n<!-- table: ablation -->\n| change | fid |" in new and "old" not in new
    assert regenerate(new, project) == (new, [])


def test_check_names_the_stale_tables_and_writes_nothing(project, capsys):
    readme = Path("README.md")
    readme.write_text("<!-- table: ablation -->\nhand-edited\n<!-- /table -->\n")
    assert main(["--check", str(readme)]) == 1
    assert "stale README tables: ablation; run `make tables`" in capsys.readouterr().out
    assert "hand-edited" in readme.read_text()
    assert main([str(readme)]) == 0 and "| book | 1 |" in readme.read_text()


@pytest.mark.parametrize(
    ("block", "message"),
    [
        ("<!-- table: leaderboard -->\n<!-- /table -->", "README table 'leaderboard': unknown"),
        ("<!-- table: mixtures -->\n<!-- /table -->", "mixtures/study.md: missing; run `kedro run"),
    ],
)
def test_an_unknown_table_or_a_missing_study_is_one_line(project, capsys, block, message):
    readme = Path("README.md")
    readme.write_text(block + "\n")
    assert main([str(readme)]) == 2
    assert message in capsys.readouterr().err
    assert readme.read_text() == block + "\n"


def test_a_corrupt_report_names_its_file(project):
    (project / "dcgan" / "metrics.json").write_text("{not json")
    with pytest.raises(DataError, match="dcgan/metrics.json: not JSON"):
        readme_tables.digits_table(project)


def test_a_missing_report_names_its_file(project):
    (project / "gan" / "train_summary.json").unlink()
    with pytest.raises(DataError, match="gan/train_summary.json: cannot read it"):
        readme_tables.digits_table(project)
