"""The reference tables of the README and the documentation site, regenerated from the committed
reports, never edited by hand: each sits between ``<!-- table: NAME -->`` and ``<!-- /table -->``
in a Markdown file (the same table may sit in several files: ``docs/results.md`` holds them all,
a family's page its own, the README the headline). The variants' tables read ``reference/``
(what ``dvc repro`` publishes), the studies' tables their summaries in
``data/08_reporting/<study>/``; every path is the project's, relative to the working folder.

``python -m ganops.tracking.readme_tables README.md docs`` rewrites them in every file named and
every ``*.md`` file under every folder named (``make tables``, which ``make repro`` runs after
``dvc repro``); ``--check`` writes nothing and exits 1 naming the stale ones, file by file
(``make lint``; a test runs it on what git holds).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import yaml

from ganops.config import variant_params
from ganops.errors import DataError
from ganops.evaluation.study import training_seconds
from ganops.quiet import quiet_start
from ganops.storage import atomic_write
from ganops.tracking.dvc_plots import parse_metrics, read_json

REFERENCE = Path("reference")
STUDIES = Path("data/08_reporting")
DVC_YAML = Path("dvc.yaml")
BLOCK = re.compile(r"(<!-- table: (\w+) -->\n)(.*?)(<!-- /table -->)", re.DOTALL)
USAGE = "usage: python -m ganops.tracking.readme_tables [--check] FILE_OR_FOLDER..."


def failures(summary: dict[str, Any]) -> str:
    """The failure modes a run saw, with the step each was first seen at."""
    seen = summary.get("failures") or {}
    return ", ".join(f"`{name}` at {info['step']:,}" for name, info in seen.items()) or "none"


Cells = list[str]


def markdown(header: str, rows: Iterable[Cells]) -> str:
    """A Markdown table: ``header`` (its cells between bars), a rule, then the rows."""
    lines = [header, "|" + "---|" * (header.count("|") - 1)]
    lines += ["| " + " | ".join(cells) + " |" for cells in rows]
    return "\n".join(lines) + "\n"


def run(variant: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """A variant's published evaluation (``metrics.json``) and training summary."""
    folder = REFERENCE / variant
    return parse_metrics(folder / "metrics.json"), read_json(folder / "train_summary.json")


def dvc_variable(name: str) -> list[str]:
    """The variants a ``dvc.yaml`` variable lists (or maps to their datasets), in its order."""
    for entry in yaml.safe_load(DVC_YAML.read_text()).get("vars", []):
        if isinstance(entry, dict) and name in entry:
            return list(entry[name])
    return []


def digits_variants() -> list[str]:
    """The variants ``dvc.yaml`` trains on digits (its ``sampling`` variable), in its order."""
    return dvc_variable("sampling")


def translation_variants() -> list[str]:
    """The variants ``dvc.yaml``'s ``translation`` variable trains, in its order."""
    return dvc_variable("translation")


def loop_minutes(summary: dict[str, Any]) -> float:
    """The training loop's minutes, from its images/s and the variant's batch size in
    ``conf/base``."""
    batch_size = variant_params(Path(), summary["variant"])["train"]["batch_size"]
    return training_seconds(summary, batch_size) / 60


def steps_kept(summary: dict[str, Any]) -> str:
    """Steps trained and, in brackets, the step whose weights were kept."""
    return f"{summary['steps']:,} ({summary.get('best_step', summary['steps']):,})"


def digits_cells(metrics: dict[str, Any], summary: dict[str, Any]) -> Cells:
    """One variant's line of the digits table."""
    m = metrics["metrics"]
    return [
        metrics["variant"],
        steps_kept(summary),
        f"{m['fid']:.3g}",
        f"{m['kid']:#.2g}",
        *(f"{m[k]:.2f}" for k in ("precision", "recall", "coverage", "classifier_score")),
        f"{m['classes_covered']}",
        f"{m['memorization_ratio']:.2f}",
        failures(summary),
    ]


def digits_table() -> str:
    """Every variant ``dvc.yaml``'s train stage trains on digits, in its order: steps, FD,
    KID, precision/recall, coverage, classifier score, classes, memorization, failure modes."""
    header = (
        "| variant | steps (best) | FD ↓ | KID ↓ | precision ↑ | recall ↑ | coverage ↑ "
        "| classifier score ↑ | classes covered ↑ | memorization ratio | failure modes seen |"
    )
    return markdown(header, (digits_cells(*run(v)) for v in digits_variants()))


def likelihood_cells(metrics: dict[str, Any], summary: dict[str, Any]) -> Cells:
    """Held-out NLL and bits/dim (upper bounds where the model has an ELBO) and the ELBO, FD,
    KID and training; a model without a likelihood is there for scale."""
    m, variant = metrics["metrics"], metrics["variant"]
    if "nll" not in m:
        cells = [f"{variant}, for scale", "(no likelihood)", "", ""]
    elif "nll_elbo" not in m:
        cells = [variant, f"{m['nll']:.3g} (exact)", f"{m['bits_per_dim']:.3g}", ""]
    else:
        cells = [variant, f"≤ {m['nll']:.3g} (IWAE)", f"≤ {m['bits_per_dim']:.3g}"]
        cells.append(f"{m['nll_elbo']:.3g}")
    training = f"{summary['steps']:,} steps, {loop_minutes(summary):.1f} min"
    return [*cells, f"{m['fid']:.3g}", f"{m['kid']:#.2g}", training]


