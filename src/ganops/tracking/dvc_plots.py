"""What ``dvc plots`` and ``dvc metrics`` show: an offline page template, the published
reference reports and the leaderboard.

``dvc plots show`` / ``dvc plots diff`` fill an HTML template with one Vega-Lite chart per plot
that ``dvc.yaml`` declares. DVC's own page loads Vega from a CDN; ``make setup`` writes one that
carries Vega, Vega-Lite and Vega-Embed inline instead (from the pinned ``vl-convert-python``
wheel, so nothing third-party is committed), and ``.dvc/config`` points DVC at it.

The ``publish`` stages copy each variant's reports (``REFERENCE_FILES``) from the workspace
(``data/08_reporting/<variant>/``, which any ``kedro run`` rewrites) to the committed
``reference/<variant>/``: only ``dvc repro`` writes there. The ``leaderboard`` stage turns the
published ``metrics.json`` files into the table the leaderboard plot draws, ordered as
``compare``'s leaderboard (``report.leaderboard``).
"""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from ganops.errors import DataError, GanopsError
from ganops.storage import atomic_write

#: The columns of the leaderboard table: which run, its primary metric, then the shared ones.
LEADERBOARD_COLUMNS = [
    "dataset",
    "variant",
    "model",
    "primary_metric",
    "primary_value",
    "fid",
    "kid",
    "precision",
    "recall",
    "coverage",
]
METRICS_KEYS = ("variant", "dataset", "primary", "metrics")  # what the leaderboard reads
#: A variant's reports that ``publish`` copies to ``reference/``: DVC's metrics and plots.
REFERENCE_FILES = ("train_summary.json", "losses.csv", "scores.csv", "metrics.json")
COMMANDS = {"template": 1, "publish": 2, "leaderboard": 2}  # each command's number of paths
USAGE = (
    "usage: python -m ganops.tracking.dvc_plots template PATH"
    " | publish REPORTS_FOLDER REFERENCE_FOLDER | leaderboard REFERENCE_FOLDER OUT_CSV"
)
#: Plots side by side, two to a row on a laptop's screen; DVC fills in ``{plot_divs}``.
PAGE = """<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
{{refresh_tag}}
<title>DVC plots</title>
<script type="text/javascript">{bundle}</script>
<style>
body {{ font-family: sans-serif; margin: 12px; }}
body > div {{ display: inline-block; vertical-align: top; margin: 0 12px 16px 0; }}
</style>
</head>
<body>
{{plot_divs}}
</body>
</html>
"""


def latest_vega_lite_5(versions: Iterable[str]) -> str:
    """The newest Vega-Lite 5 release among ``versions`` (DVC's templates are Vega-Lite 5)."""
    fives = [v for v in versions if v.split(".")[0] == "5"]
    if not fives:
        raise DataError(f"vl-convert offers no Vega-Lite 5 (it offers {', '.join(versions)})")
    return max(fives, key=lambda v: tuple(int(part) for part in v.split(".")))


def offline_page(bundle: str) -> str:
    """DVC's page template with ``bundle`` (JavaScript) inline, so it needs no network. It has
    no ``{scripts}`` placeholder: DVC's CDN ``<script src>`` tags are left out."""
    return PAGE.format(bundle=bundle.replace("</script", "<\\/script"))


def write_template(path: Path) -> Path:
    """Write the offline page template to ``path`` (Vega from the installed vl-convert)."""
    import vl_convert

    version = latest_vega_lite_5(vl_convert.get_vegalite_versions())
    page = offline_page(vl_convert.javascript_bundle(vl_version=version))
    atomic_write(path, lambda tmp: tmp.write_text(page, encoding="utf-8"))
    return path


def runs_from_metrics(documents: Iterable[dict[str, Any]]) -> pd.DataFrame:
    """``metrics.json`` documents as rows of ``report.leaderboard``'s input (one run each)."""
    rows = [
        {
            "run_name": f"{doc['variant']}-{doc['dataset']}",
            "start_time": 0,
            "run_id": "",
            "variant": doc["variant"],
            "dataset": doc["dataset"],
            "primary_metric": doc["primary"]["name"],
            **{f"eval_{name}": value for name, value in doc["metrics"].items()},
        }
        for doc in documents
    ]
    return pd.DataFrame(rows, columns=None if rows else ["run_name", "start_time", "run_id"])


def leaderboard_table(documents: Iterable[dict[str, Any]]) -> pd.DataFrame:
    """Every evaluated variant, by dataset, best primary metric first in its direction; a
    ``model`` label (``variant (dataset)``) for the plot's axis."""
    from ganops.evaluation.report import leaderboard

    board = leaderboard(runs_from_metrics(documents))
    board = board.assign(model=board["variant"] + " (" + board["dataset"] + ")")
    return board.reindex(columns=LEADERBOARD_COLUMNS)


def read_json(path: Path) -> Any:
    """A JSON file's content; ``DataError`` naming the file when it cannot be read or parsed."""
    try:
        return json.loads(path.read_text())
    except json.JSONDecodeError as err:
        raise DataError(f"{path}: not JSON ({err})") from None
    except OSError as err:
        raise DataError(f"{path}: cannot read it ({err.strerror or err})") from None


def parse_metrics(path: Path) -> dict[str, Any]:
    """One evaluation's ``metrics.json``; ``DataError`` naming the file when it is not one."""
    doc = read_json(path)
    missing = [key for key in METRICS_KEYS if not isinstance(doc, dict) or key not in doc]
    if missing:
        raise DataError(f"{path}: not an evaluation's metrics.json (no {', '.join(missing)})")
    return doc


def read_metrics(folder: Path) -> list[dict[str, Any]]:
    """The ``<folder>/<variant>/metrics.json`` documents, by variant name."""
    paths = sorted(folder.glob("*/metrics.json"))
    if not paths:
        raise DataError(f"no {folder}/*/metrics.json: evaluate a variant first (dvc repro)")
    return [parse_metrics(path) for path in paths]


def publish(reports: Path, reference: Path) -> None:
    """Copy a variant's ``REFERENCE_FILES`` from ``reports`` to ``reference``, each checked
    first: a missing or unreadable report is a ``DataError`` and nothing is copied."""
    parse_metrics(reports / "metrics.json")
    read_json(reports / "train_summary.json")
    for name in ("losses.csv", "scores.csv"):
        if not (reports / name).is_file():
            raise DataError(f"{reports / name}: missing; train the variant first (dvc repro)")
    for name in REFERENCE_FILES:
        atomic_write(reference / name, lambda tmp, name=name: shutil.copyfile(reports / name, tmp))


def main(argv: list[str] | None = None) -> int:
    """``python -m ganops.tracking.dvc_plots template PATH | publish REPORTS REFERENCE |
    leaderboard REFERENCE OUT_CSV``."""
    command, *paths = (sys.argv[1:] if argv is None else argv) or [""]
    if COMMANDS.get(command) != len(paths):
        print(USAGE, file=sys.stderr)
        return 2
    try:
        if command == "template":
            write_template(Path(paths[0]))
        elif command == "publish":
            publish(Path(paths[0]), Path(paths[1]))
        else:
            from ganops.quiet import quiet_start

            quiet_start()  # report.py imports Keras: no TensorFlow start-up lines
            table = leaderboard_table(read_metrics(Path(paths[0])))
            write = lambda tmp: table.to_csv(tmp, index=False, float_format="%.6g")  # noqa: E731
            atomic_write(Path(paths[1]), write)
    except GanopsError as err:
        print(f"ganops: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