def likelihood_table() -> str:
    """The digits variants with a held-out likelihood, then the default DCGAN for scale."""
    header = "| variant | held-out NLL ↓ | bits/dim ↓ | ELBO bound ↓ | FD ↓ | KID ↓ | training |"
    runs = {variant: run(variant) for variant in digits_variants()}
    likely = [v for v, (metrics, _) in runs.items() if "nll" in metrics["metrics"]]
    return markdown(header, (likelihood_cells(*runs[v]) for v in [*likely, "dcgan"]))


def conditional_cells(metrics: dict[str, Any], summary: dict[str, Any]) -> Cells:
    """Conditional accuracy, intra-class FD, code matching (with each code's class) and the
    semi-supervised classifier's held-out accuracy; blank where the variant has none."""
    m = metrics["metrics"]
    codes = sum(k.startswith("class_of_code_") for k in m)
    matched = " ".join(str(int(m[f"class_of_code_{i}"])) for i in range(codes))
    held_out = summary.get("classifier_test_accuracy")
    return [
        f"{m['conditional_accuracy']:.2f}" if "conditional_accuracy" in m else "",
        f"{m['intra_fid']:.3g}" if "intra_fid" in m else "",
        f"{m['code_matching_accuracy']:.2f} (codes → {matched})" if codes else "",
        f"{held_out:.3f}" if held_out is not None else "",
    ]


def conditional_table() -> str:
    """The digits variants that use classes or codes, and what they do with them."""
    header = (
        "| variant | conditional accuracy ↑ | intra-class FD ↓ | code matching ↑ "
        "| held-out classifier accuracy ↑ |"
    )
    cells = ((v, conditional_cells(*run(v))) for v in digits_variants())
    return markdown(header, ([v, *c] for v, c in cells if any(c)))


def trained(summary: dict[str, Any]) -> str:
    """Steps, the step kept, and the training loop's minutes."""
    return f"{steps_kept(summary)}, {loop_minutes(summary):.0f}"


def pair(m: dict[str, Any], name: str, spec: str, second: str) -> str:
    """``m[name]`` and ``m[second]`` as ``a / b`` (``—`` for what was not measured)."""
    if name not in m and second not in m:
        return "—"
    return " / ".join(f"{m[k]:{spec}}" if k in m else "—" for k in (name, second))


PAIRED = {"l1": ".3g", "psnr": ".3g", "ssim": ".2f", "fid": ".3g"}


def paired_cells(metrics: dict[str, Any], summary: dict[str, Any]) -> Cells:
    """Model, then **baseline**, for each paired metric and the task's own ones."""
    m = metrics["metrics"]
    shown = set(PAIRED) | {"kid", "kid_std"}
    task = [k for k in m if k not in shown and not k.startswith("baseline_")]
    return [
        f"{metrics['variant']} (`{metrics['dataset']}`)",
        trained(summary),
        *(f"{m[k]:{spec}} / **{m['baseline_' + k]:{spec}}**" for k, spec in PAIRED.items()),
        ", ".join(f"`{k}` {m[k]:.3g} / **{m['baseline_' + k]:.3g}**" for k in task) or "—",
        failures(summary),
    ]


def unpaired_cells(metrics: dict[str, Any], summary: dict[str, Any]) -> Cells:
    """Both directions' FD, label preservation and cycle L1 (— where a one-way model has
    none), and A→B's flat share: the translations', the targets' and the inputs'."""
    m = metrics["metrics"]
    flat = (m["flat_share_AtoB"], m["target_flat_share_AtoB"], m["baseline_flat_share_AtoB"])
    return [
        f"{metrics['variant']} (`{metrics['dataset']}`)",
        trained(summary),
        pair(m, "fid_AtoB", ".3g", "fid_BtoA"),
        f"{m['kid']:.2g}",
        pair(m, "label_preservation_AtoB", ".2f", "label_preservation_BtoA"),
        pair(m, "cycle_l1_AtoB", ".2g", "cycle_l1_BtoA"),
        "{:.2f} / {:.2f} / {:.2f}".format(*flat),
        failures(summary),
    ]


def translation_table(header: str, cells: Callable[..., Cells], paired: bool) -> Callable[[], str]:
    """The translation variants of one kind (paired ones are measured against targets: their
    metrics have ``psnr``), a line of ``cells`` each."""

    def table() -> str:
        runs = [run(variant) for variant in translation_variants()]
        return markdown(header, (cells(*r) for r in runs if ("psnr" in r[0]["metrics"]) == paired))

    return table


def study(name: str) -> Callable[[], str]:
    """A study pipeline's Markdown summary, as it wrote it."""

    def table() -> str:
        path = STUDIES / name / "study.md"
        if not path.exists():
            raise DataError(f"{path}: missing; run `kedro run --pipelines {name}`")
        return path.read_text()

    return table


def headline_table() -> str:
    """One line per family and task (its dataset and primary metric): the published variants,
    best first by that metric, and the task's trivial baseline where it has one (the gray
    image, bicubic upsampling, biharmonic inpainting, the identity). The failure-mode
    experiments are left out: they are there to fail."""
    quiet_start()  # the families are the variants' registry's, which imports Keras
    from ganops.variants import EXPERIMENTS, FAMILIES

    groups: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for variant in [*digits_variants(), *translation_variants()]:
        if variant in EXPERIMENTS:
            continue
        metrics, _ = run(variant)
        family = next(name for name, members in FAMILIES.items() if variant in members)
        key = (family, metrics["dataset"], metrics["primary"]["name"])
        groups.setdefault(key, []).append(metrics)
    rows = []
    for (family, dataset, name), runs in sorted(
        groups.items(), key=lambda item: list(FAMILIES).index(item[0][0])
    ):  # a stable sort: dvc.yaml's order within a family
        higher = runs[0]["primary"]["better"] == "higher"
        runs = sorted(runs, key=lambda m: m["metrics"][name], reverse=higher)
        baseline = runs[0]["metrics"].get(f"baseline_{name}")
        rows.append(
            [
                family.replace("_", " "),
                f"`{dataset}`",
                f"`{name}` {'↑' if higher else '↓'}",
                " · ".join(f"{m['variant']} {m['metrics'][name]:.3g}" for m in runs),
                "—" if baseline is None else f"{baseline:.3g}",
            ]
        )
    header = "| family | dataset | judged by | variants, best first | doing nothing |"
    return markdown(header, rows)


TABLES: dict[str, Callable[[], str]] = {
    "headline": headline_table,
    "digits": digits_table,
    "conditional": conditional_table,
    "likelihood": likelihood_table,
    "paired": translation_table(
        "| variant (dataset) | steps (best), minutes | L1 ↓ | PSNR ↑ | SSIM ↑ | FD ↓ "
        "| the task's own metrics | failure modes seen |",
        paired_cells,
        paired=True,
    ),
    "unpaired": translation_table(
        "| variant (dataset) | steps (best), minutes | FD ↓ (A→B / B→A) | KID ↓ "
        "| label preservation ↑ (A→B / B→A) | cycle L1 ↓ (A→B / B→A) "
        "| flat share A→B (output / target / input) | failure modes seen |",
        unpaired_cells,
        paired=False,
    ),
    "ablation": study("ablation"),
    "mixtures": study("mixtures"),
    "semi_supervised": study("semi_supervised"),
}


def regenerate(text: str) -> tuple[str, list[str]]:
    """``text`` with every table block rewritten, and the names of those that changed."""
    changed = []

    def fill(match: re.Match) -> str:
        opening, name, old, closing = match.groups()
        if name not in TABLES:
            raise DataError(f"table '{name}': unknown; known: {', '.join(TABLES)}")
        new = TABLES[name]()
        if new != old:
            changed.append(name)
        return opening + new + closing

    return BLOCK.sub(fill, text), changed


def markdown_files(paths: Iterable[str]) -> list[Path]:
    """The files named, and every ``*.md`` file under the folders named that holds a table."""
    files = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            found = sorted(path.rglob("*.md"))
            files += [f for f in found if BLOCK.search(f.read_text(encoding="utf-8"))]
        else:
            files.append(path)
    return files


def main(argv: list[str] | None = None) -> int:
    """Rewrite the tables of the files given, or with ``--check`` say which are stale (exit 1)."""
    args = sys.argv[1:] if argv is None else argv
    if {"-h", "--help"} & set(args):
        print(USAGE + "\n\nRewrite the reference tables (<!-- table: NAME --> blocks) of each")
        print("Markdown file, and of each *.md file under each folder, from the committed reports;")
        print("--check: change nothing, exit 1 when one is stale.")
        return 0
    check = "--check" in args
    paths = [a for a in args if a != "--check"]
    if not paths:
        print(USAGE, file=sys.stderr)
        return 2
    stale = 0
    for path in markdown_files(paths):
        try:
            text, changed = regenerate(path.read_text(encoding="utf-8"))
        except OSError as err:
            print(f"ganops: {path}: cannot read it ({err.strerror or err})", file=sys.stderr)
            return 2
        except DataError as err:
            print(f"ganops: {path}: {err}", file=sys.stderr)
            return 2
        if check:
            if changed:
                stale += 1
                print(f"ganops: stale tables in {path}: {', '.join(changed)}; run `make tables`")
            continue
        if changed:
            atomic_write(path, lambda tmp, text=text: tmp.write_text(text, encoding="utf-8"))
        print(f"{path}: {len(changed)} table(s) rewritten: {', '.join(changed) or 'none'}")
    return int(bool(stale))


if __name__ == "__main__":
    sys.exit(main())
